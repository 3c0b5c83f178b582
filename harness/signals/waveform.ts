/**
 * A Waveform: per channel an initial level and its edges, on an exact integer timebase.
 * Times are integer ticks at `rate` ticks per second (the sample rate of a capture, or 1e9 for nanoseconds);
 * seconds are derived only for printing and for comparing across timebases, never summed.
 */
import { InputError } from '../errors.js';

export type Level = 0 | 1;

/** Sorted, strictly increasing tick positions at which the level toggles. */
export type Edges = Uint32Array | Float64Array | readonly number[];

export interface Channel {
  readonly name: string;
  readonly initial: Level;
  readonly edges: Edges;
}

export interface Waveform {
  /** Ticks per second. */
  readonly rate: number;
  /** Ticks covered: the waveform is defined on [0, length). */
  readonly length: number;
  readonly channels: readonly Channel[];
}

export const NANOSECONDS = 1e9;

/** Checks that edges are integer, strictly increasing and inside [1, length); names the channel that is not. */
export function makeWaveform(rate: number, length: number, channels: readonly Channel[], where = 'waveform'): Waveform {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new InputError(where, `rate must be a positive number of ticks per second, got ${rate}`);
  if (!Number.isInteger(length) || length < 0) throw new InputError(where, `length must be a whole number of ticks, got ${length}`);
  const names = new Set<string>();
  for (const ch of channels) {
    if (names.has(ch.name)) throw new InputError(where, `channel ${JSON.stringify(ch.name)} appears twice`);
    names.add(ch.name);
    let last = 0;
    for (let i = 0; i < ch.edges.length; i++) {
      const t = ch.edges[i]!;
      if (!Number.isInteger(t) || t <= last || t >= length) {
        throw new InputError(where, `channel ${ch.name}: edge ${i} at tick ${t} is not an integer after ${last} and before ${length}`);
      }
      last = t;
    }
  }
  return { rate, length, channels };
}

export function findChannel(waveform: Waveform, name: string): Channel {
  const ch = waveform.channels.find((c) => c.name === name);
  if (!ch) {
    throw new InputError(`channel ${JSON.stringify(name)}`, `not in this waveform (it has ${waveform.channels.map((c) => c.name).join(', ') || 'no channels'})`);
  }
  return ch;
}

/** Index of the first edge at or after `tick` (binary search). */
export function edgeIndexAt(edges: Edges, tick: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < tick) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The level of a channel at a tick (an edge at `tick` has already happened). */
export function levelAt(channel: Channel, tick: number): Level {
  const toggles = edgeIndexAt(channel.edges, tick + 1);
  return (channel.initial ^ (toggles & 1)) as Level;
}

/** The level a channel ends at. */
export function finalLevel(channel: Channel): Level {
  return (channel.initial ^ (channel.edges.length & 1)) as Level;
}

export function ticksToSeconds(waveform: Waveform, ticks: number): number {
  return ticks / waveform.rate;
}

export function durationSeconds(waveform: Waveform): number {
  return waveform.length / waveform.rate;
}
