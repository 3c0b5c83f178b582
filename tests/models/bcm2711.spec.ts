import { test, expect } from '@playwright/test';
import { Bcm2835Gpio } from '../../harness/models/bcm2835.js';
import { at, reader, writer } from './writes.js';

const BASE = 0xfe200000;
const GPFSEL5 = 0x14, GPSET1 = 0x20, GPLEV1 = 0x38, GPPUD = 0x94, GPPUDCLK0 = 0x98;
const PUP_PDN_CNTRL_REG0 = 0xe4, PUP_PDN_CNTRL_REG1 = 0xe8;
const RESET = [0xaaa95555, 0xa0aaaaaa, 0x50aaa95a, 0x00055555];

function bcm2711() {
  const model = new Bcm2835Gpio('bcm2711', BASE);
  return { model, wr: writer(model), rd: reader(model) };
}

test('58 pins: GPIO57 is field 7 of GPFSEL5 and bit 25 of bank 1', () => {
  const { model, wr, rd } = bcm2711();
  expect(model.pinCount).toBe(58);
  wr(GPFSEL5, 1 << 21);
  expect(wr(GPSET1, 1 << 25)).toEqual([{ pin: 57, level: 1, t: 0, cause: 'GPSET1 bit 25' }]);
  expect(rd(GPLEV1) >>> 25).toBe(1);
});

test('the pull registers read their reset values, and undriven inputs read the pulls they hold', () => {
  const { model, rd } = bcm2711();
  expect([0, 4, 8, 12].map((i) => rd(PUP_PDN_CNTRL_REG0 + i))).toEqual(RESET);
  expect([model.level(8), model.level(9), model.level(57)]).toEqual([1, 0, 1]); // up, down, up
});

test('GPIO_PUP_PDN_CNTRL_REG1 sets the pull of an undriven input at the write', () => {
  const { model, wr, rd } = bcm2711();
  const up17 = ((RESET[1]! & ~(3 << 2)) | (1 << 2)) >>> 0; // GPIO17 is pin 1 of REG1: code 1 = pull-up
  expect(wr(PUP_PDN_CNTRL_REG1, up17, 2)).toEqual([
    { pin: 17, level: 1, t: 2, cause: 'GPIO_PUP_PDN_CNTRL_REG1: GPIO17 pull-up holds it high' },
  ]);
  expect(rd(PUP_PDN_CNTRL_REG1)).toBe(up17);
  expect(model.drive(17, 0, 3).map((c) => c.level)).toEqual([0]); // a driven pin ignores the pull
});

test('no GPPUD/GPPUDCLK: the BCM2835 pull sequence is reported as unmapped and changes no pull', () => {
  const { model, wr } = bcm2711();
  wr(GPPUD, 2);
  expect(wr(GPPUDCLK0, 1 << 17)).toEqual([]);
  expect(model.level(17)).toBe(0);
  expect(model.ignored.map((i) => i.reason)).toEqual(['unmapped offset 0x94', 'unmapped offset 0x98']);
});

test('the window is 0xF4 bytes: 0xb8 is unmapped inside it, 0xf4 is outside', () => {
  const { model, wr } = bcm2711();
  wr(0xb8, 1);
  wr(0xf4, 1);
  expect(model.ignored.map((i) => i.reason)).toEqual(['unmapped offset 0xb8', 'outside the window 0xfe200000-0xfe2000f3']);
});

test('describe() lists the pulls a GPIO_PUP_PDN_CNTRL write sets', () => {
  const { model } = bcm2711();
  expect(model.describe(at(BASE, PUP_PDN_CNTRL_REG0, RESET[0]!))).toBe(
    'GPIO_PUP_PDN_CNTRL_REG0 ← 0xaaa95555: GPIO0-8 → pull-up, GPIO9-15 → pull-down',
  );
  expect(model.describe(at(BASE, PUP_PDN_CNTRL_REG1, RESET[1]!))).toBe(
    'GPIO_PUP_PDN_CNTRL_REG1 ← 0xa0aaaaaa: GPIO16-27, GPIO30, GPIO31 → pull-down, GPIO28, GPIO29 → no pull',
  );
});
