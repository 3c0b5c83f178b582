/**
 * Observed vs predicted waveform: per channel, the edges are matched in order and each observed edge must lie within
 * the tolerance of its predicted time. The two waveforms may have different timebases (a 24 MHz capture against a
 * model's nanoseconds): times are compared in seconds, each computed once from exact ticks.
 */
import { InputError } from '../errors.js';
import { formatRatio, formatTime, parseRatio, parseTime } from './units.js';
import { parseToleranceFor } from './measure-tolerance.js';
import { directionOf, type Direction } from './measure.js';
import type { Channel, Waveform } from './waveform.js';

/**
 * `absolute` ('50us') allows every edge that much either way; `relative` ('2%') allows a fraction of the predicted
 * interval before the edge (from the previous edge, or from time 0 for the first). Given both, they add up.
 * A single string is whichever of the two it reads as.
 */
export type CompareTolerance = string | number | { readonly absolute?: string | number; readonly relative?: string | number };

export interface CompareOptions {
  /** Default: exact (an edge must be at the very time predicted). */
  readonly tolerance?: CompareTolerance;
  /** Channels of the predicted waveform to compare; default all of them. */
  readonly channels?: readonly string[];
}

export type DifferenceKind = 'missing-channel' | 'initial-level' | 'edge-time' | 'missing-edge' | 'extra-edge';

export interface Difference {
  readonly channel: string;
  readonly kind: DifferenceKind;
  /** Seconds: where the difference starts, for markers on a diagram. */
  readonly at: number;
  /** The edge concerned (index from 0), for edge differences. */
  readonly edge?: number;
  readonly direction?: Direction;
  /** Seconds, for edge-time differences. */
  readonly expected?: number;
  readonly seen?: number;
  readonly allowed?: number;
  readonly message: string;
}

export interface ChannelComparison {
  readonly name: string;
  readonly ok: boolean;
  readonly expectedEdges: number;
  /** 0 when the channel is missing. */
  readonly seenEdges: number;
  /** Seconds, signed (late is positive): the largest deviation among the edges compared in order. */
  readonly worstDeviation: number;
  readonly difference?: Difference;
}

export interface Comparison {
  readonly ok: boolean;
  readonly channels: readonly ChannelComparison[];
  /** The earliest difference over all channels. */
  readonly firstDifference?: Difference;
  /** One line per channel that differs, earliest first; or what matched. */
  readonly message: string;
}

interface Allowance {
  readonly absolute: number;
  readonly relative: number;
}

function parseAllowance(tolerance: CompareTolerance | undefined): Allowance {
  const where = 'comparison tolerance';
  if (tolerance === undefined) return { absolute: 0, relative: 0 };
  if (typeof tolerance === 'object') {
    return {
      absolute: tolerance.absolute === undefined ? 0 : parseTime(tolerance.absolute, `${where} (absolute)`),
      relative: tolerance.relative === undefined ? 0 : parseRatio(tolerance.relative, `${where} (relative)`),
    };
  }
  const parsed = parseToleranceFor(tolerance, 's', where);
  return 'relative' in parsed ? { absolute: 0, relative: parsed.relative } : { absolute: parsed.absolute, relative: 0 };
}

/** ' ±50us', ' ±10us (2% of 500us)', ' ±60us (50us + 2% of 500us)'; nothing for an exact comparison. */
function describeAllowance(allowance: Allowance, interval: number, allowed: number): string {
  if (allowed === 0) return '';
  if (allowance.relative === 0) return ` ±${formatTime(allowed)}`;
  const share = `${formatRatio(allowance.relative)} of ${formatTime(interval)}`;
  const parts = allowance.absolute === 0 ? share : `${formatTime(allowance.absolute)} + ${share}`;
  return ` ±${formatTime(allowed)} (${parts})`;
}

const levelName = (level: number): string => (level === 1 ? 'high' : 'low');

function edgeWords(channel: Channel, index: number): string {
  return `edge ${index + 1} (${directionOf(channel, index)})`;
}

