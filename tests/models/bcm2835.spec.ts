import { test, expect } from '@playwright/test';
import { InputError } from '../../harness/errors.js';
import { Bcm2835Gpio } from '../../harness/models/bcm2835.js';
import { at, reader, writer } from './writes.js';

const BASE = 0x3f200000; // BCM2837 on QEMU raspi3b
const GPFSEL0 = 0x00, GPFSEL1 = 0x04, GPFSEL4 = 0x10, GPFSEL5 = 0x14;
const GPSET0 = 0x1c, GPSET1 = 0x20, GPCLR0 = 0x28, GPCLR1 = 0x2c, GPLEV0 = 0x34, GPLEV1 = 0x38, GPEDS0 = 0x40;
const GPREN0 = 0x4c, GPFEN0 = 0x58, GPHEN0 = 0x64, GPLEN0 = 0x70, GPAREN0 = 0x7c, GPAFEN0 = 0x88;
const GPPUD = 0x94, GPPUDCLK0 = 0x98;
const GPIO17_OUT = 1 << 21; // GPFSEL1 field 7
const GPIO18_OUT = 1 << 24; // GPFSEL1 field 8

function bcm2835() {
  const model = new Bcm2835Gpio('bcm2835', BASE);
  return { model, wr: writer(model), rd: reader(model) };
}

test('GPFSEL1 makes GPIO17 an output; GPSET0 drives it high', () => {
  const { model, wr, rd } = bcm2835();
  expect(wr(GPFSEL1, GPIO17_OUT)).toEqual([]); // latch low, and the reset pull-down held it low already
  expect(model.direction(17)).toBe('out');
  expect(rd(GPFSEL1)).toBe(GPIO17_OUT);
  expect(wr(GPSET0, 1 << 17, 1.5)).toEqual([{ pin: 17, level: 1, t: 1.5, cause: 'GPSET0 bit 17' }]);
  expect(model.level(17)).toBe(1);
});

test('a latch written while the pin is an input takes effect at the GPFSEL write that makes it an output', () => {
  const { model, wr } = bcm2835();
  // Linux (gpioset) writes GPSET before GPFSEL: the pin moves at the GPFSEL write, not before.
  expect(wr(GPSET0, 1 << 17, 1)).toEqual([]);
  expect(model.level(17)).toBe(0);
  expect(wr(GPFSEL1, GPIO17_OUT, 2)).toEqual([
    { pin: 17, level: 1, t: 2, cause: 'GPFSEL1: GPIO17 became an output with latch high' },
  ]);
});

test('GPSET and GPCLR zero bits do nothing', () => {
  const { model, wr } = bcm2835();
  wr(GPFSEL1, GPIO17_OUT | GPIO18_OUT);
  wr(GPSET0, (1 << 17) | (1 << 18));
  expect(wr(GPCLR0, 1 << 17)).toEqual([{ pin: 17, level: 0, t: 0, cause: 'GPCLR0 bit 17' }]);
  expect(model.level(18)).toBe(1);
  expect(wr(GPSET0, 0)).toEqual([]);
  expect(wr(GPCLR0, 0)).toEqual([]);
  expect([model.level(17), model.level(18)]).toEqual([0, 1]);
});

test('GPLEV0 reflects each pin level: output latch, outside drive, or reset pull', () => {
  const { model, wr, rd } = bcm2835();
  expect(rd(GPLEV0)).toBe(0x1ff); // GPIO0-8 reset with pull-ups, the rest of bank 0 pulled down or floating
  wr(GPFSEL1, GPIO17_OUT);
  wr(GPSET0, 1 << 17);
  model.drive(22, 1, 0);
  model.drive(3, 0, 0);
  expect(rd(GPLEV0)).toBe((0x1ff & ~(1 << 3)) | (1 << 17) | (1 << 22));
});

test('GPLEV is read-only: a write to it is reported and changes nothing', () => {
  const { model, wr, rd } = bcm2835();
  expect(wr(GPLEV0, 0xffffffff)).toEqual([]);
  expect(rd(GPLEV0)).toBe(0x1ff);
  expect(model.ignored.map((i) => i.reason)).toEqual(['GPLEV0 is read-only']);
});

