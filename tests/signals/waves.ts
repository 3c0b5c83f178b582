/** Hand-built waveforms with known timing, shared by the signal and matcher tests. */
import { makeWaveform, type Edges, type Level, type Waveform } from '../../harness/signals/waveform.js';

export interface Square {
  /** Ticks from one rising edge to the next. */
  readonly period: number;
  /** Ticks high in each period. */
  readonly high: number;
  readonly periods: number;
  /** Tick of the first rising edge. */
  readonly first: number;
}

/** Edges of a square wave starting low: rise at first + k·period, fall `high` ticks later. */
export function squareEdges({ period, high, periods, first }: Square): number[] {
  const edges: number[] = [];
  for (let k = 0; k < periods; k++) edges.push(first + k * period, first + k * period + high);
  return edges;
}

/** A waveform from channel name → [initial level, edges]. */
export function wave(rate: number, length: number, channels: Record<string, readonly [Level, Edges]>): Waveform {
  return makeWaveform(rate, length, Object.entries(channels).map(([name, [initial, edges]]) => ({ name, initial, edges })));
}

/** A 1 kHz, 50% square wave: first rise at 0.5ms, ten periods, in a waveform of 11ms at `rate` ticks per second. */
export function kiloHertz(rate: number, name = 'D0'): Waveform {
  const ms = rate / 1000;
  return wave(rate, 11 * ms, { [name]: [0, squareEdges({ period: ms, high: ms / 2, periods: 10, first: ms / 2 })] });
}
