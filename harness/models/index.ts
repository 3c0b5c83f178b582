/** Register models by chip kind, as a target or a board profile names them. */
import { InputError } from '../errors.js';
import { Bcm2835Gpio } from './bcm2835.js';
import { Pl061Gpio } from './pl061.js';
import { Tegra234Gpio } from './tegra234.js';
import { TEGRA234_AON, TEGRA234_MAIN } from './tegra234-ports.js';
import type { RegisterModel } from './types.js';

export type ModelKind = 'bcm2835' | 'bcm2711' | 'pl061' | 'tegra234';

export interface ModelOptions {
  /**
   * MMIO base. Required for bcm2835, whose block sits at 0x20200000 on BCM2835 and 0x3f200000 on BCM2837 (raspi3b);
   * defaults: bcm2711 0xfe200000, pl061 0x09030000 (QEMU virt), tegra234 the controller's.
   */
  base?: number;
  /** tegra234 only, required there: the main controller (gpiochip0) or the always-on one (gpiochip1). */
  controller?: 'main' | 'aon';
}

const KINDS: readonly ModelKind[] = ['bcm2835', 'bcm2711', 'pl061', 'tegra234'];

export function modelFor(kind: ModelKind, options: ModelOptions = {}): RegisterModel {
  const where = `register model ${JSON.stringify(kind)}`;
  if (!KINDS.includes(kind)) throw new InputError(where, `unknown kind (known: ${KINDS.join(', ')})`);
  if (options.controller !== undefined && kind !== 'tegra234') throw new InputError(where, 'only tegra234 has a controller option');
  switch (kind) {
    case 'bcm2835':
      if (options.base === undefined) {
        throw new InputError(where, 'give the base: 0x20200000 on BCM2835, 0x3f200000 on BCM2837 (QEMU raspi3b)');
      }
      return new Bcm2835Gpio('bcm2835', options.base);
    case 'bcm2711':
      return new Bcm2835Gpio('bcm2711', options.base ?? 0xfe200000);
    case 'pl061':
      return new Pl061Gpio(options.base);
    case 'tegra234': {
      const layout = options.controller === 'main' ? TEGRA234_MAIN : options.controller === 'aon' ? TEGRA234_AON : undefined;
      if (!layout) throw new InputError(where, `controller must be 'main' or 'aon', got ${JSON.stringify(options.controller)}`);
      return new Tegra234Gpio(layout, options.base);
    }
  }
}

export { Bcm2835Gpio, type BcmChip } from './bcm2835.js';
export { Pl061Gpio } from './pl061.js';
export { Tegra234Gpio } from './tegra234.js';
export { TEGRA234_AON, TEGRA234_MAIN, type TegraLayout, type TegraPort } from './tegra234-ports.js';
export type { Direction, IgnoredWrite, Level, PinChange, RegisterModel, RegisterWrite } from './types.js';
