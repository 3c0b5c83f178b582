/**
 * A saved, booted guest restored in place of a boot (QEMU migration to a file): under pinrig's own QEMU line (the
 * gpio-stores plugin, icount), the shell answers, the register model agrees with QEMU's registers, the pins are
 * recorded as after a boot, and each restore starts clean of what the last one did.
 */
import { expect, test } from '@playwright/test';
import { ensureGuestImage } from '../../harness/guest/image.js';
import { bootRaspi3b } from '../../harness/targets/qemu-raspi3b.js';
import { ensureSnapshot } from '../../harness/targets/snapshot.js';

test('a restored raspi3b guest: shell, model, pins, and a clean slate each time', async () => {
  test.setTimeout(180_000);
  const options = { image: await ensureGuestImage({ progress: () => {} }) };
  const snapshot = await ensureSnapshot('qemu-raspi3b', bootRaspi3b, options);
  // The boot's own GPIO writes (pin functions set up by the kernel) are what the model replays.
  expect(snapshot.writes.length).toBeGreaterThan(0);

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

// With the guest's tick stopped in idle (the kernel's default), 3 to 5 of 6 restored raspi3b guests in a row never ended
// a sleep ("rcu_sched kthread timer wakeup didn't happen"); the guests keep their periodic tick now (kernelArguments).
test('a restored raspi3b guest ends its sleeps in virtual time, as a booted one does', async () => {
  test.setTimeout(120_000);
  const options = { image: await ensureGuestImage({ progress: () => {} }) };
  const snapshot = await ensureSnapshot('qemu-raspi3b', bootRaspi3b, options);
  for (let i = 0; i < 6; i++) {
    const guest = await bootRaspi3b({ ...options, restore: snapshot });
    try {
      // /proc/uptime counts hundredths of a second.
      const hundredths = (text: string) => Math.round(Number(text.split(' ')[0]) * 100);
      const before = hundredths(await guest.shell.check('cat /proc/uptime'));
      const slept = await guest.shell.run('usleep 100000; cat /proc/uptime', { timeoutMs: 5000 });
      expect(slept.status, `restore ${i + 1}: usleep 100000 ended`).toBe(0);
      expect(hundredths(slept.output) - before, `restore ${i + 1}: hundredths of a second the sleep took`).toBeGreaterThanOrEqual(10);
      expect(hundredths(slept.output) - before).toBeLessThan(500);
    } finally {
      await guest.close();
    }
  }
});
