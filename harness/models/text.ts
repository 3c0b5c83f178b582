/** How models write numbers and pin sets in describe() and in PinChange causes. */
import type { Level } from './types.js';

export function hex(value: number, digits = 1): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/** A bitmask as people read it: '0', '1<<17' for one bit, else hex at the register's width. */
export function mask(value: number, digits = 8): string {
  const bits = setBits(value);
  if (bits.length === 0) return '0';
  if (bits.length === 1) return `1<<${bits[0]}`;
  return hex(value >>> 0, digits);
}

/** Positions of the set bits, lowest first. */
export function setBits(value: number): number[] {
  const bits: number[] = [];
  for (let bit = 0; bit < 32; bit++) if ((value >>> bit) & 1) bits.push(bit);
  return bits;
}

/** [9,10,11,12,17,18] with prefix 'GPIO' → 'GPIO9-12, GPIO17, GPIO18': runs of three or more are shortened. */
export function pinList(pins: readonly number[], prefix: string): string {
  const parts: string[] = [];
  for (let i = 0; i < pins.length; ) {
    let j = i;
    while (j + 1 < pins.length && pins[j + 1] === pins[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${prefix}${pins[i]}-${pins[j]}`);
    else for (let k = i; k <= j; k++) parts.push(`${prefix}${pins[k]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

export function highLow(level: Level): string {
  return level ? 'high' : 'low';
}

/** Pins grouped by a label, in order of first appearance: 'GPIO17 → output, GPIO14-16 → alt0'. */
export function labelled(pins: readonly number[], label: (pin: number) => string, prefix: string): string {
  const groups = new Map<string, number[]>();
  for (const pin of pins) {
    const name = label(pin);
    groups.set(name, [...(groups.get(name) ?? []), pin]);
  }
  return [...groups].map(([name, members]) => `${pinList(members, prefix)} → ${name}`).join(', ');
}
