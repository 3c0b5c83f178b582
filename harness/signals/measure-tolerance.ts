/**
 * Expected values with a tolerance, as assertions state them: '500us ±2%' is the range 490us..510us.
 */
import { InputError } from '../errors.js';
import { allowance, formatFrequency, formatRatio, formatTime, formatTolerance, parseQuantity, usable, type Tolerance } from './units.js';

export type Unit = 's' | 'Hz' | 'ratio';

/** An accepted range around an expected value, with the words to print it. */
export interface Range {
  readonly expected: number;
  readonly low: number;
  readonly high: number;
  /** '500us ±2% (490us..510us)', or '500us' when the tolerance is zero. */
  readonly text: string;
}

function formatValue(value: number, unit: Unit): string {
  if (unit === 's') return formatTime(value);
  if (unit === 'Hz') return formatFrequency(value);
  return formatRatio(value);
}

/**
 * Reads a tolerance for a quantity in `unit`: a ratio ('2%', '10 ppm') or an amount of the same unit ('5us', '10Hz').
 * A bare number is a ratio. A tolerance in another unit ('5us' on a frequency) is an InputError.
 */
export function parseToleranceFor(text: string | number, unit: Unit, where: string): Tolerance {
  if (typeof text === 'number') return { relative: usable(text, text, 'tolerance', where) };
  const q = parseQuantity(text, where);
  if (q.kind === 'ratio') return { relative: usable(q.value, text, 'tolerance', where) };
  if (unit === 's' && q.kind === 'time') return { absolute: usable(q.seconds, text, 'tolerance', where) };
  if (unit === 'Hz' && q.kind === 'frequency') return { absolute: usable(q.hertz, text, 'tolerance', where) };
  const wanted = unit === 'ratio' ? "a ratio such as '2%'" : `a ratio such as '2%' or an amount in ${unit}`;
  throw new InputError(where, `tolerance ${JSON.stringify(text)} is a ${q.kind}; expected ${wanted}`);
}

export function rangeOf(expected: number, tolerance: Tolerance, unit: Unit): Range {
  const allowed = allowance(expected, tolerance);
  const low = expected - allowed;
  const high = expected + allowed;
  const value = formatValue(expected, unit);
  if (allowed === 0) return { expected, low, high, text: value };
  const tol = unit === 'ratio' ? formatRatio(allowed) : formatTolerance(tolerance, unit);
  return { expected, low, high, text: `${value} ±${tol} (${formatValue(low, unit)}..${formatValue(high, unit)})` };
}

/**
 * Whether `value` lies in [low, high]. Bounds are inclusive, with a slack of a part in 10^12 because a bound written
 * in decimal ('490us') and a value computed from ticks can differ in the last binary digit when they are equal.
 */
export function isWithin(value: number, low: number, high: number): boolean {
  const slack = 1e-12 * Math.max(Math.abs(low), Math.abs(high));
  return value >= low - slack && value <= high + slack;
}
