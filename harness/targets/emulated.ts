/** The emulated machines by target name: the one map the scenarios, grading and the benches choose from. */
import { raspi3b } from './qemu-raspi3b.js';
import { raspi4b } from './qemu-raspi4b.js';
import { virt } from './qemu-virt.js';

export const EMULATED = { 'qemu-raspi3b': raspi3b, 'qemu-raspi4b': raspi4b, 'qemu-virt': virt } as const;
export type EmulatedName = keyof typeof EMULATED;
