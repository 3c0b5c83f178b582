/**
 * Quantities as people write them in scenarios and as reports print them: '500us', '2 ms', '1.5kHz', '2%', '10 ppm'.
 * Parsing is decimal-exact where the result is an integer ('1.234567 MHz' is 1234567 Hz, not 1234566.9999).
 * Printing produces text that parses back to the same value.
 */
import { InputError } from '../errors.js';

export type Quantity =
  | { kind: 'time'; seconds: number }
  | { kind: 'frequency'; hertz: number }
  | { kind: 'ratio'; value: number };

const PREFIX: Record<string, number> = { p: -12, n: -9, u: -6, 'µ': -6, 'μ': -6, m: -3, '': 0, k: 3, K: 3, M: 6, G: 9 };
const QUANTITY = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([pnuµμmkKMG]?)(s|Hz|hz)\s*$|^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(%|ppm)\s*$/;

/** Multiplies a decimal string by 10^exp without binary rounding on the way (exact for integer results). */
function scaleDecimal(text: string, exp: number): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return Number.NaN;
  const [, sign, int = '', frac = '', e = '0'] = m;
  const shift = exp + Number(e) - frac.length;
  const digits = (int + frac).replace(/^0+(?=\d)/, '') || '0';
  if (shift >= 0) return Number(sign + digits + '0'.repeat(shift));
  const pad = digits.padStart(-shift + 1, '0');
  return Number(`${sign}${pad.slice(0, shift)}.${pad.slice(shift)}`);
}

export function parseQuantity(text: string, where = 'quantity'): Quantity {
  const m = QUANTITY.exec(text);
  if (!m) {
    throw new InputError(where, `cannot read ${JSON.stringify(text)} as a quantity (expected e.g. '500us', '2 ms', '1.5kHz', '2%', '10 ppm')`);
  }
  if (m[4] !== undefined) {
    return { kind: 'ratio', value: scaleDecimal(m[4], m[5] === '%' ? -2 : -6) };
  }
  const value = scaleDecimal(m[1]!, PREFIX[m[2]!]!);
  return m[3] === 's' ? { kind: 'time', seconds: value } : { kind: 'frequency', hertz: value };
}

function expectKind<K extends Quantity['kind']>(text: string, kind: K, where: string): Extract<Quantity, { kind: K }> {
  const q = parseQuantity(text, where);
  if (q.kind !== kind) throw new InputError(where, `${JSON.stringify(text)} is a ${q.kind}, expected a ${kind}`);
  return q as Extract<Quantity, { kind: K }>;
}

/** '500us' → 0.0005 (seconds). A bare number is taken as seconds. */
export function parseTime(text: string | number, where = 'time'): number {
  if (typeof text === 'number') return text;
  return /^\s*[\d.]+\s*$/.test(text) ? Number(text) : expectKind(text, 'time', where).seconds;
}

/** '1.5kHz' → 1500, '24 MHz' → 24000000. A bare number is taken as hertz. */
export function parseFrequency(text: string | number, where = 'frequency'): number {
  if (typeof text === 'number') return text;
  return /^\s*[\d.]+\s*$/.test(text) ? Number(text) : expectKind(text, 'frequency', where).hertz;
}

/** '2%' → 0.02, '10 ppm' → 0.00001. A bare number is taken as a fraction. */
export function parseRatio(text: string | number, where = 'ratio'): number {
  return usable(typeof text === 'number' ? text : expectKind(text, 'ratio', where).value, text, 'ratio', where);
}

/** A tolerance is relative ('2%', '10 ppm') or absolute ('5us', '10Hz'). */
export type Tolerance = { relative: number } | { absolute: number };

export function parseTolerance(text: string | number, where = 'tolerance'): Tolerance {
  if (typeof text === 'number') return { relative: usable(text, text, 'tolerance', where) };
  const q = parseQuantity(text, where);
  if (q.kind === 'ratio') return { relative: usable(q.value, text, 'tolerance', where) };
  return { absolute: usable(q.kind === 'time' ? q.seconds : q.hertz, text, 'tolerance', where) };
}

