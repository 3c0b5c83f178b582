import { test, expect } from '../fixtures/index.js';
import { controllerOf } from '../harness/targets/board-profile.js';
import { lacks } from '../harness/targets/target.js';

test('the host drives an input and the guest reads it through sysfs and gpioget', async ({ target }) => {
  test.skip(lacks(target, 'inputs') !== false, String(lacks(target, 'inputs')));
  const input = target.role('input');
  const gpio = await target.sysfsNumber(input.name);
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo in > /sys/class/gpio/gpio${gpio}/direction`);
  try {
    for (const level of [1, 0, 1, 0] as const) {
      await test.step(`host drives ${input.name} ${level ? 'high' : 'low'}`, () => target.drive(input.name, level));
      expect((await target.shell.check(`cat /sys/class/gpio/gpio${gpio}/value`)).trim(), 'sysfs value').toBe(String(level));
    }
  } finally {
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/unexport`);
  }
  for (const level of [1, 0] as const) {
    await target.drive(input.name, level);
    expect((await target.shell.check(`gpioget ${controllerOf(target.profile, input).chip} ${input.line}`)).trim(), 'gpioget').toBe(String(level));
  }
});

test('driving a pin the guest uses as an output is refused, naming the pin', async ({ target }) => {
  test.skip(lacks(target, 'inputs') !== false, String(lacks(target, 'inputs')));
  const output = target.role('busy-output').name;
  const gpio = await target.sysfsNumber(output);
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction`);
  try {
    await expect(target.drive(output, 1)).rejects.toThrow(new RegExp(`${output} is an output in the guest`));
  } finally {
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/unexport`);
  }
});
