/**
 * Value Change Dump (IEEE 1364 §18), as sigrok-cli and GTKWave read and write it, for 1-bit signals only.
 *
 * Reading is fed text in pieces of any size. Decisions:
 * - `$timescale` is required, and is time, not a sample rate: the sample period is found from the timestamps (the
 *   largest tick count dividing every one of them), or taken from a rate the file declares in a comment, as
 *   sigrok-cli writes it ("Acquisition with 2/13 channels at 24 MHz"; its times are rounded to the timescale, so
 *   they are rounded back to that rate).
 * - x and z read as 0, as sigrok's VCD input does, so that pinrig and sigrok agree on the same file.
 * - A vector of width 1 (`$var reg 1 # d [0] $end`, values `b1 #`) is a signal like a wire. A wider vector or a real
 *   is an error naming its line: pinrig's channels are pins, and skipping a declared signal would lose data.
 * - Signals are named by their $var name; where two scopes hold the same name, by the scope path (`top.cpu.clk`).
 * - The waveform ends at the last timestamp (sigrok and pinrig write one after the last change to mark the end).
 * - Values before the first timestamp, or at #0, are initial levels; the timeline is never shifted.
 */
import { InputError } from '../errors.js';
import { EdgeList } from './edge-list.js';
import { retime } from './retime.js';
import { VCD_SCOPE } from './gtkw.js';
import { formatSamplerate, parseFrequency } from './units.js';
import { makeWaveform, type Level, type Waveform } from './waveform.js';

const UNIT_EXPONENT: Record<string, number> = { s: 0, ms: 3, us: 6, ns: 9, ps: 12, fs: 15 };
const FINEST_EXPONENT = 15;
const UINT32_MAX = 0xffffffff;

/** '1 us', '100ps' → ticks per second (1e6, 1e10). */
export function parseTimescale(text: string, where: string): number {
  const m = /^(1|10|100)\s*(s|ms|us|ns|ps|fs)$/.exec(text.trim());
  if (!m) throw new InputError(where, `$timescale ${JSON.stringify(text)} is not 1, 10 or 100 of s, ms, us, ns, ps, fs`);
  return 10 ** (UNIT_EXPONENT[m[2]!]! - (m[1]!.length - 1));
}

/** Ticks per second 10^exponent → '$timescale' text ('1 us' for 6, '100 ps' for 10). */
function timescaleText(exponent: number): string {
  const unit = Math.ceil(exponent / 3) * 3;
  const name = Object.keys(UNIT_EXPONENT).find((k) => UNIT_EXPONENT[k] === unit)!;
  return `${10 ** (unit - exponent)} ${name}`;
}

interface ChannelState {
  readonly name: string;
  /** The scopes it was declared in, outermost first. */
  readonly scopes: readonly string[];
  initial: Level;
  level: Level;
  readonly edges: EdgeList;
}

interface OpenSection {
  readonly keyword: string;
  readonly line: number;
  readonly tokens: string[];
}

export class VcdReader {
  private carry = '';
  private line = 0;
  private section: OpenSection | undefined;
  private inBody = false;
  private rate: number | undefined;
  private readonly channels: ChannelState[] = [];
  private readonly byId = new Map<string, ChannelState[]>();
  private readonly scopes: string[] = [];
  private time = 0;
  /** The largest tick count dividing every timestamp so far (0 before the first non-zero one). */
  private period = 0;
  /** A sample rate the file declares (sigrok-cli's comment), in Hz. */
  private declaredRate: number | undefined;
  /** The identifier a `b<value>` token waits for, with its level. */
  private vectorValue: { level: Level; token: string } | undefined;

  /** `where` names the file in errors; line numbers are added. */
  constructor(private readonly where: string) {}

  push(text: string): void {
    const lines = (this.carry + text).split('\n');
    this.carry = lines.pop()!;
    for (const line of lines) this.readLine(line);
  }

  finish(): Waveform {
    if (this.carry !== '') this.readLine(this.carry);
    this.carry = '';
    if (this.section) throw new InputError(`${this.where} line ${this.section.line}`, `$${this.section.keyword} has no $end`);
    if (!this.inBody) throw new InputError(this.where, 'no $enddefinitions: the header never ends');
    if (this.vectorValue) throw new InputError(this.at(), `${JSON.stringify(this.vectorValue.token)} has no identifier after it`);
    // No rate declared: the sample period is the largest whole number of ticks dividing every timestamp (used when
    // the timescale's rate is a whole multiple of it, so the sample rate is a whole number of hertz).
    const rate = this.rate!;
    const period = this.declaredRate === undefined && this.period > 1 && rate % this.period === 0 ? this.period : 1;
    // Without a closing timestamp the capture ends one sample after its last change.
    let length = this.time;
    for (const ch of this.channels) if (ch.edges.last() >= 0) length = Math.max(length, ch.edges.last() + period);
    const names = this.channels.map((ch) => ch.name);
    const channels = this.channels.map((ch, i) => ({
      name: names.indexOf(ch.name) !== names.lastIndexOf(ch.name) ? [...ch.scopes, ch.name].join('.') : names[i]!,
      initial: ch.initial,
      edges: ch.edges.toArray(),
    }));
    const ticks = makeWaveform(rate, length, channels, this.where);
    if (this.declaredRate !== undefined) return retime(ticks, this.declaredRate, this.where);
    return period > 1 ? retime(ticks, rate / period, this.where) : ticks;
  }

