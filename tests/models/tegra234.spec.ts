import { test, expect } from '@playwright/test';
import { InputError } from '../../harness/errors.js';
import { Tegra234Gpio } from '../../harness/models/tegra234.js';
import { TEGRA234_AON, TEGRA234_MAIN } from '../../harness/models/tegra234-ports.js';
import { at } from './writes.js';

const ENABLE_CONFIG = 0x00, DEBOUNCE_THRESHOLD = 0x04, INPUT = 0x08, OUTPUT_CONTROL = 0x0c, OUTPUT_VALUE = 0x10, INTERRUPT_CLEAR = 0x14;
const ENABLE = 1, OUT = 2, LEVEL = 1 << 2, SINGLE_EDGE = 2 << 2, DOUBLE_EDGE = 3 << 2, TRIGGER_HIGH = 1 << 4, INTERRUPT = 1 << 6;
const PN01 = 85; // gpiochip0 line of PN.01 (header pin 15)
const PORT_N_STATUS = 0x02212200 + 0x104; // INTERRUPT_STATUS(1) of port N (bank 2, port 1)

/** The main controller, with writes and reads addressed by pad and register. */
function main() {
  const model = new Tegra234Gpio(TEGRA234_MAIN);
  const wr = (pad: string, register: number, value: number, t = 0) => model.write(at(model.pinBase(pad) + register, 0, value, t));
  const rd = (pad: string, register: number) => model.read(model.pinBase(pad) + register);
  return { model, wr, rd };
}

test('the Orin AGX header pads sit at the addresses and lines registers.md derives', () => {
  const gpio = new Tegra234Gpio(TEGRA234_MAIN);
  const aon = new Tegra234Gpio(TEGRA234_AON);
  expect(['PN.01', 'PH.00', 'PP.04'].map((pad) => [gpio.pinBase(pad), gpio.line(pad)])).toEqual([
    [0x02212220, 85],
    [0x02214200, 43],
    [0x02212480, 96],
  ]);
  expect(['PBB.01', 'PBB.00'].map((pad) => [aon.pinBase(pad), aon.line(pad)])).toEqual([
    [0x0c2f1a20, 9],
    [0x0c2f1a00, 8],
  ]);
  expect([gpio.pinName(85), aon.pinName(9)]).toEqual(['PN.01', 'PBB.01']);
  expect([gpio.pinCount, aon.pinCount]).toEqual([164, 32]);
});

test('a write to 0x02212220 configures PN.01', () => {
  const gpio = new Tegra234Gpio(TEGRA234_MAIN);
  gpio.write(at(0x02212230, 0, 1)); // OUTPUT_VALUE of PN.01
  expect(gpio.write(at(0x02212220, 0, ENABLE | OUT))).toEqual([
    { pin: PN01, level: 1, t: 0, cause: 'PN.01 ENABLE_CONFIG: driving OUTPUT_VALUE high' },
  ]);
  expect(gpio.direction(PN01)).toBe('out');
});

test('a pin drives the line only with ENABLE, OUT and FLOATED=0', () => {
  const { model, wr } = main();
  wr('PN.01', OUTPUT_VALUE, 1);
  expect(wr('PN.01', ENABLE_CONFIG, OUT)).toEqual([]); // ENABLE=0: the pad belongs to its special function
  expect(model.direction(PN01)).toBe('alt');
  wr('PN.01', OUTPUT_CONTROL, 1);
  expect(wr('PN.01', ENABLE_CONFIG, ENABLE | OUT)).toEqual([]); // floated
  expect(model.direction(PN01)).toBe('in');
  expect(wr('PN.01', OUTPUT_CONTROL, 0, 1)).toEqual([{ pin: PN01, level: 1, t: 1, cause: 'PN.01 OUTPUT_CONTROL: driving OUTPUT_VALUE high' }]);
  expect(wr('PN.01', OUTPUT_CONTROL, 1, 2)).toEqual([
    { pin: PN01, level: 0, t: 2, cause: 'PN.01 OUTPUT_CONTROL: output floated, undriven, reads low' },
  ]);
});

test('INPUT reads the pad: a floated output reads what the outside drives', () => {
  const { model, wr, rd } = main();
  wr('PN.01', OUTPUT_CONTROL, 1);
  wr('PN.01', ENABLE_CONFIG, ENABLE | OUT);
  model.drive(PN01, 1, 0);
  expect(rd('PN.01', INPUT)).toBe(1);
  wr('PN.01', OUTPUT_CONTROL, 0); // driver on, OUTPUT_VALUE 0 wins over the outside
  expect(rd('PN.01', INPUT)).toBe(0);
});

test('INPUT is read-only and INTERRUPT_CLEAR reads 0', () => {
  const { model, wr, rd } = main();
  wr('PN.01', INPUT, 1);
  expect(model.ignored.map((i) => i.reason)).toEqual(['PN.01 INPUT is read-only']);
  wr('PN.01', INTERRUPT_CLEAR, 1);
  expect(rd('PN.01', INTERRUPT_CLEAR)).toBe(0);
});

test('a rising single-edge trigger latches INTERRUPT_STATUS(1) of the port; INTERRUPT_CLEAR clears it', () => {
  const { model, wr } = main();
  wr('PN.01', ENABLE_CONFIG, ENABLE | SINGLE_EDGE | TRIGGER_HIGH | INTERRUPT);
  model.drive(PN01, 1, 0);
  expect(model.read(PORT_N_STATUS)).toBe(1 << 1);
  expect(model.interrupt()).toBe(true);
  wr('PN.01', INTERRUPT_CLEAR, 1);
  expect(model.read(PORT_N_STATUS)).toBe(0);
  model.drive(PN01, 0, 1);
  expect(model.read(PORT_N_STATUS)).toBe(0);
  expect(model.interrupt()).toBe(false);
});

