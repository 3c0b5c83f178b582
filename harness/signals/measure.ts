/**
 * Timing measurements of one channel of a Waveform: edges, pulses, periods, frequency, duty cycle, jitter, edge counts
 * and glitches. All arithmetic is on integer ticks; results give ticks and seconds.
 *
 * Functions that describe what is there (edges, pulses, periods, edgeCount, glitches) return empty results with
 * count 0 on a channel without enough edges. Functions that are asked for one value (frequency, dutyCycle, jitter)
 * throw an InputError naming the channel when that value cannot exist.
 * `index` fields count from 0; messages count from 1 ("pulse 3" is the third), as a person reads them.
 */
import { InputError } from '../errors.js';
import { formatTime, parseTime } from './units.js';
import { edgeIndexAt, findChannel, type Channel, type Waveform } from './waveform.js';
import { NO_STATS, summarize, type Stats } from './measure-stats.js';

export type Direction = 'rising' | 'falling';
export type PulseLevel = 'high' | 'low';

/** A time range [start, end) in seconds ('2ms' or 0.002); a missing bound is the waveform's start or end. */
export interface TimeWindow {
  readonly start?: string | number;
  readonly end?: string | number;
}

export interface Edge {
  readonly index: number;
  readonly direction: Direction;
  readonly tick: number;
  readonly seconds: number;
}

/** A complete pulse: from one edge to the next. */
export interface Pulse {
  readonly index: number;
  readonly level: PulseLevel;
  readonly startTick: number;
  readonly endTick: number;
  readonly widthTicks: number;
  readonly start: number;
  readonly end: number;
  readonly width: number;
}

/** Pulse widths in seconds, and the pulses. */
export interface PulseStats extends Stats {
  readonly channel: string;
  readonly pulses: readonly Pulse[];
}

/** One period: from a rising edge to the next rising edge, with the high time in between. */
export interface Period {
  readonly index: number;
  readonly startTick: number;
  readonly endTick: number;
  readonly periodTicks: number;
  readonly highTicks: number;
  readonly start: number;
  readonly end: number;
  readonly period: number;
  readonly high: number;
  readonly dutyCycle: number;
}

/** Period lengths in seconds, the duty cycles (fractions) of the same periods, and the periods. */
export interface PeriodStats extends Stats {
  readonly channel: string;
  readonly dutyCycle: Stats;
  readonly periods: readonly Period[];
}

/** Period jitter in seconds: how much the periods differ from one another. */
export interface Jitter {
  readonly channel: string;
  readonly stdDev: number;
  readonly peakToPeak: number;
  readonly period: PeriodStats;
}

export interface EdgeCount {
  readonly channel: string;
  readonly rising: number;
  readonly falling: number;
  readonly total: number;
  /** The window counted, in seconds. */
  readonly start: number;
  readonly end: number;
}

/** Edge `index` goes up when the level before it is low; levels alternate from the initial one. */
export function directionOf(channel: Channel, index: number): Direction {
  return (channel.initial ^ (index & 1)) === 0 ? 'rising' : 'falling';
}

/**
 * The first tick at or after `seconds`, compared in seconds so that '2ms' at 24 MHz is exactly tick 48000.
 * Clamped to [0, length]: edges only lie inside, and it keeps the tick arithmetic finite.
 */
function tickAtOrAfter(waveform: Waveform, seconds: number): number {
  const { rate, length } = waveform;
  if (seconds <= 0) return 0;
  if (seconds >= length / rate) return length;
  let tick = Math.ceil(seconds * rate);
  while ((tick - 1) / rate >= seconds) tick--;
  while (tick / rate < seconds) tick++;
  return tick;
}

interface TickRange {
  readonly first: number;
  readonly end: number;
}

/** The window as ticks [first, end); an empty or inverted window is an InputError. */
export function windowTicks(waveform: Waveform, channel: string, window: TimeWindow = {}): TickRange {
  const where = `${channel} window`;
  const start = window.start === undefined ? 0 : parseTime(window.start, `${where} start`);
  const end = window.end === undefined ? waveform.length / waveform.rate : parseTime(window.end, `${where} end`);
  if (!(end > start)) throw new InputError(where, `ends (${formatTime(end)}) at or before it starts (${formatTime(start)})`);
  return { first: tickAtOrAfter(waveform, start), end: tickAtOrAfter(waveform, end) };
}

/** Indices [from, to) of the channel's edges inside the window. */
function edgeRange(waveform: Waveform, channel: Channel, window: TimeWindow | undefined): { from: number; to: number } {
  const ticks = windowTicks(waveform, channel.name, window);
  return { from: edgeIndexAt(channel.edges, ticks.first), to: edgeIndexAt(channel.edges, ticks.end) };
}

export function edges(waveform: Waveform, channel: string, options: { window?: TimeWindow; direction?: Direction } = {}): Edge[] {
  const ch = findChannel(waveform, channel);
  const { from, to } = edgeRange(waveform, ch, options.window);
  const found: Edge[] = [];
  for (let i = from; i < to; i++) {
    const direction = directionOf(ch, i);
    if (options.direction !== undefined && direction !== options.direction) continue;
    const tick = ch.edges[i]!;
    found.push({ index: i, direction, tick, seconds: tick / waveform.rate });
  }
  return found;
}

export function edgeCount(waveform: Waveform, channel: string, options: { window?: TimeWindow } = {}): EdgeCount {
  const ch = findChannel(waveform, channel);
  const ticks = windowTicks(waveform, channel, options.window);
  const from = edgeIndexAt(ch.edges, ticks.first);
  const total = edgeIndexAt(ch.edges, ticks.end) - from;
  // Edges alternate, so the direction of the first one decides which kind gets the odd one out.
  const firstRising = total > 0 && directionOf(ch, from) === 'rising';
  const rising = firstRising ? Math.ceil(total / 2) : Math.floor(total / 2);
  return {
    channel,
    rising,
    falling: total - rising,
    total,
    start: ticks.first / waveform.rate,
    end: ticks.end / waveform.rate,
  };
}

