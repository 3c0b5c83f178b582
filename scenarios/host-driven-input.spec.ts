import { test, expect } from '../fixtures/index.js';
import { lacks } from '../harness/targets/target.js';

test('the host drives GPIO18 and the guest reads it through sysfs and gpioget', async ({ target }) => {
  test.skip(lacks(target, 'inputs') !== false, String(lacks(target, 'inputs')));
  const gpio = await target.sysfsNumber('GPIO18');
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo in > /sys/class/gpio/gpio${gpio}/direction`);
  try {
    for (const level of [1, 0, 1, 0] as const) {
      await test.step(`host drives GPIO18 ${level ? 'high' : 'low'}`, () => target.drive('GPIO18', level));
      expect((await target.shell.check(`cat /sys/class/gpio/gpio${gpio}/value`)).trim(), 'sysfs value').toBe(String(level));
    }
  } finally {
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/unexport`);
  }
  for (const level of [1, 0] as const) {
    await target.drive('GPIO18', level);
    expect((await target.shell.check('gpioget gpiochip0 18')).trim(), 'gpioget').toBe(String(level));
  }
});

test('driving a pin the guest uses as an output is refused, naming the pin', async ({ target }) => {
  const gpio = await target.sysfsNumber('GPIO23');
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction`);
  try {
    await expect(target.drive('GPIO23', 1)).rejects.toThrow(/GPIO23 is an output in the guest/);
  } finally {
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/unexport`);
  }
});
