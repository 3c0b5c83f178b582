/**
 * The text parts of a sigrok session file (.sr, a zip): the `metadata` INI, its sample-rate strings,
 * and which members hold the samples in which order. The zip itself is read and written in harness/files/sr.ts.
 */
import { InputError } from '../errors.js';
import { parseFrequency } from './units.js';
import type { Unitsize } from './edge-scan.js';
import type { Waveform } from './waveform.js';

export interface SrProbe {
  /**
   * Bit of the sample that holds this channel: probeN is bit N-1, as libsigrok's hardware drivers and its later
   * releases have it. (sigrok-cli 0.5.2's demo device and VCD output pack the enabled channels into the low bits
   * instead; the two readings agree whenever no probe below an enabled one is disabled.)
   */
  readonly bit: number;
  readonly name: string;
}

export interface SrMetadata {
  /** Samples per second. */
  readonly samplerate: number;
  readonly unitsize: Unitsize;
  /** Channels the device had; only the enabled ones are in `probes`, so bits may have gaps. */
  readonly totalProbes: number;
  /** Enabled logic channels, by bit. Analog channels are not read. */
  readonly probes: readonly SrProbe[];
  /** Prefix of the sample members: `logic-1` names `logic-1-1`, `logic-1-2`, ... */
  readonly capturefile: string;
}

/** The libsigrok whose layout the writer follows. */
const VERSION_LINE = 'sigrok version=0.5.2';

type Sections = Map<string, Map<string, { value: string; line: number }>>;

/** GKeyFile-style INI: `[section]`, `key=value` (spaces around `=` allowed, as in files from sigrok 0.2), `#` comments. */
function parseIni(text: string, where: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, { value: string; line: number }> | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!.trim(), current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !current) throw new InputError(`${where} line ${i + 1}`, `expected "[section]" or "key=value", got ${JSON.stringify(raw)}`);
    current.set(line.slice(0, eq).trim(), { value: line.slice(eq + 1).trim(), line: i + 1 });
  });
  return sections;
}

