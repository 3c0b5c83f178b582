/**
 * Judgements of a recorded output pin for rubrics, with the waveform and the prediction it was held against.
 * Timing is judged on the median over many half-periods, with the spread reported: under TCG single intervals
 * spread by ±30% on a busy host while the median stays within 0.5% (grading.md), so "every interval within ±10%"
 * would fail correct work.
 */
import { pulses } from '../signals/measure.js';
import { formatRatio } from '../signals/units.js';
import { makeWaveform, type Waveform } from '../signals/waveform.js';
import { fail, pass, type Evidence, type Verdict } from './rubric.js';

export interface SquareWaveSpec {
  readonly channel: string;
  readonly halfPeriodMs: number;
  /** Relative tolerance on the median, e.g. 0.1. */
  readonly tolerance: number;
  /** Complete half-periods needed for a judgement (10 periods: 20). */
  readonly minHalfPeriods: number;
  /** Why the pin may show nothing, in the student's terms (e.g. 'GPIO17 is an input'), when known. */
  readonly silentBecause?: string;
}

const ms = (seconds: number): string => `${(seconds * 1000).toFixed(2)} ms`;

/** A square wave with the expected half-period, in phase with the first observed edge (or starting at 0). */
export function predictedSquareWave(observed: Waveform, channel: string, halfPeriodMs: number): Waveform {
  const seen = observed.channels.find((c) => c.name === channel)!;
  const half = Math.round((halfPeriodMs / 1000) * observed.rate);
  const first = seen.edges.length ? seen.edges[0]! : half;
  const edges: number[] = [];
  for (let tick = first; tick < observed.length; tick += half) edges.push(tick);
  return makeWaveform(observed.rate, observed.length, [{ name: channel, initial: seen.initial, edges }], 'prediction');
}

/** Low and silent: what a stopped pin shows. */
export function predictedLow(observed: Waveform, channel: string): Waveform {
  return makeWaveform(observed.rate, observed.length, [{ name: channel, initial: 0, edges: [] }], 'prediction');
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

/** Judges the median half-period, separately for the high and the low half, and reports the spread. */
export function judgeSquareWave(waveform: Waveform, spec: SquareWaveSpec, title: string): Verdict {
  const expected = spec.halfPeriodMs / 1000;
  const evidence: Evidence[] = [{ title, observed: waveform, predicted: predictedSquareWave(waveform, spec.channel, spec.halfPeriodMs) }];
  const want = `${spec.channel} toggling with a half-period of ${spec.halfPeriodMs} ms ± ${formatRatio(spec.tolerance)} (median over at least ${spec.minHalfPeriods} half-periods)`;
  const all = pulses(waveform, spec.channel, { level: 'any' });
  if (all.count < spec.minHalfPeriods) {
    const edges = waveform.channels.find((c) => c.name === spec.channel)!.edges.length;
    const why = edges === 0 && spec.silentBecause ? `; ${spec.silentBecause}` : '';
    const median = all.count ? ` (median ${ms(all.median)}, ${formatRatio(all.median / expected, 3)} of ${spec.halfPeriodMs} ms)` : '';
    const observed = `${edges} edge${edges === 1 ? '' : 's'} in ${ms(waveform.length / waveform.rate)}: ${all.count} complete half-periods${median}${why}`;
    return fail(want, observed, { evidence });
  }
  const widths = all.pulses.map((p) => p.width).sort((a, b) => a - b);
  const high = pulses(waveform, spec.channel, { level: 'high' });
  const low = pulses(waveform, spec.channel, { level: 'low' });
  const within = (value: number): boolean => Math.abs(value - expected) <= spec.tolerance * expected;
  const inside = widths.filter(within).length;
  const observed =
    `median ${ms(all.median)} over ${all.count} half-periods (high ${ms(high.median)}, low ${ms(low.median)}); ` +
    `spread ${ms(widths[0]!)}–${ms(widths[widths.length - 1]!)}, middle 80% ${ms(quantile(widths, 0.1))}–${ms(quantile(widths, 0.9))}; ` +
    `${formatRatio(inside / widths.length, 3)} of intervals within ± ${formatRatio(spec.tolerance)}`;
  const ok = within(high.median) && within(low.median);
  const note = ok ? undefined : `The median is ${formatRatio(all.median / expected, 3)} of the ${spec.halfPeriodMs} ms asked for.`;
  return ok ? pass(want, observed, { evidence }) : fail(want, observed, { evidence, ...(note ? { note } : {}) });
}

/** No edges and low: a stopped pin. */
export function judgeStoppedLow(waveform: Waveform, channel: string, level: 0 | 1, title: string): Verdict {
  const edges = waveform.channels.find((c) => c.name === channel)!.edges.length;
  const want = `${channel} stays low with no edges`;
  const observed = `${edges} edge${edges === 1 ? '' : 's'} in ${ms(waveform.length / waveform.rate)}, ending ${level ? 'high' : 'low'}`;
  const evidence = [{ title, observed: waveform, predicted: predictedLow(waveform, channel) }];
  return edges === 0 && level === 0 ? pass(want, observed, { evidence }) : fail(want, observed, { evidence });
}