/**
 * A quantity a scenario gives as an expectation (a width, a frequency, a ratio, a tolerance) is finite and not
 * negative: '-5ms', '1e400s' (an overflow to Infinity), NaN or '-5%' are a bad argument, named as such, never a
 * measurement that fails to match. (Window bounds may be negative or infinite: they only clip.)
 */
export function usable(value: number, given: string | number, kind: string, where: string): number {
  const shown = typeof given === 'number' ? String(given) : JSON.stringify(given);
  if (Number.isNaN(value)) throw new InputError(where, `${shown} is not a number: give a ${kind} such as ${EXAMPLE[kind] ?? "'2%'"}`);
  if (!Number.isFinite(value)) throw new InputError(where, `${shown} is too large to be a ${kind}`);
  if (value < 0) throw new InputError(where, `${shown} is negative: a ${kind} here must be zero or more`);
  return value;
}

const EXAMPLE: Record<string, string> = { time: "'500us'", frequency: "'1.5kHz'", ratio: "'50%'", tolerance: "'2%' or '5us'" };

/** The allowed deviation from `expected` under a tolerance. */
export function allowance(expected: number, tolerance: Tolerance): number {
  return 'relative' in tolerance ? Math.abs(expected) * tolerance.relative : tolerance.absolute;
}

const PRINT_PREFIXES: Array<[number, string]> = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, ''], [1e-3, 'm'], [1e-6, 'u'], [1e-9, 'n'], [1e-12, 'p']];

function withPrefix(value: number, unit: string, digits: number): string {
  if (value === 0 || !Number.isFinite(value)) return `${value}${unit}`;
  const abs = Math.abs(value);
  const [scale, prefix] = PRINT_PREFIXES.find(([s]) => abs >= s * 0.9999999) ?? PRINT_PREFIXES[PRINT_PREFIXES.length - 1]!;
  return `${Number((value / scale).toPrecision(digits))}${prefix}${unit}`;
}

/** 0.0005 → '500us'; 1.25e-7 → '125ns'. */
export function formatTime(seconds: number, digits = 6): string {
  return withPrefix(seconds, 's', digits);
}

/** 1500 → '1.5kHz'. */
export function formatFrequency(hertz: number, digits = 6): string {
  return withPrefix(hertz, 'Hz', digits);
}

/** 0.02 → '2%'; below 0.1% as ppm: 0.00001 → '10ppm'. */
export function formatRatio(value: number, digits = 6): string {
  if (value !== 0 && Math.abs(value) < 0.001) return `${Number((value * 1e6).toPrecision(digits))}ppm`;
  return `${Number((value * 100).toPrecision(digits))}%`;
}

export function formatTolerance(tolerance: Tolerance, unit: 's' | 'Hz'): string {
  if ('relative' in tolerance) return formatRatio(tolerance.relative);
  return unit === 's' ? formatTime(tolerance.absolute) : formatFrequency(tolerance.absolute);
}

/**
 * Hz → a sample rate as sigrok writes it (.sr metadata, its VCD comment): the largest prefix that leaves a whole part,
 * the fraction exact ('1.234567 MHz').
 */
export function formatSamplerate(hz: number): string {
  if (!Number.isSafeInteger(hz) || hz <= 0) throw new InputError('samplerate', `sigrok writes a sample rate as a whole number of Hz, got ${hz}`);
  const [digits, unit] = ([[9, 'GHz'], [6, 'MHz'], [3, 'kHz']] as const).find(([d]) => hz >= 10 ** d) ?? [0, 'Hz'];
  const whole = Math.floor(hz / 10 ** digits);
  const fraction = String(hz - whole * 10 ** digits).padStart(digits, '0').replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} ${unit}`;
}
