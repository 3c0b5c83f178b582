/**
 * The register file (/dev/gpio-regs from pinrig_regs.ko) in a real guest: one aligned 32-bit access per read or
 * write, and a clear refusal, naming the register or offset and the target, for anything else.
 */
import { test, expect } from '../../fixtures/index.js';
import type { Bcm2835Gpio } from '../../harness/models/bcm2835.js';
import { RegisterFileError } from '../../harness/targets/register-file.js';

async function refusal(attempt: Promise<unknown>): Promise<RegisterFileError> {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RegisterFileError);
  return error as RegisterFileError;
}

test('a register written through the file reads back, and GPLEV follows GPSET and GPCLR', async ({ target, registers }) => {
  const pin = target.role('blink');
  await registers.selectFunction(pin.name, 'output');
  const { register, mask, value } = (registers.model as Bcm2835Gpio).functionField(pin.line, 'output');
  expect((await registers.read(register)) & mask).toBe(value);
  await registers.set('GPSET0', 1 << pin.line);
  expect((await registers.read('GPLEV0') >>> pin.line) & 1).toBe(1);
  await registers.set('GPCLR0', 1 << pin.line);
  expect((await registers.read('GPLEV0') >>> pin.line) & 1).toBe(0);
  expect(registers.log.join('\n')).toContain(`GPSET0 ← 1<<${pin.line}: ${pin.name} latch high`);
});

test('an unaligned offset is refused with EINVAL, naming the register it falls in and the target', async ({ target, registers }) => {
  const error = await refusal(registers.raw.read(0x1e));
  expect(error.errno).toBe('EINVAL');
  expect(error.message).toBe(`${target.name}: /dev/gpio-regs refused the 4-byte read at offset 0x1e (inside GPSET0): EINVAL (Invalid argument)`);
});

test('an access of other than 4 bytes is refused with EINVAL and does not reach the controller', async ({ target, registers }) => {
  const pin = target.role('blink');
  await registers.selectFunction(pin.name, 'output');
  await registers.set('GPCLR0', 1 << pin.line);
  const error = await refusal(registers.raw.write(0x1c, 1 << (pin.line - 16), 2)); // the upper half of GPSET0
  expect(error.errno).toBe('EINVAL');
  expect(error.message).toContain('refused the 2-byte write at GPSET0 (offset 0x1c)');
  expect((await registers.read('GPLEV0') >>> pin.line) & 1).toBe(0);
});

test('offsets past the window are refused with ENXIO, naming the window and the target', async ({ target, registers }) => {
  const size = target.profile.controller.model === 'bcm2711' ? 0xf4 : 0xb4;
  const base = target.profile.controller.base.toString(16);
  for (const offset of [size, 0x1000]) {
    const error = await refusal(registers.raw.read(offset));
    expect(error.errno).toBe('ENXIO');
    expect(error.message).toBe(`${target.name}: /dev/gpio-regs refused the 4-byte read at offset 0x${offset.toString(16)} (past the 0x${size.toString(16)}-byte window at 0x${base}): ENXIO (No such device or address)`);
  }
  expect((await refusal(registers.raw.write(size, 0))).errno).toBe('ENXIO');
});

test('a refusal in a batch stops it there: the accesses before it were made and logged, the rest were not', async ({ target, registers }) => {
  const pin = target.role('blink');
  await registers.selectFunction(pin.name, 'output');
  await registers.set('GPCLR0', 1 << pin.line);
  const offset = (name: string) => (registers.model as Bcm2835Gpio).address(name) - registers.model.base;
  const [GPSET0, GPCLR0, GPLEV0] = ['GPSET0', 'GPCLR0', 'GPLEV0'].map(offset);
  const error = await refusal(registers.raw.batch([
    { kind: 'write', offset: GPSET0!, value: 1 << pin.line },
    { kind: 'read', offset: GPLEV0! },
    { kind: 'read', offset: 0x1000 },
    { kind: 'write', offset: GPCLR0!, value: 1 << pin.line },
  ]));
  expect(error.index).toBe(2);
  expect(error.reads.map((v) => (v >>> pin.line) & 1)).toEqual([1]);
  expect((await registers.read('GPLEV0') >>> pin.line) & 1).toBe(1); // the GPCLR0 after the refusal was not made
  expect(registers.log.join('\n')).toMatch(/REFUSED: the 4-byte read at offset 0x1000 \(past the 0x[0-9a-f]+-byte window at 0x[0-9a-f]+\): ENXIO/);
});

test('register names and values are checked on the host before anything reaches the guest', async ({ registers }) => {
  await expect(registers.read('GPFOO0')).rejects.toThrow(/has no register "GPFOO0"/);
  await expect(registers.read('GPLEV0; reboot')).rejects.toThrow(/"GPLEV0; reboot" is not a register name/);
  await expect(registers.write('GPFSEL1', 2 ** 32)).rejects.toThrow(/GPFSEL1: 4294967296 is not a 32-bit register value/);
  await expect(registers.set('GPFSEL1', 1)).rejects.toThrow(/GPFSEL1 is not a register where writing 1 acts/);
  expect(registers.log).toHaveLength(1); // only the line saying where the model started
});