test('write-only GPSET and GPCLR read 0, whatever was written', () => {
  const { wr, rd } = bcm2835();
  wr(GPFSEL1, GPIO17_OUT);
  wr(GPSET0, 1 << 17);
  wr(GPCLR0, 1 << 18);
  expect([rd(GPSET0), rd(GPCLR0), rd(GPSET1), rd(GPCLR1)]).toEqual([0, 0, 0, 0]);
});

test('a rising edge on a driven input sets GPEDS where GPREN enables it; writing 1 to GPEDS clears it', () => {
  const { model, wr, rd } = bcm2835();
  wr(GPREN0, 1 << 22);
  model.drive(23, 1, 0);
  expect(rd(GPEDS0)).toBe(0);
  model.drive(22, 1, 0);
  expect(rd(GPEDS0)).toBe(1 << 22);
  expect(model.interrupt()).toBe(true);
  wr(GPEDS0, 1 << 5); // a zero bit for GPIO22 leaves its event
  expect(rd(GPEDS0)).toBe(1 << 22);
  wr(GPEDS0, 1 << 22);
  expect(rd(GPEDS0)).toBe(0);
  expect(model.interrupt()).toBe(false);
});

test('a falling edge sets GPEDS only where GPFEN enables it, not on the rising edge', () => {
  const { model, wr, rd } = bcm2835();
  wr(GPFEN0, 1 << 22);
  model.drive(22, 1, 0);
  expect(rd(GPEDS0)).toBe(0);
  model.drive(22, 0, 1);
  expect(rd(GPEDS0)).toBe(1 << 22);
});

test('asynchronous GPAREN and GPAFEN set GPEDS on their edges too', () => {
  const { model, wr, rd } = bcm2835();
  wr(GPAREN0, 1 << 24);
  wr(GPAFEN0, 1 << 25);
  model.drive(24, 1, 0);
  model.drive(25, 1, 0);
  expect(rd(GPEDS0)).toBe(1 << 24);
  model.drive(25, 0, 1);
  expect(rd(GPEDS0)).toBe((1 << 24) | (1 << 25));
});

test('GPHEN: a high level sets GPEDS, and sets it again after a clear while the level lasts', () => {
  const { model, wr, rd } = bcm2835();
  wr(GPHEN0, 1 << 22);
  expect(rd(GPEDS0)).toBe(0);
  model.drive(22, 1, 0);
  expect(rd(GPEDS0)).toBe(1 << 22);
  wr(GPEDS0, 1 << 22);
  expect(rd(GPEDS0)).toBe(1 << 22);
  model.drive(22, 0, 1);
  wr(GPEDS0, 1 << 22);
  expect(rd(GPEDS0)).toBe(0);
});

test('GPLEN on a pin that is already low sets GPEDS at the enabling write', () => {
  const { wr, rd } = bcm2835();
  wr(GPLEN0, 1 << 22); // GPIO22 resets with a pull-down
  expect(rd(GPEDS0)).toBe(1 << 22);
  expect(rd(GPLEN0)).toBe(1 << 22);
});

test('GPPUD then GPPUDCLK0 sets the pull an undriven input reads, and the pull stays after the clock is removed', () => {
  const { model, wr } = bcm2835();
  expect(model.level(17)).toBe(0); // reset pull-down
  expect(wr(GPPUD, 2)).toEqual([]);
  expect(wr(GPPUDCLK0, 1 << 17, 3)).toEqual([
    { pin: 17, level: 1, t: 3, cause: 'GPPUDCLK0 bit 17 clocked GPPUD into the pad: pull-up holds it high' },
  ]);
  wr(GPPUD, 0);
  expect(wr(GPPUDCLK0, 0)).toEqual([]);
  expect(model.level(17)).toBe(1);
  wr(GPPUD, 1);
  expect(wr(GPPUDCLK0, 1 << 17).map((c) => c.level)).toEqual([0]);
});

