import { test, expect } from '@playwright/test';
import { InputError } from '../../harness/errors.js';
import { modelFor } from '../../harness/models/index.js';
import type { RegisterWrite } from '../../harness/models/types.js';

// Malformed input is the caller's mistake, not the guest's: every model refuses it with an InputError, where the
// hardware's own refusals (unmapped offsets, read-only registers) go to `ignored` instead.
const models = () => [
  modelFor('bcm2835', { base: 0x3f200000 }),
  modelFor('bcm2711'),
  modelFor('pl061'),
  modelFor('tegra234', { controller: 'aon' }),
];

test('a write whose value does not fit its size is an InputError naming the model and the write', () => {
  for (const model of models()) {
    const bad: RegisterWrite = { t: 2, addr: model.base, value: 0x100, size: 1, source: 'mmio-log' };
    expect(() => model.write(bad)).toThrow(`${model.name}: mmio-log write at t=2: value 256 does not fit in 1 byte`);
    expect(() => model.describe(bad)).toThrow(InputError);
  }
});

test('a write with a size other than 1, 2 or 4, a negative address or no time is an InputError', () => {
  for (const model of models()) {
    const good: RegisterWrite = { t: 0, addr: model.base, value: 0, size: 4, source: 'scenario' };
    expect(() => model.write({ ...good, size: 3 as 4 })).toThrow('size must be 1, 2 or 4 bytes, got 3');
    expect(() => model.write({ ...good, addr: -4 })).toThrow('address must be a non-negative integer, got -4');
    expect(() => model.write({ ...good, t: Number.NaN })).toThrow('t must be a finite number of seconds');
    expect(model.ignored).toEqual([]);
  }
});

test('driving a pin that does not exist, or to a level that is not 0, 1 or null, is an InputError', () => {
  for (const model of models()) {
    expect(() => model.drive(model.pinCount, 1, 0)).toThrow(`${model.name}: pin ${model.pinCount} does not exist (pins 0-${model.pinCount - 1})`);
    expect(() => model.drive(0, 2 as 1, 0)).toThrow('expected 0, 1 or null');
    expect(() => model.level(-1)).toThrow(InputError);
  }
});

test('a read outside the window or off a 4-byte boundary is an InputError', () => {
  for (const model of models()) {
    expect(() => model.read(model.base + model.size)).toThrow(`${model.name}: cannot read`);
    expect(() => model.read(model.base + 2)).toThrow('not a 4-byte aligned address in the window');
  }
});
