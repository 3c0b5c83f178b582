import { test, expect, requiresBcmRegisters } from '../../fixtures/index.js';
import { Bcm2835Gpio } from '../../harness/models/bcm2835.js';

requiresBcmRegisters('the bug is a BCM2835/BCM2711 GPFSEL one');

// The seed's own bug: the GPFSEL value was built with bit operations that lost the register's previous value, so
// giving one pin its function took every other pin of the register back to input. On a board that is the UART
// console's pins (GPIO14/15, in GPFSEL1 with the LED pins); QEMU's UART goes on regardless.
test('the seed\'s bug: GPFSEL written without its previous value clobbers other pins, and the register log warns', async ({ target, registers }) => {
  const model = registers.model;
  if (!(model instanceof Bcm2835Gpio)) throw new Error(`${target.name}: a BCM2835/BCM2711 controller without a BCM2835 register model`);
  const data = target.role('led-data');
  const clock = target.role('led-clock');
  const field = model.functionField(data.line, 'output');
  const before = await registers.read(field.register);
  test.skip((before & ~field.mask) === 0, `${target.name}: no other pin of ${field.register} has a function to lose (${field.register} = ${before})`);

  await test.step(`the bug: ${field.register} ← ${data.name} output, built without reading ${field.register}`, () => registers.write(field.register, field.value));
  expect(await registers.read(field.register)).toBe(field.value); // the hardware took it as written
  expect(registers.warnings).toHaveLength(1);
  expect(registers.warnings[0]).toMatch(new RegExp(`^${field.register} ← .* sets ${data.name} → output but also changes GPIO\\d+.* → input \\(was alt\\d\\)`));
  expect(registers.log.filter((line) => line.includes('WARNING:'))).toHaveLength(1);

  await test.step(`put back what was lost: ${field.register} ← its old value with ${data.name} output`, () => registers.write(field.register, (before | field.value) >>> 0));
  await test.step(`the fix: ${clock.name} output by a read-modify-write`, () => registers.selectFunction(clock.name, 'output'));
  const clockField = model.functionField(clock.line, 'output');
  const others = ~(field.mask | clockField.mask) >>> 0;
  expect((await registers.read(field.register)) & others).toBe(before & others);
  expect(registers.warnings).toHaveLength(1); // neither the repair nor the read-modify-write is flagged
});