test('GPPUD alone changes no pad, and its reserved value 3 is reported', () => {
  const { model, wr, rd } = bcm2835();
  wr(GPPUD, 2);
  expect(model.level(17)).toBe(0);
  expect(rd(GPPUD)).toBe(2);
  wr(GPPUD, 3);
  expect(rd(GPPUD)).toBe(2);
  expect(model.ignored.map((i) => i.reason)).toEqual(['GPPUD ← 3 is reserved (0 off, 1 pull-down, 2 pull-up)']);
});

test('a driven input ignores its pull; released, it returns to the pull level', () => {
  const { model } = bcm2835();
  expect(model.drive(4, 0, 1)).toEqual([{ pin: 4, level: 0, t: 1, cause: 'GPIO4 driven low from outside' }]);
  expect(model.drive(4, null, 2)).toEqual([{ pin: 4, level: 1, t: 2, cause: 'GPIO4 released from outside, pull-up holds it high' }]);
});

test('an output ignores outside drive until it becomes an input again', () => {
  const { model, wr } = bcm2835();
  wr(GPFSEL1, GPIO17_OUT);
  expect(model.drive(17, 1, 0)).toEqual([]);
  expect(model.level(17)).toBe(0);
  expect(wr(GPFSEL1, 0)).toEqual([{ pin: 17, level: 1, t: 0, cause: 'GPFSEL1: GPIO17 became an input, driven high from outside' }]);
});

test('an alternate function releases the pin from the GPIO latch', () => {
  const { model, wr } = bcm2835();
  wr(GPFSEL1, GPIO17_OUT);
  wr(GPSET0, 1 << 17);
  expect(wr(GPFSEL1, 4 << 21)).toEqual([{ pin: 17, level: 0, t: 0, cause: 'GPFSEL1: GPIO17 became alt0, pull-down holds it low' }]);
  expect(model.direction(17)).toBe('alt');
});

test('bank 1: GPIO40 through GPFSEL4, GPSET1, GPCLR1 and GPLEV1', () => {
  const { model, wr, rd } = bcm2835();
  const pulledUp = 0x3fc01c; // GPIO34-36 and GPIO46-53 reset with pull-ups
  expect(rd(GPLEV1)).toBe(pulledUp);
  wr(GPFSEL4, 1); // GPIO40 is field 0 of GPFSEL4
  expect(model.direction(40)).toBe('out');
  expect(wr(GPSET1, 1 << 8)).toEqual([{ pin: 40, level: 1, t: 0, cause: 'GPSET1 bit 8' }]);
  expect(rd(GPLEV1)).toBe(pulledUp | (1 << 8));
  expect(wr(GPCLR1, 1 << 8)).toEqual([{ pin: 40, level: 0, t: 0, cause: 'GPCLR1 bit 8' }]);
  expect(rd(GPLEV0) & 0xff).toBe(0xff); // bank 0 untouched
});

test('registers keep only the pins the chip has: GPFSEL5 holds GPIO50-53, GPSET1 bits past GPIO53 are dropped', () => {
  const { model, wr, rd } = bcm2835();
  wr(GPFSEL5, 0x09249249); // every field 1 (output)
  expect(rd(GPFSEL5)).toBe(0x249);
  wr(GPSET1, 0xffffffff);
  expect(rd(GPLEV1)).toBe(0x3fc01c | (0xf << 18)); // GPIO50-53 outputs high, the rest as pulled
  expect(model.pinCount).toBe(54);
});

test('a write to an unmapped offset is reported as such, and so is one outside the 0xB4-byte window', () => {
  const { model, wr } = bcm2835();
  expect(wr(0xa0, 1)).toEqual([]);
  expect(wr(0xb8, 1)).toEqual([]);
  model.write(at(0x3f300000, 0, 1));
  expect(model.ignored.map((i) => i.reason)).toEqual([
    'unmapped offset 0xa0',
    'outside the window 0x3f200000-0x3f2000b3',
    'outside the window 0x3f200000-0x3f2000b3',
  ]);
  expect(model.ignored[0]!.write).toEqual(at(BASE, 0xa0, 1));
});

