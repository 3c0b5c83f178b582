import { test, expect } from '../../fixtures/index.js';

// The emulated Raspberry Pi 4B (QEMU 10 raspi4b, BCM2711) in the harness's own run; the nightly runs every shared
// scenario on it as the qemu-raspi4b project.
test.use({ targetName: 'qemu-raspi4b' });

test('the guest sees the BCM2711 GPIO block: pinctrl-bcm2711 with 58 lines', async ({ target }) => {
  expect(target.model.name).toBe('BCM2711 GPIO at 0xfe200000');
  const chips = await target.shell.check('for c in /sys/class/gpio/gpiochip*; do echo "$(cat $c/label) $(cat $c/ngpio)"; done');
  expect(chips).toContain('pinctrl-bcm2711 58');
  expect(await target.sysfsNumber('GPIO17')).toBeGreaterThan(0);
});

test('a sysfs pulse on GPIO17 is GPSET0 then GPCLR0, timed in the guest\'s virtual time', async ({ target, analyzer }) => {
  const gpio = await target.sysfsNumber('GPIO17');
  const pin = `/sys/class/gpio/gpio${gpio}`;
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > ${pin}/direction`);
  try {
    const recording = await analyzer.record(['GPIO17'], 'raspi4b-pulse');
    await target.shell.check(`echo 1 > ${pin}/value; usleep 20000; echo 0 > ${pin}/value`);
    const capture = await recording.stop();
    expect(capture.registerLog.map((e) => e.description)).toEqual(['GPSET0 ← 1<<17: GPIO17 latch high', 'GPCLR0 ← 1<<17: GPIO17 latch low']);
    const [rise, fall] = capture.waveform.channels[0]!.edges;
    // usleep 20000 by the guest's clock, plus the shell's own instructions at 1 ns each.
    expect(fall! - rise!).toBeGreaterThanOrEqual(20_000_000);
    expect(fall! - rise!).toBeLessThan(21_000_000);
    expect(capture.qemuEvents!.GPIO17).toEqual([1, 0]);
  } finally {
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/unexport`);
  }
});

test('the host drives GPIO18 and the guest reads each level; the model agrees with QEMU after', async ({ target }) => {
  for (const level of [1, 0, 1, 0] as const) {
    await target.drive('GPIO18', level);
    expect((await target.shell.check('gpioget gpiochip0 18')).trim()).toBe(String(level));
  }
  expect(await target.modelDifferences!()).toEqual([]);
});