function parseWholeNumber(text: string, key: string, where: string): number {
  if (!/^\d+$/.test(text)) throw new InputError(where, `${key} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** A sample rate as sigrok writes it ('24 MHz', '1.234567 MHz', '500 Hz'), in Hz. */
export function parseSamplerate(text: string, where: string): number {
  let hz = Number.NaN;
  try {
    hz = parseFrequency(text, where);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
  if (!(hz > 0) || !Number.isFinite(hz)) {
    throw new InputError(where, `samplerate ${JSON.stringify(text)} is not a sample rate (expected e.g. "24 MHz", "500 kHz", "1 GHz")`);
  }
  return hz;
}

/** Hz → sigrok's string: the largest prefix that leaves a whole part, the fraction exact ('1.234567 MHz'). */
export function formatSamplerate(hz: number): string {
  if (!Number.isSafeInteger(hz) || hz <= 0) throw new InputError('samplerate', `a .sr file needs a whole number of Hz, got ${hz}`);
  const [digits, unit] = ([[9, 'GHz'], [6, 'MHz'], [3, 'kHz']] as const).find(([d]) => hz >= 10 ** d) ?? [0, 'Hz'];
  const whole = Math.floor(hz / 10 ** digits);
  const fraction = String(hz - whole * 10 ** digits).padStart(digits, '0').replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} ${unit}`;
}

export function parseSrMetadata(text: string, where: string): SrMetadata {
  const device = parseIni(text, where).get('device 1');
  if (!device) throw new InputError(where, 'no [device 1] section');
  const get = (key: string): { value: string; at: string } => {
    const entry = device.get(key);
    if (!entry) throw new InputError(where, `[device 1] has no "${key}"`);
    return { value: entry.value, at: `${where} line ${entry.line}` };
  };

  const rate = get('samplerate');
  const samplerate = parseSamplerate(rate.value, rate.at);
  const unit = get('unitsize');
  const unitsize = parseWholeNumber(unit.value, 'unitsize', unit.at);
  if (unitsize !== 1 && unitsize !== 2 && unitsize !== 4) throw new InputError(unit.at, `unitsize ${unitsize} is not supported (1, 2 or 4 bytes per sample)`);
  const total = get('total probes');
  const totalProbes = parseWholeNumber(total.value, 'total probes', total.at);
  if (totalProbes > unitsize * 8) {
    throw new InputError(total.at, `${totalProbes} probes do not fit in unitsize ${unitsize} (${unitsize * 8} bits per sample)`);
  }

  const probes: SrProbe[] = [];
  for (const [key, { value, line }] of device) {
    const m = /^probe(\d+)$/.exec(key);
    if (!m) continue;
    const n = Number(m[1]);
    if (n < 1 || n > totalProbes) throw new InputError(`${where} line ${line}`, `${key} is outside total probes=${totalProbes}`);
    if (probes.some((p) => p.name === value)) throw new InputError(`${where} line ${line}`, `${key}=${value}: that name is taken by another probe`);
    probes.push({ bit: n - 1, name: value });
  }
  probes.sort((a, b) => a.bit - b.bit);
  return { samplerate, unitsize, totalProbes, probes, capturefile: get('capturefile').value };
}

export function formatSrMetadata(meta: SrMetadata): string {
  return [
    '[global]',
    VERSION_LINE,
    '',
    '[device 1]',
    `capturefile=${meta.capturefile}`,
    `total probes=${meta.totalProbes}`,
    `samplerate=${formatSamplerate(meta.samplerate)}`,
    'total analog=0',
    ...meta.probes.map((p) => `probe${p.bit + 1}=${p.name}`),
    `unitsize=${meta.unitsize}`,
    '',
  ].join('\n');
}

/** The metadata for writing a waveform: channel i is bit i, the smallest unitsize that holds them all. */
export function srMetadataFor(waveform: Waveform, where: string): SrMetadata {
  const n = waveform.channels.length;
  if (n === 0 || n > 32) throw new InputError(where, `a .sr file holds 1 to 32 logic channels, this waveform has ${n}`);
  for (const ch of waveform.channels) {
    if (/[\r\n]/.test(ch.name) || ch.name.trim() !== ch.name || ch.name === '') {
      throw new InputError(where, `channel name ${JSON.stringify(ch.name)} cannot be written to the metadata (empty, line break or outer spaces)`);
    }
  }
  if (!Number.isSafeInteger(waveform.rate)) {
    throw new InputError(where, `a .sr file needs a whole number of samples per second, this waveform has rate ${waveform.rate}`);
  }
  return {
    samplerate: waveform.rate,
    unitsize: n <= 8 ? 1 : n <= 16 ? 2 : 4,
    totalProbes: n,
    probes: waveform.channels.map((ch, bit) => ({ bit, name: ch.name })),
    capturefile: 'logic-1',
  };
}

/**
 * The sample members in order: `<capturefile>-1`, `-2`, ... joined in NUMERIC order (`-10` after `-9`),
 * or a single `<capturefile>` member as in version 1 files. A gap in the numbering means a damaged file.
 */
export function srChunkNames(members: Iterable<string>, capturefile: string, where: string): string[] {
  const numbered = new Map<number, string>();
  let single = false;
  for (const name of members) {
    if (name === capturefile) single = true;
    else if (name.startsWith(`${capturefile}-`) && /^[1-9]\d*$/.test(name.slice(capturefile.length + 1))) {
      numbered.set(Number(name.slice(capturefile.length + 1)), name);
    }
  }
  if (single && numbered.size > 0) throw new InputError(where, `has both a "${capturefile}" member and "${capturefile}-N" members`);
  if (single) return [capturefile];
  const names: string[] = [];
  for (let i = 1; i <= numbered.size; i++) {
    const name = numbered.get(i);
    if (!name) throw new InputError(where, `sample member "${capturefile}-${i}" is missing (the file has ${numbered.size} numbered members)`);
    names.push(name);
  }
  return names;
}
