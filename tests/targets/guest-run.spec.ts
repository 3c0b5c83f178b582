/**
 * An emulated guest runs only while the host waits on it (harness/targets/guest-run.ts): idle, it costs no host CPU
 * and its virtual clock stands still; during a command or a wait in virtual time it runs; a fence stops it and lets it
 * run on only if something still waits on it. The order of switches is checked on a recording stand-in for QMP; the
 * effect on a real guest by its clock and QEMU's CPU time.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ensureGuestImage } from '../../harness/guest/image.js';
import { GuestRun } from '../../harness/targets/guest-run.js';
import { bootVirt, virt } from '../../harness/targets/qemu-virt.js';
import { ensureSnapshot } from '../../harness/targets/snapshot.js';
import { MachineSlot } from '../../fixtures/targets.js';

function recordingVm(): { calls: string[]; vm: { stop(): Promise<void>; cont(): Promise<void> } } {
  const calls: string[] = [];
  const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
  return { calls, vm: { stop: async () => void (calls.push('stop'), await tick()), cont: async () => void (calls.push('cont'), await tick()) } };
}

test('switches: one cont for overlapping waits, a stop when the last ends, and a fence never runs with the guest running', async () => {
  const { calls, vm } = recordingVm();
  const run = new GuestRun(vm, false);
  let release!: () => void;
  const long = run.running(() => new Promise<void>((resolve) => (release = resolve)).then(() => calls.push('long done')));
  await run.running(async () => void calls.push('short'));
  await run.stopped(async () => void calls.push('fence'));
  release();
  await long;
  await run.stopped(async () => void calls.push('fence while idle'));
  expect(calls).toEqual(['cont', 'short', 'stop', 'fence', 'cont', 'long done', 'stop', 'stop', 'fence while idle']);
});

test('a cold-booted guest is running until the host is done with it; a failing switch is the work\'s to report', async () => {
  const { calls, vm } = recordingVm();
  const run = new GuestRun(vm, true);
  await run.running(async () => void calls.push('boot'));
  expect(calls).toEqual(['boot', 'stop']);
  const broken = new GuestRun({ stop: () => Promise.reject(new Error('QMP link closed')), cont: () => Promise.reject(new Error('QMP link closed')) }, false);
  await expect(broken.running(async () => { throw new Error('console closed: QEMU exited'); })).rejects.toThrow('console closed: QEMU exited');
});

test('an idle restored guest costs no CPU and its clock stands still; a command still gets its virtual time', async () => {
  test.setTimeout(120_000);
  const options = { image: await ensureGuestImage({ progress: () => {} }) };
  const target = await bootVirt({ ...options, restore: await ensureSnapshot(virt, options) });
  try {
    const cpuSeconds = () => {
      const stat = readFileSync(`/proc/${target.qemu.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    };
    const uptime = async () => Number((await target.shell.check('cat /proc/uptime')).split(' ')[0]);
    const before = await uptime();
    const cpuBefore = cpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the host is busy elsewhere
    const idleCpu = cpuSeconds() - cpuBefore;
    const after = await uptime();
    // Racing through its idle time, the guest took a whole core and went through ~60 virtual seconds in 2 s.
    expect(idleCpu, 'QEMU CPU seconds over 2 s of idle host time').toBeLessThan(0.5);
    expect(after - before, 'guest seconds over 2 s of idle host time').toBeLessThan(0.5);
    const start = await uptime();
    await target.shell.check('sleep 1');
    expect((await uptime()) - start, 'guest seconds over a `sleep 1`').toBeGreaterThanOrEqual(1);
  } finally {
    await target.close();
  }
});

test('what a target is, for skip conditions, is known without a guest', () => {
  for (const [name, model, interrupts] of [['qemu-raspi3b', 'bcm2835', false], ['qemu-raspi4b', 'bcm2711', false], ['qemu-virt', 'pl061', true]] as const) {
    const hardware = new MachineSlot(name).hardware();
    expect(hardware.name).toBe(name);
    expect(hardware.profile.controller.model).toBe(model);
    expect(hardware.capabilities.interrupts).toBe(interrupts);
  }
  if (!process.env.PINRIG_RPI_PROFILE) expect(() => new MachineSlot('rpi').hardware()).toThrow(/PINRIG_RPI_PROFILE/);
});
