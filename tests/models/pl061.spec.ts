import { test, expect } from '@playwright/test';
import { Pl061Gpio } from '../../harness/models/pl061.js';
import { at, reader, writer } from './writes.js';

const BASE = 0x09030000; // QEMU virt
const DIR = 0x400, IS = 0x404, IBE = 0x408, IEV = 0x40c, IE = 0x410, RIS = 0x414, MIS = 0x418, IC = 0x41c, AFSEL = 0x420;
/** The DATA address whose bits [9:2] are `mask`. */
const data = (mask: number) => mask << 2;

function pl061() {
  const model = new Pl061Gpio(BASE);
  return { model, wr: writer(model), rd: reader(model) };
}

test('a masked DATA write changes only the masked output lines', () => {
  const { model, wr } = pl061();
  wr(DIR, 0xff);
  expect(wr(data(0x03), 0xff).map((c) => [c.pin, c.level, c.cause])).toEqual([
    [0, 1, 'DATA bit 0 (mask 0x03)'],
    [1, 1, 'DATA bit 1 (mask 0x03)'],
  ]);
  expect(wr(data(0x01), 0x00).map((c) => c.pin)).toEqual([0]);
  expect([0, 1, 2].map((line) => model.level(line))).toEqual([0, 1, 0]);
});

test('a DATA write to an input line is dropped', () => {
  const { model, wr, rd } = pl061();
  wr(data(0x01), 0x01); // line 0 is still an input
  expect(rd(data(0x01))).toBe(0);
  expect(wr(DIR, 0x01)).toEqual([]);
  expect(model.level(0)).toBe(0);
  expect(wr(data(0x01), 0x01)).toEqual([{ pin: 0, level: 1, t: 0, cause: 'DATA bit 0 (mask 0x01)' }]);
});

test('a line that becomes an output drives the level it last read as an input', () => {
  const { model, wr, rd } = pl061();
  model.drive(6, 1, 0);
  expect(wr(DIR, 1 << 6)).toEqual([]);
  model.drive(6, 0, 1); // the outside lets go; the output keeps the line high
  expect([model.direction(6), model.level(6), rd(data(1 << 6))]).toEqual(['out', 1, 1 << 6]);
});

test('a masked DATA read returns only the masked lines', () => {
  const { wr, rd } = pl061();
  wr(DIR, 0xff);
  wr(data(0xff), 0xff);
  expect(rd(data(0x05))).toBe(0x05);
  expect(rd(data(0xff))).toBe(0xff);
  expect(rd(data(0x00))).toBe(0);
});

test('DATA reads an input line at the level driven from outside', () => {
  const { model, rd } = pl061();
  expect(model.drive(5, 1, 1)).toEqual([{ pin: 5, level: 1, t: 1, cause: 'line 5 driven high from outside' }]);
  expect(rd(data(0x20))).toBe(0x20);
  expect(rd(data(0xdf))).toBe(0);
});

test('an edge interrupt with IEV=1 fires on the rising edge only', () => {
  const { model, wr, rd } = pl061();
  wr(IEV, 1 << 2);
  wr(IE, 1 << 2);
  model.drive(2, 1, 0);
  expect(rd(RIS)).toBe(1 << 2);
  wr(IC, 1 << 2);
  model.drive(2, 0, 1);
  expect(rd(RIS)).toBe(0);
});

test('an edge interrupt with IEV=0 fires on the falling edge only', () => {
  const { model, wr, rd } = pl061();
  wr(IE, 1 << 2);
  model.drive(2, 1, 0);
  expect(rd(RIS)).toBe(0);
  model.drive(2, 0, 1);
  expect(rd(RIS)).toBe(1 << 2);
});

test('IBE=1 fires on both edges', () => {
  const { model, wr, rd } = pl061();
  wr(IBE, 1 << 3);
  model.drive(3, 1, 0);
  expect(rd(RIS)).toBe(1 << 3);
  wr(IC, 1 << 3);
  model.drive(3, 0, 1);
  expect(rd(RIS)).toBe(1 << 3);
});