function pulseAt(waveform: Waveform, ch: Channel, index: number): Pulse {
  const startTick = ch.edges[index]!;
  const endTick = ch.edges[index + 1]!;
  return {
    index,
    level: directionOf(ch, index) === 'rising' ? 'high' : 'low',
    startTick,
    endTick,
    widthTicks: endTick - startTick,
    start: startTick / waveform.rate,
    end: endTick / waveform.rate,
    width: (endTick - startTick) / waveform.rate,
  };
}

function pulseStats(waveform: Waveform, channel: string, list: Pulse[]): PulseStats {
  return { channel, ...summarize(list.map((p) => p.widthTicks), waveform.rate), pulses: list };
}

/**
 * Complete pulses of one level (default high) whose two edges both lie in the window; the level before the first edge
 * and after the last is not a pulse, since its width is unknown.
 */
export function pulses(
  waveform: Waveform,
  channel: string,
  options: { level?: PulseLevel | 'any'; window?: TimeWindow } = {},
): PulseStats {
  const ch = findChannel(waveform, channel);
  const level = options.level ?? 'high';
  const { from, to } = edgeRange(waveform, ch, options.window);
  const list: Pulse[] = [];
  for (let i = from; i + 1 < to; i++) {
    const pulse = pulseAt(waveform, ch, i);
    if (level === 'any' || pulse.level === level) list.push(pulse);
  }
  return pulseStats(waveform, channel, list);
}

/** Pulses of either level narrower than `minWidth` ('100ns'): spikes a real signal should not have. */
export function glitches(waveform: Waveform, channel: string, minWidth: string | number, options: { window?: TimeWindow } = {}): PulseStats {
  const limit = parseTime(minWidth, `${channel} glitch width`);
  const all = pulses(waveform, channel, { level: 'any', window: options.window });
  return pulseStats(waveform, channel, all.pulses.filter((p) => p.width < limit));
}

/** Periods from rising edge to rising edge, all three edges (rise, fall, rise) inside the window. */
export function periods(waveform: Waveform, channel: string, options: { window?: TimeWindow } = {}): PeriodStats {
  const ch = findChannel(waveform, channel);
  const { from, to } = edgeRange(waveform, ch, options.window);
  const list: Period[] = [];
  const firstRising = directionOf(ch, from) === 'rising' ? from : from + 1;
  for (let i = firstRising; i + 2 < to; i += 2) {
    const startTick = ch.edges[i]!;
    const endTick = ch.edges[i + 2]!;
    const highTicks = ch.edges[i + 1]! - startTick;
    const periodTicks = endTick - startTick;
    list.push({
      index: list.length,
      startTick,
      endTick,
      periodTicks,
      highTicks,
      start: startTick / waveform.rate,
      end: endTick / waveform.rate,
      period: periodTicks / waveform.rate,
      high: highTicks / waveform.rate,
      dutyCycle: highTicks / periodTicks,
    });
  }
  if (list.length === 0) return { channel, ...NO_STATS, dutyCycle: NO_STATS, periods: list };
  return {
    channel,
    ...summarize(list.map((p) => p.periodTicks), waveform.rate),
    dutyCycle: summarize(list.map((p) => p.dutyCycle)),
    periods: list,
  };
}

/**
 * Periods for `what`, throwing when there are too few to give it; n rising edges in a window always bound n - 1
 * periods, as a falling edge lies between any two rising ones.
 */
function periodsFor(waveform: Waveform, channel: string, window: TimeWindow | undefined, needed: number, what: string): PeriodStats {
  const stats = periods(waveform, channel, { window });
  if (stats.count >= needed) return stats;
  const { rising, start, end } = edgeCount(waveform, channel, { window });
  const span = window === undefined ? '' : ` between ${formatTime(start)} and ${formatTime(end)}`;
  const counted = `${rising} rising edge${rising === 1 ? '' : 's'}${span}`;
  throw new InputError(channel, `${counted}, but ${what} needs ${needed + 1} (${needed === 1 ? 'one period' : `${needed} periods`}, rising to rising)`);
}

/** Mean frequency in hertz: the number of periods over the time they span. */
export function frequency(waveform: Waveform, channel: string, options: { window?: TimeWindow } = {}): number {
  const stats = periodsFor(waveform, channel, options.window, 1, 'a frequency');
  return 1 / stats.mean;
}

/** Mean duty cycle (0..1) over the complete periods. */
export function dutyCycle(waveform: Waveform, channel: string, options: { window?: TimeWindow } = {}): number {
  const stats = periodsFor(waveform, channel, options.window, 1, 'a duty cycle');
  return stats.dutyCycle.mean;
}

/** Period jitter; needs two periods, since one period cannot differ from another. */
export function jitter(waveform: Waveform, channel: string, options: { window?: TimeWindow } = {}): Jitter {
  const stats = periodsFor(waveform, channel, options.window, 2, 'jitter');
  // From ticks rather than max - min in seconds, so that 1010us - 990us is exactly 20us.
  let shortest = Number.POSITIVE_INFINITY;
  let longest = 0;
  for (const p of stats.periods) {
    shortest = Math.min(shortest, p.periodTicks);
    longest = Math.max(longest, p.periodTicks);
  }
  return { channel, stdDev: stats.stdDev, peakToPeak: (longest - shortest) / waveform.rate, period: stats };
}