  private at(line = this.line): string {
    return `${this.where} line ${line}`;
  }

  private readLine(text: string): void {
    this.line++;
    for (const token of text.split(/\s+/)) if (token !== '') this.readToken(token);
  }

  private readToken(token: string): void {
    if (this.section) {
      if (token === '$end') this.closeSection(this.section);
      else this.section.tokens.push(token);
      return;
    }
    if (!this.inBody) {
      if (!token.startsWith('$') || token === '$end') throw new InputError(this.at(), `expected a $keyword in the header, got ${JSON.stringify(token)}`);
      this.section = { keyword: token.slice(1), line: this.line, tokens: [] };
      return;
    }
    if (this.vectorValue) {
      this.change(this.vectorValue.level, token);
      this.vectorValue = undefined;
      return;
    }
    const c = token[0]!;
    if (c === '#') this.advanceTime(token);
    else if (c === 'b' || c === 'B') this.vectorValue = { level: vectorLevel(token, this.at()), token };
    else if (c === '0' || c === '1' || c === 'x' || c === 'X' || c === 'z' || c === 'Z') this.change(c === '1' ? 1 : 0, token.slice(1));
    else if (token === '$comment') this.section = { keyword: 'comment', line: this.line, tokens: [] };
    else if (token === '$dumpvars' || token === '$dumpall' || token === '$dumpon' || token === '$dumpoff' || token === '$end') return;
    else if (c === 'r' || c === 'R') throw new InputError(this.at(), `real value ${JSON.stringify(token)}: pinrig reads 1-bit signals only`);
    else throw new InputError(this.at(), `expected #time or a value change, got ${JSON.stringify(token)}`);
  }

  private closeSection(section: OpenSection): void {
    this.section = undefined;
    const { keyword, tokens } = section;
    if (keyword === 'timescale') this.rate = parseTimescale(tokens.join(' '), this.at(section.line));
    else if (keyword === 'var') this.declare(tokens, section.line);
    else if (keyword === 'scope') this.scopes.push(tokens[1] ?? tokens[0] ?? '');
    else if (keyword === 'upscope') this.scopes.pop();
    else if (keyword === 'comment' && !this.inBody) this.declaredRate ??= declaredRate(tokens.join(' '), this.at(section.line));
    else if (keyword === 'enddefinitions') {
      if (this.rate === undefined) throw new InputError(this.at(section.line), 'no $timescale before $enddefinitions: the times would mean nothing');
      this.inBody = true;
    }
  }

  /** `$var wire 1 ! D0 $end`, with an optional bit select (`data [3]`) kept in the name. */
  private declare(tokens: string[], line: number): void {
    const [type, size, id] = tokens;
    if (tokens.length < 4 || id === undefined) throw new InputError(this.at(line), `$var needs a type, size, identifier and name, got "${tokens.join(' ')}"`);
    if (size !== '1') throw new InputError(this.at(line), `$var ${type} ${size} ${tokens.slice(3).join('')} is ${size} bits wide: pinrig reads 1-bit signals only`);
    const ch: ChannelState = { name: tokens.slice(3).join(''), scopes: [...this.scopes], initial: 0, level: 0, edges: new EdgeList() };
    this.channels.push(ch);
    // Several $var may share an identifier (one signal seen from several scopes).
    const shared = this.byId.get(id);
    if (shared) shared.push(ch);
    else this.byId.set(id, [ch]);
  }

  private advanceTime(token: string): void {
    const t = /^#\d+$/.test(token) ? Number(token.slice(1)) : Number.NaN;
    if (!Number.isSafeInteger(t)) throw new InputError(this.at(), `${JSON.stringify(token)} is not a time (#<whole number below 2^53>)`);
    if (t < this.time) throw new InputError(this.at(), `time ${t} goes back from ${this.time}`);
    if (t > UINT32_MAX && this.time <= UINT32_MAX) for (const ch of this.channels) ch.edges.widen();
    this.time = t;
    if (t > 0) this.period = gcd(t, this.period);
  }

  private change(level: Level, id: string): void {
    const channels = this.byId.get(id);
    if (!channels) throw new InputError(this.at(), `identifier ${JSON.stringify(id)} was not declared in a $var`);
    for (const ch of channels) {
      if (level === ch.level) continue;
      ch.level = level;
      if (this.time === 0) ch.initial = level;
      // A change undone within the same tick leaves no edge.
      else if (ch.edges.last() === this.time) ch.edges.pop();
      else ch.edges.push(this.time);
    }
  }
}

