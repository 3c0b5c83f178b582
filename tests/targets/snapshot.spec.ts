/**
 * A saved, booted guest restored in place of a boot (QEMU migration to a file): under pinrig's own QEMU line (the
 * gpio-stores plugin, icount), the shell answers, the register model agrees with QEMU's registers, the pins are
 * recorded as after a boot, and each restore starts clean of what the last one did.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureGuestImage } from '../../harness/guest/image.js';
import { bootRaspi3b, raspi3b } from '../../harness/targets/qemu-raspi3b.js';
import { ensureSnapshot, pruneSnapshots, snapshotKey } from '../../harness/targets/snapshot.js';
import { ensureGpioStoresPlugin } from '../../harness/guest/qemu-plugin.js';

test('a restored raspi3b guest: shell, model, pins, and a clean slate each time', async () => {
  test.setTimeout(180_000);
  const options = { image: await ensureGuestImage({ progress: () => {} }) };
  const snapshot = await ensureSnapshot(raspi3b, options);
  // The boot's own GPIO writes (pin functions set up by the kernel) are what the model replays.
  expect(snapshot.writes.length).toBeGreaterThan(0);
  // Where the GPIO block is, so that a restore checks that path instead of walking QEMU's object tree for it.
  expect(snapshot.gpio).toMatchObject({ type: 'bcm2835_gpio', path: expect.stringMatching(/^\/machine\//) });

  const first = await bootRaspi3b({ ...options, restore: snapshot });
  try {
    expect(await first.modelDifferences()).toEqual([]);
    const gpio = await first.sysfsNumber('GPIO17');
    const value = `/sys/class/gpio/gpio${gpio}/value`;
    await first.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction; echo left-behind > /tmp/mark`);
    const recording = await first.record(['GPIO17']);
    await first.shell.check(`echo 1 > ${value}; echo 0 > ${value}; echo 1 > ${value}`);
    const { capture } = await recording.stop();
    expect(capture.waveform.channels[0]!.edges).toHaveLength(3);
    expect(await first.modelDifferences()).toEqual([]);
  } finally {
    await first.close();
  }

  const second = await bootRaspi3b({ ...options, restore: snapshot });
  try {
    expect(await second.shell.run('cat /tmp/mark')).toMatchObject({ status: 1 });
    expect((await second.shell.check(`cat /sys/class/gpio/gpio${await second.sysfsNumber('GPIO17')}/value 2>&1 || echo not-exported`)).trim()).toMatch(/No such file|not-exported/);
    expect(await second.modelDifferences()).toEqual([]);
  } finally {
    await second.close();
  }
});

// A guest saved while a core's timer interrupt was pending never ended a sleep on that core after a restore ("rcu_sched
// kthread timer wakeup didn't happen"): QEMU's BCM2836 interrupt controller does not migrate its input levels, so
// saveSnapshot saves only with none pending (raspi3b.unsavedInterrupts). The guests also keep their periodic tick.
test('a restored raspi3b guest ends its sleeps in virtual time, as a booted one does', async () => {
  test.setTimeout(120_000);
  const options = { image: await ensureGuestImage({ progress: () => {} }) };
  const snapshot = await ensureSnapshot(raspi3b, options);
  for (let i = 0; i < 6; i++) {
    const guest = await bootRaspi3b({ ...options, restore: snapshot });
    try {
      // Both readings in one command: the guest's clock races through idle time while the host sends the next command
      // (icount sleep=off), so a reading taken by an earlier command would count the host's delay. In centiseconds, as
      // /proc/uptime counts: 1.13 - 1.03 is 0.0999... in floating point.
      const slept = await guest.shell.run("a=$(cut -d' ' -f1 /proc/uptime); usleep 100000; echo $a $(cut -d' ' -f1 /proc/uptime)", { timeoutMs: 5000 });
      const [before, after] = slept.output.trim().split(' ').map((uptime) => Math.round(Number(uptime) * 100));
      expect(slept.status).toBe(0);
      expect(after! - before!).toBeGreaterThanOrEqual(10);
      expect(after! - before!).toBeLessThan(500);
    } finally {
      await guest.close();
    }
  }
});

// A state file is only valid for the QEMU line it was saved under: the machine's own arguments are in its key with the
// rest (a -smp or -m changed by hand must not restore an old guest into a different machine).
test('the saved guest is keyed on the machine and its arguments, the image, the kernel arguments and the extra arguments', async () => {
  const options = { image: await ensureGuestImage({ progress: () => {} }) };
  const plugin = await ensureGpioStoresPlugin();
  const key = snapshotKey(raspi3b, options, plugin);
  expect(snapshotKey(raspi3b, options, plugin)).toBe(key);
  const others = [
    snapshotKey({ ...raspi3b, args: (console) => [...raspi3b.args(console), '-smp', '2'] }, options, plugin),
    snapshotKey(raspi3b, { ...options, image: { ...options.image, key: 'another-image' } }, plugin),
    snapshotKey(raspi3b, { ...options, append: 'oops=panic' }, plugin),
    snapshotKey(raspi3b, { ...options, extraArgs: ['-no-reboot'] }, plugin),
  ];
  expect(new Set([key, ...others]).size).toBe(5);
});

// Every change of image or QEMU makes new saved guests (about 90 MB each): those nobody restored for a week go.
test('saved guests unused for a week are pruned; those in use, and anything not a folder, are kept', async () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'pinrig-snapshots-'));
  try {
    const day = 86_400_000;
    const now = Date.now();
    const make = (name: string, ageDays: number) => {
      mkdirSync(path.join(folder, name));
      writeFileSync(path.join(folder, name, 'state'), 'x');
      utimesSync(path.join(folder, name), new Date(now - ageDays * day), new Date(now - ageDays * day));
    };
    make('qemu-raspi3b-old', 8);
    make('qemu-virt-used-yesterday', 1);
    make('qemu-virt-abc.partial-123', 30);
    writeFileSync(path.join(folder, 'notes.txt'), 'kept');
    expect(pruneSnapshots(folder, now).sort()).toEqual(['qemu-raspi3b-old', 'qemu-virt-abc.partial-123']);
    expect(readdirSync(folder).sort()).toEqual(['notes.txt', 'qemu-virt-used-yesterday']);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