function compareChannel(observed: Waveform, seen: Channel, predicted: Waveform, wanted: Channel, allowance: Allowance): ChannelComparison {
  const name = wanted.name;
  const base = { name, expectedEdges: wanted.edges.length, seenEdges: seen.edges.length };
  if (seen.initial !== wanted.initial) {
    const message = `${name}: expected to start ${levelName(wanted.initial)}, starts ${levelName(seen.initial)}`;
    return { ...base, ok: false, worstDeviation: 0, difference: { channel: name, kind: 'initial-level', at: 0, message } };
  }
  let worstDeviation = 0;
  const common = Math.min(wanted.edges.length, seen.edges.length);
  let previous = 0;
  for (let i = 0; i < common; i++) {
    const expected = wanted.edges[i]! / predicted.rate;
    const at = seen.edges[i]! / observed.rate;
    const deviation = at - expected;
    if (Math.abs(deviation) > Math.abs(worstDeviation)) worstDeviation = deviation;
    const interval = expected - previous;
    previous = expected;
    const allowed = allowance.absolute + allowance.relative * interval;
    // A part in 10^12 of slack: a deviation equal to a decimal tolerance may differ from it in the last binary digit.
    if (Math.abs(deviation) <= allowed + 1e-12 * Math.max(expected, at)) continue;
    const how = `${formatTime(Math.abs(deviation))} ${deviation > 0 ? 'late' : 'early'}`;
    const message = `${name}: ${edgeWords(wanted, i)} expected at ${formatTime(expected)}${describeAllowance(allowance, interval, allowed)}, seen at ${formatTime(at)} (${how})`;
    const difference: Difference = { channel: name, kind: 'edge-time', at: Math.min(expected, at), edge: i, direction: directionOf(wanted, i), expected, seen: at, allowed, message };
    return { ...base, ok: false, worstDeviation, difference };
  }
  const counts = `expected ${wanted.edges.length} edges, saw ${seen.edges.length}`;
  if (wanted.edges.length > common) {
    const at = wanted.edges[common]! / predicted.rate;
    const message = `${name}: ${counts}; first missing: ${edgeWords(wanted, common)} at ${formatTime(at)}`;
    return { ...base, ok: false, worstDeviation, difference: { channel: name, kind: 'missing-edge', at, edge: common, direction: directionOf(wanted, common), expected: at, message } };
  }
  if (seen.edges.length > common) {
    const at = seen.edges[common]! / observed.rate;
    const message = `${name}: ${counts}; first extra: ${edgeWords(seen, common)} at ${formatTime(at)}`;
    return { ...base, ok: false, worstDeviation, difference: { channel: name, kind: 'extra-edge', at, edge: common, direction: directionOf(seen, common), seen: at, message } };
  }
  return { ...base, ok: true, worstDeviation };
}

function missingChannel(observed: Waveform, wanted: Channel): ChannelComparison {
  const has = observed.channels.map((c) => c.name).join(', ') || 'no channels';
  const message = `${wanted.name}: missing from the observed waveform (it has ${has})`;
  return {
    name: wanted.name,
    ok: false,
    expectedEdges: wanted.edges.length,
    seenEdges: 0,
    worstDeviation: 0,
    difference: { channel: wanted.name, kind: 'missing-channel', at: 0, message },
  };
}

function matchedLine(c: ChannelComparison): string {
  if (c.expectedEdges === 0) return `${c.name}: no edges, as expected`;
  const worst = c.worstDeviation === 0 ? 'all on time' : `worst ${formatTime(Math.abs(c.worstDeviation))} ${c.worstDeviation > 0 ? 'late' : 'early'}`;
  return `${c.name}: ${c.expectedEdges} edges as expected (${worst})`;
}

export function compareWaveforms(observed: Waveform, predicted: Waveform, options: CompareOptions = {}): Comparison {
  const allowance = parseAllowance(options.tolerance);
  const names = options.channels ?? predicted.channels.map((c) => c.name);
  if (names.length === 0) throw new InputError('comparison', 'no channels to compare: the predicted waveform has none');
  const channels = names.map((name) => {
    const wanted = predicted.channels.find((c) => c.name === name);
    if (!wanted) throw new InputError(`channel ${JSON.stringify(name)}`, 'not in the predicted waveform');
    const seen = observed.channels.find((c) => c.name === name);
    return seen ? compareChannel(observed, seen, predicted, wanted, allowance) : missingChannel(observed, wanted);
  });
  const differences = channels
    .flatMap((c) => (c.difference ? [c.difference] : []))
    .sort((a, b) => a.at - b.at);
  const firstDifference = differences[0];
  if (!firstDifference) return { ok: true, channels, message: channels.map(matchedLine).join('\n') };
  return { ok: false, channels, firstDifference, message: differences.map((d) => d.message).join('\n') };
}
