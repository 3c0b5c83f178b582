import type { RegisterModel, RegisterWrite } from '../../harness/models/types.js';

/** A 32-bit write at base + offset, stamped t (seconds), from a scenario. */
export function at(base: number, offset: number, value: number, t = 0, size: RegisterWrite['size'] = 4): RegisterWrite {
  return { t, addr: base + offset, value, size, source: 'scenario' };
}

/** Writes at offsets from the model's base: `wr(0x1c, 1 << 17)`. */
export function writer(model: RegisterModel) {
  return (offset: number, value: number, t = 0, size: RegisterWrite['size'] = 4) => model.write(at(model.base, offset, value, t, size));
}

/** Reads at an offset from the model's base. */
export function reader(model: RegisterModel) {
  return (offset: number) => model.read(model.base + offset);
}
