/**
 * The ESXi-on-Arm seed's bug: a GPFSEL write whose bit operations lost the register's previous value and so
 * clobbered other pins' functions. The BCM2835 model flags it as a warning; a correct read-modify-write is not flagged.
 */
import { test, expect } from '@playwright/test';
import { Bcm2835Gpio } from '../../harness/models/bcm2835.js';
import { writer } from './writes.js';

const BASE = 0x3f200000;
const GPFSEL1 = 0x04;

/** A model where GPIO14 and GPIO15 are the mini-UART's (alt5), as the raspi3b device tree leaves them. */
function withUartPins() {
  const model = new Bcm2835Gpio('bcm2835', BASE);
  const wr = writer(model);
  wr(GPFSEL1, 0x00012000);
  expect(model.warnings).toEqual([]);
  return { model, wr };
}

test('GPFSEL1 = output for GPIO10 alone (the previous value lost) is flagged, naming the clobbered UART pins', () => {
  const { model, wr } = withUartPins();
  const { mask, value } = model.functionField(10, 'output');
  expect(mask).toBe(7);
  wr(GPFSEL1, value, 2);
  expect(model.warnings).toHaveLength(1);
  const [{ write, warning }] = model.warnings;
  expect(write.t).toBe(2);
  expect(warning).toBe(
    'GPFSEL1 ← 0x00000001 sets GPIO10 → output but also changes GPIO14, GPIO15 → input (was alt5), pins it did not mean to touch: ' +
      'a lost read-modify-write? (GPFSEL1 held 0x00012000; a read-modify-write would write 0x00012001)',
  );
  // The hardware took the write as written: the UART pins are inputs now.
  expect(model.direction(14)).toBe('in');
  expect(model.direction(10)).toBe('out');
});

test('a mask with the wrong precedence (old & ~7 << 21) clears the lower fields too and is flagged', () => {
  const { model, wr } = withUartPins();
  const old = 0x00012000;
  wr(GPFSEL1, ((old & (~7 << 21)) | (1 << 21)) >>> 0); // meant: (old & ~(7 << 21)) | (1 << 21)
  expect(model.warnings.map((w) => w.warning)).toEqual([expect.stringContaining('sets GPIO17 → output but also changes GPIO14, GPIO15 → input (was alt5)')]);
});

test('a correct read-modify-write gives GPIO10 its function and no warning', () => {
  const { model, wr } = withUartPins();
  const { mask, value } = model.functionField(10, 'output');
  wr(GPFSEL1, ((model.read(BASE + GPFSEL1) & ~mask) | value) >>> 0);
  expect(model.warnings).toEqual([]);
  expect(model.direction(10)).toBe('out');
  expect(model.direction(14)).toBe('alt');
});

test('returning a pin to input on its own is a release, not a clobber', () => {
  const { model, wr } = withUartPins();
  wr(GPFSEL1, 0x00012001); // GPIO10 output, read-modify-write
  wr(GPFSEL1, 0x00012000); // GPIO10 back to input, read-modify-write
  wr(GPFSEL1, 0); // every pin of the register to input at once: a reset, meant as such
  expect(model.warnings).toEqual([]);
});

test('a lost read-modify-write over pins that were inputs already loses nothing and is not flagged', () => {
  const model = new Bcm2835Gpio('bcm2835', BASE);
  writer(model)(GPFSEL1, 1 << 21);
  expect(model.warnings).toEqual([]);
});
