import { test, expect } from '@playwright/test';
import { InputError } from '../../harness/errors.js';
import { modelFor, type ModelKind } from '../../harness/models/index.js';

test('modelFor builds each kind at its documented base', () => {
  const models = [
    modelFor('bcm2835', { base: 0x3f200000 }),
    modelFor('bcm2711'),
    modelFor('pl061'),
    modelFor('tegra234', { controller: 'main' }),
    modelFor('tegra234', { controller: 'aon' }),
  ];
  expect(models.map((m) => [m.name, m.pinCount, m.size])).toEqual([
    ['BCM2835 GPIO at 0x3f200000', 54, 0xb4],
    ['BCM2711 GPIO at 0xfe200000', 58, 0xf4],
    ['PL061 GPIO at 0x09030000', 8, 0x1000],
    ['Tegra234 main GPIO at 0x02210000', 164, 0x6000],
    ['Tegra234 AON GPIO at 0x0c2f1000', 32, 0x1000],
  ]);
  expect(modelFor('bcm2835', { base: 0x20200000 }).base).toBe(0x20200000);
});

test('modelFor refuses what it cannot build, saying why', () => {
  expect(() => modelFor('bcm2835')).toThrow('register model "bcm2835": give the base: 0x20200000 on BCM2835, 0x3f200000 on BCM2837 (QEMU raspi3b)');
  expect(() => modelFor('tegra234')).toThrow(`register model "tegra234": controller must be 'main' or 'aon', got undefined`);
  expect(() => modelFor('pl061', { controller: 'main' })).toThrow('only tegra234 has a controller option');
  expect(() => modelFor('rp2040' as ModelKind)).toThrow('unknown kind (known: bcm2835, bcm2711, pl061, tegra234)');
  expect(() => modelFor('pl061', { base: 0x09030002 })).toThrow(InputError);
});
