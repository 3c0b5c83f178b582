/**
 * The APA102 LED the seed's Fan SHIM carries: a two-wire, SPI-like part (clock and data, MSB first, data taken on the
 * rising clock edge). A frame for one LED is a start frame of 32 zero bits, the LED frame (0b111 and a 5-bit global
 * brightness, then blue, green, red) and an end frame of 32 one bits.
 */
import type { RegisterBatch } from '../../fixtures/index.js';

export interface Colour {
  /** Global brightness, 0-31. */
  readonly brightness: number;
  readonly red: number;
  readonly green: number;
  readonly blue: number;
}

/** The bytes of a one-LED frame, in the order they go on the wire. */
export function apa102Frame({ brightness, red, green, blue }: Colour): number[] {
  if (!Number.isInteger(brightness) || brightness < 0 || brightness > 31) throw new Error(`APA102 brightness ${brightness}: 0 to 31`);
  for (const [name, value] of Object.entries({ red, green, blue })) {
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new Error(`APA102 ${name} ${value}: 0 to 255`);
  }
  return [0, 0, 0, 0, 0xe0 | brightness, blue, green, red, 0xff, 0xff, 0xff, 0xff];
}

/**
 * Bit-bangs bytes through GPSET0/GPCLR0, MSB first: data is set while the clock is low (written only when it changes,
 * as a bit-banger does), then the clock rises (the LED takes the bit) and falls. Clock and data are pins of bank 0.
 */
export function clockOut(batch: RegisterBatch, bytes: readonly number[], pins: { clock: number; data: number }): void {
  let data: number | undefined;
  for (const byte of bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      const level = (byte >> bit) & 1;
      if (level !== data) batch.set(level ? 'GPSET0' : 'GPCLR0', 1 << pins.data);
      data = level;
      batch.set('GPSET0', 1 << pins.clock);
      batch.set('GPCLR0', 1 << pins.clock);
    }
  }
}