test('a level interrupt (IS=1) is raised again after IC while the level lasts', () => {
  const { model, wr, rd } = pl061();
  wr(IEV, 1 << 4); // before IS: a low line with IS=1, IEV=0 would raise a low-level interrupt at once
  wr(IS, 1 << 4);
  expect(rd(RIS)).toBe(0);
  model.drive(4, 1, 0);
  expect(rd(RIS)).toBe(1 << 4);
  wr(IC, 1 << 4);
  expect(rd(RIS)).toBe(1 << 4);
  model.drive(4, 0, 1);
  wr(IC, 1 << 4);
  expect(rd(RIS)).toBe(0);
});

test('enabling a low-level interrupt (IS=1, IEV=0) on a low input raises it at once', () => {
  const { wr, rd } = pl061();
  wr(IS, 1 << 6);
  expect(rd(RIS)).toBe(1 << 6);
});

test('IC clears only the bits written 1', () => {
  const { model, wr, rd } = pl061();
  wr(IBE, 0x03);
  model.drive(0, 1, 0);
  model.drive(1, 1, 0);
  wr(IC, 0x01);
  expect(rd(RIS)).toBe(0x02);
});

test('MIS is RIS & IE, and the interrupt line follows MIS', () => {
  const { model, wr, rd } = pl061();
  wr(IBE, 0x01);
  model.drive(0, 1, 0);
  expect([rd(RIS), rd(MIS), model.interrupt()]).toEqual([0x01, 0, false]);
  wr(IE, 0x01); // unmasking shows the pending edge
  expect([rd(MIS), model.interrupt()]).toEqual([0x01, true]);
  wr(IC, 0x01);
  expect([rd(MIS), model.interrupt()]).toEqual([0, false]);
});

test('edges of an output line raise no interrupt: detection watches inputs', () => {
  const { model, wr, rd } = pl061();
  wr(IBE, 0x01);
  wr(DIR, 0x01);
  expect(wr(data(0x01), 0x01).map((c) => c.pin)).toEqual([0]);
  expect(rd(RIS)).toBe(0);
  expect(model.interrupt()).toBe(false);
});

test('RIS and MIS are read-only: writes are reported', () => {
  const { model, wr } = pl061();
  wr(RIS, 0xff);
  wr(MIS, 0xff);
  expect(model.ignored.map((i) => i.reason)).toEqual(['RIS is read-only', 'MIS is read-only']);
});

test('PeriphID0-3 and PCellID0-3 read 0x61 0x10 0x04 0x00 and 0x0D 0xF0 0x05 0xB1', () => {
  const { model, rd, wr } = pl061();
  const ids = Array.from({ length: 8 }, (_, i) => rd(0xfe0 + 4 * i));
  expect(ids).toEqual([0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  wr(0xfe0, 0);
  expect(rd(0xfe0)).toBe(0x61);
  expect(model.ignored.map((i) => i.reason)).toEqual(['identification register at 0xfe0 is read-only']);
});

test('byte writes are taken (Linux uses writeb); unaligned and unmapped writes are reported', () => {
  const { model, wr, rd } = pl061();
  wr(DIR, 0x81, 0, 1);
  expect(rd(DIR)).toBe(0x81);
  wr(DIR + 1, 0x01, 0, 1);
  wr(0x424, 1);
  expect(model.ignored.map((i) => i.reason)).toEqual(['unaligned offset 0x401', 'unmapped offset 0x424']);
});

test('AFSEL hands a line to its alternate function: the GPIO stops driving it', () => {
  const { model, wr } = pl061();
  wr(DIR, 0x01);
  wr(data(0x01), 0x01);
  expect(wr(AFSEL, 0x01)).toEqual([
    { pin: 0, level: 0, t: 0, cause: 'AFSEL: line 0 became an alternate function line, undriven, reads low' },
  ]);
  expect(model.direction(0)).toBe('alt');
});

test('describe() names the DATA mask and the lines a register write sets', () => {
  const { model } = pl061();
  const say = (offset: number, value: number) => model.describe(at(BASE, offset, value));
  expect(say(data(0x03), 0x01)).toBe('DATA[mask 0x03] ← 0x01: line 0 high, line 1 low (output lines only)');
  expect(say(DIR, 0x0f)).toBe('DIR ← 0x0f: line 0-3 output, the rest input');
  expect(say(IE, 1 << 2)).toBe('IE ← 1<<2: line 2 interrupt enabled, the rest masked');
  expect(say(IS, 0)).toBe('IS ← 0: all lines edge-sensitive');
  expect(say(0x424, 1)).toBe('0x09030424 ← 0x1: unmapped offset 0x424');
});