test('a falling single-edge trigger ignores the rising edge', () => {
  const { model, wr } = main();
  wr('PN.01', ENABLE_CONFIG, ENABLE | SINGLE_EDGE | INTERRUPT);
  model.drive(PN01, 1, 0);
  expect(model.read(PORT_N_STATUS)).toBe(0);
  model.drive(PN01, 0, 1);
  expect(model.read(PORT_N_STATUS)).toBe(1 << 1);
});

test('a double-edge trigger latches on both edges', () => {
  const { model, wr } = main();
  wr('PN.01', ENABLE_CONFIG, ENABLE | DOUBLE_EDGE | INTERRUPT);
  model.drive(PN01, 1, 0);
  expect(model.read(PORT_N_STATUS)).toBe(1 << 1);
  wr('PN.01', INTERRUPT_CLEAR, 1);
  model.drive(PN01, 0, 1);
  expect(model.read(PORT_N_STATUS)).toBe(1 << 1);
});

test('a high-level trigger latches again after a clear while the level lasts', () => {
  const { model, wr } = main();
  wr('PN.01', ENABLE_CONFIG, ENABLE | LEVEL | TRIGGER_HIGH | INTERRUPT);
  expect(model.read(PORT_N_STATUS)).toBe(0);
  model.drive(PN01, 1, 0);
  wr('PN.01', INTERRUPT_CLEAR, 1);
  expect(model.read(PORT_N_STATUS)).toBe(1 << 1);
  model.drive(PN01, 0, 1);
  wr('PN.01', INTERRUPT_CLEAR, 1);
  expect(model.read(PORT_N_STATUS)).toBe(0);
});

test('without the INTERRUPT bit no edge latches', () => {
  const { model, wr } = main();
  wr('PN.01', ENABLE_CONFIG, ENABLE | DOUBLE_EDGE);
  model.drive(PN01, 1, 0);
  expect(model.read(PORT_N_STATUS)).toBe(0);
  expect(model.interrupt()).toBe(false);
});

test('DEBOUNCE_THRESHOLD keeps its 8 bits', () => {
  const { wr, rd } = main();
  wr('PN.01', DEBOUNCE_THRESHOLD, 0x1ff);
  expect(rd('PN.01', DEBOUNCE_THRESHOLD)).toBe(0xff);
});

test('unmapped offsets are reported: a pin past its port, a port not listed, spare pin registers, other status registers', () => {
  const gpio = new Tegra234Gpio(TEGRA234_MAIN);
  const offsets = [0x0620, 0x0800, 0x2238, 0x2300];
  // port B (bank 0, port 3) has one pin; bank 0 has no port 4; 0x18 of a pin block; INTERRUPT_STATUS(0) of port N
  for (const offset of offsets) gpio.write(at(gpio.base, offset, 1));
  gpio.write(at(gpio.base, 0x6000, 1));
  expect(gpio.ignored.map((i) => i.reason)).toEqual([
    'unmapped offset 0x620',
    'unmapped offset 0x800',
    'unmapped offset 0x2238',
    'unmapped offset 0x2300',
    'outside the window 0x02210000-0x02215fff',
  ]);
  expect(() => gpio.read(gpio.base + 0x0800)).toThrow(InputError);
});

test('a pad that does not exist is an InputError naming it', () => {
  const gpio = new Tegra234Gpio(TEGRA234_MAIN);
  expect(() => gpio.line('PB.01')).toThrow('Tegra234 main GPIO at 0x02210000: no pad "PB.01"');
  expect(() => gpio.line('N.01')).toThrow(InputError);
  expect(() => gpio.line('PS.00')).toThrow(InputError);
});

test('a port list with two ports at one bank and port is an InputError', () => {
  const layout = { label: 'test', base: 0x1000, ports: [{ name: 'A', bank: 0, port: 0, pins: 8 }, { name: 'B', bank: 0, port: 0, pins: 2 }] };
  expect(() => new Tegra234Gpio(layout)).toThrow('test port 1 ("B"): clashes with port A (same name, or same bank 0 and port 0)');
});

test('describe() spells out ENABLE_CONFIG and the other pin registers', () => {
  const gpio = new Tegra234Gpio(TEGRA234_MAIN);
  const say = (offset: number, value: number) => gpio.describe(at(0x02212220, offset, value));
  expect(say(ENABLE_CONFIG, ENABLE | OUT)).toBe('PN.01 ENABLE_CONFIG ← 0x3: GPIO output, no trigger');
  expect(say(ENABLE_CONFIG, ENABLE | SINGLE_EDGE | TRIGGER_HIGH | INTERRUPT)).toBe(
    'PN.01 ENABLE_CONFIG ← 0x59: GPIO input, rising-edge trigger, interrupt enabled',
  );
  expect(say(ENABLE_CONFIG, 0)).toBe('PN.01 ENABLE_CONFIG ← 0x0: GPIO disabled (special function)');
  expect(say(OUTPUT_CONTROL, 1)).toBe('PN.01 OUTPUT_CONTROL ← 0x1: driver off (floated)');
  expect(say(OUTPUT_VALUE, 1)).toBe('PN.01 OUTPUT_VALUE ← 0x1: latch high');
  expect(say(DEBOUNCE_THRESHOLD, 10)).toBe('PN.01 DEBOUNCE_THRESHOLD ← 0xa: debounce 10 ms');
  expect(gpio.describe(at(PORT_N_STATUS, 0, 2))).toBe('port N INTERRUPT_STATUS(1) ← 0x2: read-only, no effect');
});
