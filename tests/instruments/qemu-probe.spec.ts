import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { ensureGuestImage } from '../../harness/guest/image.js';
import { Bcm2835Gpio } from '../../harness/models/bcm2835.js';
import { parseStore } from '../../harness/instruments/qemu/store-stream.js';
import { bootRaspi3b } from '../../harness/targets/qemu-raspi3b.js';
import { TargetStartError, type QemuTarget } from '../../harness/targets/qemu-target.js';

// The gpio-stores plugin and the QEMU probe on a booted raspi3b guest: the guest's stores as the plugin recorded
// them, host drives at a stopped VM, and a plugin that cannot load.

const SYSTEM_TIMER_CLO = 0x3f003004; // BCM2835 system timer, 1 MHz, counted by QEMU from its virtual clock

test('a store line parses; anything else does not', () => {
  expect(parseStore('W 1024624130 2 0x3f20001c 0x20000 4')).toEqual({ ns: 1024624130, cpu: 2, addr: 0x3f20001c, value: 0x20000, size: 4 });
  expect(parseStore('W 1 0 0x3f20001c 0x1ffffffff 4')?.value).toBe(0xffffffff);
  expect(parseStore('W 1 0 0x3f20001c 0x1 3')).toBeUndefined();
  expect(parseStore('C 1 5')).toBeUndefined();
  expect(parseStore('W 99999999999999999999 0 0x0 0x0 4')).toBeUndefined();
});

test.describe('on a raspi3b guest', () => {
  test.describe.configure({ mode: 'serial' });
  let target: QemuTarget;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    target = await bootRaspi3b({ image: await ensureGuestImage({ progress: () => {} }) });
  });
  test.afterAll(async () => {
    await target?.close();
  });

  test('the plugin records a known guest write sequence: each store with its register, value and virtual time', async () => {
    const gpio = await target.sysfsNumber('GPIO17');
    const value = `/sys/class/gpio/gpio${gpio}/value`;
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction`);
    try {
      const recording = await target.record(['GPIO17']);
      await target.shell.check(`echo 1 > ${value}; usleep 50000; echo 0 > ${value}; usleep 20000; echo 1 > ${value}; echo 0 > ${value}`);
      const { capture, registerLog } = await recording.stop();
      // Exactly these stores, from a guest CPU, in order: nothing lost, nothing invented.
      expect(registerLog.map((e) => e.description)).toEqual([
        'GPSET0 ← 1<<17: GPIO17 latch high', 'GPCLR0 ← 1<<17: GPIO17 latch low',
        'GPSET0 ← 1<<17: GPIO17 latch high', 'GPCLR0 ← 1<<17: GPIO17 latch low',
      ]);
      expect(registerLog.every((e) => e.cpu >= 0 && e.cpu < 4)).toBe(true);
      const ns = registerLog.map((e) => e.ns);
      // The capture's edges are the stores' virtual times, in integer nanoseconds.
      expect(capture.source.samplerate).toBe(1e9);
      expect([...capture.waveform.channels[0]!.edges]).toEqual(ns);
      // usleep 50000 by the guest's clock, plus the shell's own instructions (well under a millisecond at 1 ns each).
      expect(ns[1]! - ns[0]!).toBeGreaterThanOrEqual(50_000_000);
      expect(ns[1]! - ns[0]!).toBeLessThan(51_000_000);
      expect(ns[2]! - ns[1]!).toBeGreaterThanOrEqual(20_000_000);
      expect(ns[3]! - ns[2]!).toBeLessThan(1_000_000);
    } finally {
      await target.shell.check(`echo ${gpio} > /sys/class/gpio/unexport`);
    }
  });

  test('an input driven at a stopped VM lands at the virtual time the fence read, and the guest reads it', async () => {
    const recording = await target.record(['GPIO18']);
    let timerAtDrive = 0;
    let timerLater = 0;
    const at = await target.probe.drive(18, 1, async () => {
      const { addr, value } = (target.model as Bcm2835Gpio).latchWrite(18, 1); // GPSET0 bit 18, as raspi drives inputs
      await target.qtest.writel(addr, value);
      timerAtDrive = await target.qtest.readl(SYSTEM_TIMER_CLO);
      await new Promise((resolve) => setTimeout(resolve, 50)); // host time passes; the stopped guest's does not
      timerLater = await target.qtest.readl(SYSTEM_TIMER_CLO);
    });
    expect(timerLater).toBe(timerAtDrive);
    // An independent witness of the same clock: QEMU's system timer counts virtual microseconds.
    expect(Math.floor(at / 1000) % 2 ** 32).toBe(timerAtDrive);
    expect((await target.shell.check('gpioget gpiochip0 18')).trim()).toBe('1');
    await target.drive('GPIO18', 0);
    const { capture, registerLog } = await recording.stop();
    const start = at - capture.waveform.channels[0]!.edges[0]!;
    expect(registerLog[0]).toEqual({ ns: at - start, cpu: -1, description: 'host drives GPIO18 high' });
    expect(capture.waveform.channels[0]!.edges).toHaveLength(2);
  });
});

test('a plugin that cannot load is an infrastructure failure naming the cause, and leaves no QEMU behind', async () => {
  test.setTimeout(60_000);
  const image = await ensureGuestImage({ progress: () => {} });
  const error = await bootRaspi3b({ image, plugin: '/usr/lib/x86_64-linux-gnu/libz.so.1' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TargetStartError);
  expect((error as Error).message).toMatch(/qemu-raspi3b did not come up/);
  expect((error as Error).message).toMatch(/libz\.so\.1/);
  expect((error as Error).message).toMatch(/qemu-system-aarch64 exited with status 1/);
  const left = spawnSync('pgrep', ['-f', 'libz\\.so\\.1,base=']).stdout.toString().trim();
  expect(left).toBe('');
});
