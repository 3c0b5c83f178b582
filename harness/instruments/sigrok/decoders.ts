/**
 * The decoders pinrig scenarios use, with their annotations read into typed events. Times come from the sample
 * numbers (exact), not from the decoder's printed text (rounded: '16.0 μs').
 */
import { InputError } from '../../errors.js';
import { parseRatio } from '../../signals/units.js';
import { decode, type Annotation, type DecoderSpec } from './decode.js';
import { inputPath, inspect, type DecodeInput, type InputInfo } from './inspect.js';
import type { RunOptions } from './process.js';

type Channel = string | number;
type Settings = Readonly<Record<string, string | number>>;

function hex(annotation: Annotation, where: string): number {
  if (!/^[0-9A-Fa-f]+$/.test(annotation.text)) throw new InputError(where, `expected a hex number at samples ${annotation.start}-${annotation.end}, got ${JSON.stringify(annotation.text)}`);
  return parseInt(annotation.text, 16);
}

/** The file's sample rate, which interval lengths need. */
async function rated(input: DecodeInput, options: RunOptions): Promise<{ info: InputInfo; samplerate: number }> {
  const info = await inspect(input, options);
  if (!info.samplerate) throw new InputError(inputPath(input), 'has no sample rate (for -I binary give one: binary:numchannels=8:samplerate=N)');
  return { info, samplerate: info.samplerate };
}

export interface UartOptions {
  readonly channel: Channel;
  readonly baudrate: number;
  /** Which decoder line the channel is (default rx). */
  readonly line?: 'rx' | 'tx';
  /** More uart decoder options: data_bits, parity, stop_bits, bit_order, invert_rx, ... */
  readonly options?: Settings;
}

export interface UartByte extends Annotation {
  readonly data: number;
}

export async function uart(input: DecodeInput, uartOptions: UartOptions, options: RunOptions = {}): Promise<UartByte[]> {
  const line = uartOptions.line ?? 'rx';
  const spec = { id: 'uart', channels: { [line]: uartOptions.channel }, options: { baudrate: uartOptions.baudrate, ...uartOptions.options, format: 'hex' } };
  const found = await decode(input, spec, `uart=${line}-data`, options);
  return found.map((a) => ({ ...a, data: hex(a, inputPath(input)) }));
}

export interface SpiOptions {
  readonly clk: Channel;
  readonly mosi?: Channel;
  readonly miso?: Channel;
  readonly cs?: Channel;
  /** cpol, cpha, bitorder, wordsize, cs_polarity. */
  readonly options?: Settings;
}

/** One word, with what each data line carried during it. */
export interface SpiWord {
  readonly start: number;
  readonly end: number;
  readonly mosi?: number;
  readonly miso?: number;
}

export async function spi(input: DecodeInput, spiOptions: SpiOptions, options: RunOptions = {}): Promise<SpiWord[]> {
  const { clk, mosi, miso, cs } = spiOptions;
  const lines = (['mosi', 'miso'] as const).filter((l) => spiOptions[l] !== undefined);
  if (lines.length === 0) throw new InputError(inputPath(input), 'spi needs a mosi or a miso channel');
  const channels = Object.fromEntries(Object.entries({ clk, mosi, miso, cs }).filter(([, v]) => v !== undefined)) as Record<string, Channel>;
  const spec = { id: 'spi', channels, options: { ...spiOptions.options } };
  // One run per line: sigrok-cli's text output does not say which annotation class a line belongs to.
  const perLine = await Promise.all(lines.map((l) => decode(input, spec, `spi=${l}-data`, options)));
  const words = new Map<string, { start: number; end: number; mosi?: number; miso?: number }>();
  lines.forEach((l, i) => {
    for (const a of perLine[i]!) {
      const key = `${a.start}-${a.end}`;
      const word = words.get(key) ?? { start: a.start, end: a.end };
      word[l] = hex(a, inputPath(input));
      words.set(key, word);
    }
  });
  return [...words.values()].sort((a, b) => a.start - b.start);
}

export type I2cKind = 'start' | 'repeat-start' | 'stop' | 'ack' | 'nack' | 'address-read' | 'address-write' | 'data-read' | 'data-write';

export interface I2cEvent extends Annotation {
  readonly kind: I2cKind;
  /** The address (7-bit, as the decoder shows it by default) or data byte. */
  readonly value?: number;
}

const I2C_TEXT: ReadonlyArray<[RegExp, I2cKind]> = [
  [/^Start$/, 'start'],
  [/^Start repeat$/, 'repeat-start'],
  [/^Stop$/, 'stop'],
  [/^ACK$/, 'ack'],
  [/^NACK$/, 'nack'],
  [/^Address read: ([0-9A-F]+)$/, 'address-read'],
  [/^Address write: ([0-9A-F]+)$/, 'address-write'],
  [/^Data read: ([0-9A-F]+)$/, 'data-read'],
  [/^Data write: ([0-9A-F]+)$/, 'data-write'],
];

export async function i2c(input: DecodeInput, i2cOptions: { scl: Channel; sda: Channel; options?: Settings }, options: RunOptions = {}): Promise<I2cEvent[]> {
  const spec = { id: 'i2c', channels: { scl: i2cOptions.scl, sda: i2cOptions.sda }, options: { ...i2cOptions.options } };
  const found = await decode(input, spec, `i2c=${I2C_TEXT.map(([, kind]) => kind).join(':')}`, options);
  // The decoder also marks the address's R/W bit ('Read', 'Write') in the address classes: the address event says it.
  return found.filter((a) => a.text !== 'Read' && a.text !== 'Write').map((a) => {
    for (const [re, kind] of I2C_TEXT) {
      const m = re.exec(a.text);
      if (m) return { ...a, kind, ...(m[1] === undefined ? {} : { value: parseInt(m[1], 16) }) };
    }
    throw new InputError(inputPath(input), `unexpected i2c annotation at samples ${a.start}-${a.end}: ${JSON.stringify(a.text)}`);
  });
}

/** The time between two edges. */
export interface Interval extends Annotation {
  readonly seconds: number;
}

export async function timing(input: DecodeInput, timingOptions: { channel: Channel; edge?: 'any' | 'rising' | 'falling' }, options: RunOptions = {}): Promise<Interval[]> {
  const { info, samplerate } = await rated(input, options);
  const spec: DecoderSpec = { id: 'timing', channels: { data: timingOptions.channel }, options: timingOptions.edge ? { edge: timingOptions.edge } : {} };
  const found = await decode(input, spec, 'timing=time', { ...options, info });
  return found.map((a) => ({ ...a, seconds: (a.end - a.start) / samplerate }));
}

/** One period, from the edge that starts the active level to the next such edge. */
export interface PwmPeriod extends Annotation {
  /** Fraction of the period at the active level (the decoder's percentage / 100). */
  readonly dutyCycle: number;
  /** Seconds. */
  readonly period: number;
}

export async function pwm(input: DecodeInput, pwmOptions: { channel: Channel; polarity?: 'active-high' | 'active-low' }, options: RunOptions = {}): Promise<PwmPeriod[]> {
  const { info, samplerate } = await rated(input, options);
  const spec: DecoderSpec = { id: 'pwm', channels: { data: pwmOptions.channel }, options: pwmOptions.polarity ? { polarity: pwmOptions.polarity } : {} };
  const found = await decode(input, spec, 'pwm=duty-cycle', { ...options, info });
  return found.map((a) => ({ ...a, dutyCycle: parseRatio(a.text, `${inputPath(input)} samples ${a.start}-${a.end}`), period: (a.end - a.start) / samplerate }));
}
