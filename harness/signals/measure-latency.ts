/**
 * Latency between two channels of one Waveform: how long after each edge of `from` the next edge of `to` follows,
 * for example an input pin and the output pin a driver mirrors it to.
 */
import { InputError } from '../errors.js';
import { parseTime } from './units.js';
import { edgeIndexAt, findChannel, type Waveform } from './waveform.js';
import { directionOf, edges, type Direction, type Edge, type TimeWindow } from './measure.js';
import { summarize, type Stats } from './measure-stats.js';

export type EdgeKind = Direction | 'any';

export interface LatencyOptions {
  /** Which edges of `from` to answer (default any). */
  readonly fromEdge?: EdgeKind;
  /** Which edges of `to` count as the answer (default any). */
  readonly toEdge?: EdgeKind;
  /** An answer later than this ('1ms') is no answer: the `from` edge goes to `unanswered`. */
  readonly max?: string | number;
  /** Only `from` edges in this window; their answers may fall after it. */
  readonly window?: TimeWindow;
}

export interface LatencyPair {
  readonly from: Edge;
  readonly to: Edge;
  readonly ticks: number;
  readonly seconds: number;
}

/** Latencies in seconds over the answered edges; `unanswered` lists `from` edges with no `to` edge (within max). */
export interface LatencyStats extends Stats {
  readonly from: string;
  readonly to: string;
  readonly pairs: readonly LatencyPair[];
  readonly unanswered: readonly Edge[];
}

/** Pairs each `from` edge with the first `to` edge of the chosen kind at or after it (several may share one). */
export function latency(waveform: Waveform, from: string, to: string, options: LatencyOptions = {}): LatencyStats {
  const target = findChannel(waveform, to);
  const toKind = options.toEdge ?? 'any';
  const maxSeconds = options.max === undefined ? Number.POSITIVE_INFINITY : parseTime(options.max, `latency ${from} → ${to} max`);
  if (maxSeconds < 0) throw new InputError(`latency ${from} → ${to}`, `max must not be negative, got ${options.max}`);
  const fromKind = options.fromEdge ?? 'any';
  const causes = edges(waveform, from, {
    window: options.window,
    ...(fromKind === 'any' ? {} : { direction: fromKind }),
  });
  const pairs: LatencyPair[] = [];
  const unanswered: Edge[] = [];
  for (const cause of causes) {
    let i = edgeIndexAt(target.edges, cause.tick);
    // Edges alternate, so the next edge of a given direction is at most one further on.
    if (i < target.edges.length && toKind !== 'any' && directionOf(target, i) !== toKind) i++;
    const tick = target.edges[i];
    if (tick === undefined || (tick - cause.tick) / waveform.rate > maxSeconds) {
      unanswered.push(cause);
      continue;
    }
    const answer: Edge = { index: i, direction: directionOf(target, i), tick, seconds: tick / waveform.rate };
    pairs.push({ from: cause, to: answer, ticks: tick - cause.tick, seconds: (tick - cause.tick) / waveform.rate });
  }
  return { from, to, ...summarize(pairs.map((p) => p.ticks), waveform.rate), pairs, unanswered };
}