/** The level of a 1-bit vector value (`b1`, `b0`, `bx`, `bz`; x and z read as 0). */
function vectorLevel(token: string, where: string): Level {
  const bits = token.slice(1);
  if (!/^[01xXzZ]+$/.test(bits)) throw new InputError(where, `${JSON.stringify(token)} is not a binary value`);
  if (bits.replace(/^[0xXzZ]+(?=.)/, '').length > 1) throw new InputError(where, `vector value ${JSON.stringify(token)} is wider than 1 bit: pinrig reads 1-bit signals only`);
  return bits.endsWith('1') ? 1 : 0;
}

/** The sample rate in a comment as sigrok-cli writes it ("Acquisition with 2/13 channels at 24 MHz"), if any. */
function declaredRate(comment: string, where: string): number | undefined {
  const m = /\bchannels at (\d+(?:\.\d+)? ?[kMG]?Hz)\b/.exec(comment);
  return m ? parseFrequency(m[1]!, where) : undefined;
}

export function parseVcd(text: string, where: string): Waveform {
  const reader = new VcdReader(where);
  reader.push(text);
  return reader.finish();
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The $timescale for a waveform, as a power of ten of ticks per second: the coarsest one, but no coarser than the
 * sample period, at which every edge and the end are whole ticks. Where there is none (24 MHz: the period is
 * 41.666... ns) times are rounded on a timescale 100 times finer than the period (100 ps at 24 MHz, as sigrok does),
 * close enough for a viewer and still exact when read back at the sample rate.
 */
export function vcdTimescaleExponent(waveform: Waveform, where: string): number {
  const rate = waveform.rate;
  if (!Number.isSafeInteger(rate)) throw new InputError(where, `VCD output needs a whole number of ticks per second, this waveform has rate ${rate}`);
  let common = gcd(rate, waveform.length);
  for (const ch of waveform.channels) {
    for (let i = 0; i < ch.edges.length && common > 1; i++) common = gcd(common, ch.edges[i]!);
  }
  // Every tick n is a whole number of 10^-k s when rate/common divides 10^k.
  let rest = rate / common;
  let twos = 0;
  let fives = 0;
  while (rest % 2 === 0) [rest, twos] = [rest / 2, twos + 1];
  while (rest % 5 === 0) [rest, fives] = [rest / 5, fives + 1];
  const atLeast = (ticks: number): number => {
    let k = 0;
    while (10 ** k < ticks) k++;
    return k;
  };
  const exponent = rest === 1 ? Math.max(twos, fives, atLeast(rate)) : atLeast(100 * rate);
  if (exponent > FINEST_EXPONENT) throw new InputError(where, `rate ${rate} needs a timescale finer than 1 fs`);
  return exponent;
}

/** A short identifier code per channel: '!' .. '~', then two characters, and so on. */
function identifier(index: number): string {
  let code = '';
  for (let i = index; i >= 0; i = Math.floor(i / 94) - 1) code += String.fromCharCode(33 + (i % 94));
  return code;
}

/** The VCD text of a waveform, in pieces of about 64 KiB (a long capture never becomes one string). */
export function formatVcd(waveform: Waveform, where: string): Iterable<string> {
  for (const ch of waveform.channels) {
    if (!/^\S+$/.test(ch.name)) throw new InputError(where, `channel name ${JSON.stringify(ch.name)} cannot be a VCD name (empty or has spaces)`);
  }
  const exponent = vcdTimescaleExponent(waveform, where);
  return vcdPieces(retime(waveform, 10 ** exponent, where), timescaleText(exponent), waveform.rate);
}

function* vcdPieces(vcd: Waveform, timescale: string, rate: number): Generator<string> {
  const ids = vcd.channels.map((_, i) => identifier(i));
  const n = vcd.channels.length;
  let piece = [
    '$version pinrig $end',
    // sigrok-cli's way of giving the sample rate, which pinrig's reader (and people) read back.
    `$comment Acquisition with ${n}/${n} channels at ${formatSamplerate(rate)} $end`,
    `$timescale ${timescale} $end`,
    `$scope module ${VCD_SCOPE} $end`,
    ...vcd.channels.map((ch, i) => `$var wire 1 ${ids[i]} ${ch.name} $end`),
    '$upscope $end',
    '$enddefinitions $end',
    '#0',
    '$dumpvars',
    ...vcd.channels.map((ch, i) => `${ch.initial}${ids[i]}`),
    '$end',
    '',
  ].join('\n');

  const next = vcd.channels.map(() => 0);
  const levels = vcd.channels.map((ch) => ch.initial as number);
  for (;;) {
    let t = Infinity;
    for (let c = 0; c < next.length; c++) t = Math.min(t, vcd.channels[c]!.edges[next[c]!] ?? Infinity);
    if (t === Infinity) break;
    piece += `#${t}\n`;
    for (let c = 0; c < next.length; c++) {
      if (vcd.channels[c]!.edges[next[c]!] !== t) continue;
      levels[c]! ^= 1;
      next[c]!++;
      piece += `${levels[c]}${ids[c]}\n`;
    }
    if (piece.length >= 65536) {
      yield piece;
      piece = '';
    }
  }
  if (vcd.length > 0) piece += `#${vcd.length}\n`;
  yield piece;
}
