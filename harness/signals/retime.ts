/**
 * Re-expresses a Waveform on another timebase: each tick goes to the nearest tick at the new rate (halves up),
 * in exact integer arithmetic. Reading a VCD (ticks of its $timescale) as samples, or writing samples at 24 MHz
 * on a power-of-ten timescale, must not drift by a tick because of binary fractions.
 */
import { InputError } from '../errors.js';
import { makeWaveform, type Channel, type Waveform } from './waveform.js';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** from/to rates as a reduced fraction of integers: to/from = up/down. */
function ratio(from: number, to: number, where: string): { up: number; down: number } {
  // Timescales of 10 s and up give fractional rates (0.1 ticks per second): scale both until whole.
  for (let scale = 1; scale <= 1e15; scale *= 10) {
    const a = from * scale;
    const b = to * scale;
    if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
      const g = gcd(a, b);
      return { up: b / g, down: a / g };
    }
  }
  throw new InputError(where, `cannot convert exactly between rates ${from} and ${to}`);
}

/** round(tick * up / down), exact. */
function scaleTick(tick: number, up: number, down: number): number {
  const x = tick * up;
  if (Number.isSafeInteger(x)) {
    let q = Math.floor(x / down);
    let r = x - q * down;
    // The float division may land one off when x/down is within an ulp of a whole number.
    if (r < 0) [q, r] = [q - 1, r + down];
    else if (r >= down) [q, r] = [q + 1, r - down];
    return 2 * r >= down ? q + 1 : q;
  }
  const big = BigInt(tick) * BigInt(up);
  const d = BigInt(down);
  return Number((2n * big + d) / (2n * d));
}

export function retime(waveform: Waveform, rate: number, where = 'waveform'): Waveform {
  const { up, down } = ratio(waveform.rate, rate, where);
  const length = scaleTick(waveform.length, up, down);
  if (!Number.isSafeInteger(length)) throw new InputError(where, `${waveform.length} ticks at rate ${waveform.rate} are more than 2^53 ticks at rate ${rate}`);
  const channels: Channel[] = waveform.channels.map((ch) => {
    const edges = length > 0xffffffff ? new Float64Array(ch.edges.length) : new Uint32Array(ch.edges.length);
    let last = 0;
    for (let i = 0; i < ch.edges.length; i++) {
      const t = scaleTick(ch.edges[i]!, up, down);
      if (t <= last || t >= length) {
        const clash = t <= last ? `not after tick ${last} (the edge before it, or the start)` : `not before the end (${length})`;
        throw new InputError(where, `channel ${ch.name}: edge at tick ${ch.edges[i]} at rate ${waveform.rate} falls on tick ${t} at rate ${rate}, ${clash}`);
      }
      edges[i] = t;
      last = t;
    }
    return { name: ch.name, initial: ch.initial, edges };
  });
  return makeWaveform(rate, length, channels, where);
}

/**
 * The waveform as an analyzer sampling at `rate` would store it: each edge moves to the first sample at or after it,
 * and a pulse shorter than one sample, whose two edges land on the same sample, is lost (as on a real analyzer).
 * For writing sample files (.sr) of captures on a finer timebase; measurements use the exact waveform.
 */
export function sampleAt(waveform: Waveform, rate: number, where = 'waveform'): Waveform {
  const { up, down } = ratio(waveform.rate, rate, where);
  const ceilTick = (tick: number) => Number((BigInt(tick) * BigInt(up) + BigInt(down) - 1n) / BigInt(down));
  const length = Math.max(1, ceilTick(waveform.length));
  const channels: Channel[] = waveform.channels.map((ch) => {
    const edges: number[] = [];
    for (let i = 0; i < ch.edges.length; i++) {
      const t = Math.max(1, ceilTick(ch.edges[i]!));
      if (edges.length && edges[edges.length - 1]! >= t) edges.pop(); // two edges on one sample cancel out
      else if (t < length) edges.push(t);
    }
    return { name: ch.name, initial: ch.initial, edges };
  });
  return makeWaveform(rate, length, channels, where);
}
