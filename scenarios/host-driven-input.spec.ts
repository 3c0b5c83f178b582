import { test, expect, requires } from '../fixtures/index.js';

requires('inputs');

test('the host drives an input and the guest reads each level', async ({ target, gpio }) => {
  const input = await gpio.input('input');
  for (const level of [1, 0, 1, 0] as const) {
    await test.step(`host drives ${input.name} ${level ? 'high' : 'low'}`, () => target.drive(input.name, level));
    expect(await input.get(), `${input.name} as the guest reads it`).toBe(level);
  }
});

test('driving a pin the guest uses as an output is refused, naming the pin', async ({ target, gpio }) => {
  const output = await gpio.output('busy-output');
  await expect(target.drive(output.name, 1)).rejects.toThrow(new RegExp(`${output.name} is an output in the guest`));
});