test('writes narrower than 32 bits are reported and change nothing', () => {
  const { model, wr } = bcm2835();
  wr(GPFSEL1, GPIO17_OUT);
  expect(wr(GPSET0, 0x02, 0, 1)).toEqual([]);
  expect(wr(GPSET0, 0x0002, 0, 2)).toEqual([]);
  expect(model.level(17)).toBe(0);
  expect(model.ignored.map((i) => i.reason)).toEqual([
    '1-byte write; these registers take 4-byte writes',
    '2-byte write; these registers take 4-byte writes',
  ]);
});

test('reading an unmapped offset is an InputError naming it', () => {
  const { rd } = bcm2835();
  expect(() => rd(0xa0)).toThrow(InputError);
  expect(() => rd(0xa0)).toThrow('BCM2835 GPIO at 0x3f200000: cannot read 0x3f2000a0: unmapped offset 0xa0');
});

test('describe() says what a write means, from the write alone', () => {
  const { model } = bcm2835();
  const say = (offset: number, value: number) => model.describe(at(BASE, offset, value));
  expect(say(GPFSEL1, GPIO17_OUT)).toBe('GPFSEL1 ← 0x00200000: GPIO17 → output');
  expect(say(GPFSEL1, 0)).toBe('GPFSEL1 ← 0x00000000: GPIO10-19 → input');
  expect(say(GPFSEL1, (4 << 12) | (4 << 15) | GPIO17_OUT)).toBe('GPFSEL1 ← 0x00224000: GPIO14, GPIO15 → alt0, GPIO17 → output');
  expect(say(GPSET0, 1 << 17)).toBe('GPSET0 ← 1<<17: GPIO17 latch high');
  expect(say(GPSET0, (1 << 17) | (1 << 18))).toBe('GPSET0 ← 0x00060000: GPIO17, GPIO18 latch high');
  expect(say(GPCLR1, 0xf << 8)).toBe('GPCLR1 ← 0x00000f00: GPIO40-43 latch low');
  expect(say(GPREN0, 1 << 22)).toBe('GPREN0 ← 1<<22: rising-edge detect on GPIO22 only');
  expect(say(GPEDS0, 1 << 22)).toBe('GPEDS0 ← 1<<22: clear the events of GPIO22');
  expect(say(GPPUD, 2)).toBe('GPPUD ← 2: pull-up for the pads GPPUDCLK clocks next');
  expect(say(GPPUDCLK0, 0)).toBe('GPPUDCLK0 ← 0: clock off');
  expect(say(0xb0, 1)).toBe('0x3f2000b0 ← 0x1: unmapped offset 0xb0');
  expect(say(0xb8, 1)).toBe('0x3f2000b8 ← 0x1: outside the window 0x3f200000-0x3f2000b3');
  expect(model.ignored).toEqual([]); // describing writes nothing
});

test('GPFSEL0 output with GPCLR0 first: a pulled-up input falls at the GPFSEL write', () => {
  const { model, wr } = bcm2835();
  expect(wr(GPCLR0, 1 << 4)).toEqual([]);
  expect(model.level(4)).toBe(1);
  expect(wr(GPFSEL0, 1 << 12)).toEqual([{ pin: 4, level: 0, t: 0, cause: 'GPFSEL0: GPIO4 became an output with latch low' }]);
});

test('register addresses by name, and the GPSET/GPCLR write that drives one pin (how QEMU\'s BCM2835 takes inputs)', () => {
  const model = new Bcm2835Gpio('bcm2835', BASE);
  expect(model.address('GPFSEL2')).toBe(0x3f200008);
  expect(model.address('GPLEV1')).toBe(0x3f200038);
  expect(model.latchWrite(18, 1)).toEqual({ addr: 0x3f20001c, value: 1 << 18 });
  expect(model.latchWrite(40, 0)).toEqual({ addr: 0x3f20002c, value: 1 << 8 });
  expect(model.latchWrite(31, 1).value).toBe(0x80000000);
  expect(() => model.address('GPFOO0')).toThrow('no register "GPFOO0"');
  expect(() => model.latchWrite(54, 1)).toThrow();
});
