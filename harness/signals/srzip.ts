/**
 * The text parts of a sigrok session file (.sr, a zip): the `metadata` INI, its sample-rate strings,
 * and which members hold the samples in which order. The zip itself is read and written in harness/files/sr.ts.
 */
import { InputError } from '../errors.js';
import { formatSamplerate, parseFrequency } from './units.js';
import type { Waveform } from './waveform.js';

export interface SrProbe {
  /** Bit of the sample that holds this channel: probeN is bit N-1 (libsigrok: probeN names logic channel N-1). */
  readonly bit: number;
  readonly name: string;
}

export interface SrMetadata {
  /** Samples per second. */
  readonly samplerate: number;
  /** Bytes per logic sample; 0 in a file without logic data. */
  readonly unitsize: number;
  /** Logic channels the device had; only the named (enabled) ones are in `probes`, so bits may have gaps. */
  readonly totalProbes: number;
  /** Named logic channels, by bit. */
  readonly probes: readonly SrProbe[];
  /** Prefix of the sample members (`logic-1` names `logic-1-1`, `logic-1-2`, ...); undefined without logic data. */
  readonly capturefile: string | undefined;
  /** Analog channels the file holds, by name: pinrig reads logic channels and names these as skipped. */
  readonly analog: readonly string[];
  /** The zip member prefix of the first analog channel's samples (`analog-1-4`), for the length of an analog-only file. */
  readonly analogMember: string | undefined;
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

/**
 * The [device N] section of a session file's metadata, read by libsigrok 0.5.2's rules (src/session_file.c,
 * sr_session_load, and src/session_driver.c, which streams the samples):
 * - `[global]` holds nothing needed; a section whose name starts with "device " describes one device. pinrig reads one
 *   device per file: a second device section with data is an error naming it.
 * - The device has logic data exactly when `capturefile` is set, and analog data when `total analog` > 0.
 * - `samplerate` is a size string ("24 MHz", "1 kHz"); pinrig needs one when there is data.
 * - `total probes` creates logic channels 0..N-1, all disabled; `probeN=NAME` (N >= 1, at most total probes) names
 *   channel N-1 and enables it. Its samples are bit N-1 of each unit, whatever the order of the lines.
 * - `unitsize` (bytes per sample, > 0) counts only with a capturefile. Without one a file has no logic data and needs
 *   none. With a capturefile but no unitsize, libsigrok skips the samples ("Neither analog nor logic data"): pinrig
 *   refuses the file instead, naming the key, rather than read it as empty.
 * - `total probes` may exceed the bits of a unit (older captures list 32 probes with unitsize 1): the named probes
 *   that fit are read; a named probe beyond the unit is an error naming it.
 * - `analogN=NAME` names analog channel N-1 (after the logic channels); its samples are float32 in members
 *   `analog-1-N-1`, `analog-1-N-2`, ... pinrig does not read analog values.
 * - An empty name (`probe2=`) is kept by libsigrok as an empty name; pinrig calls that channel by libsigrok's own
 *   default name for it, its index ("1" for probe2), since a channel needs a name to be asked for.
 */
export function parseSrMetadata(text: string, where: string): SrMetadata {
  const ini = parseIni(text, where);
  const devices = [...ini.keys()].filter((name) => name.startsWith('device '));
  const withData = devices.filter((name) => ini.get(name)!.has('capturefile') || Number(ini.get(name)!.get('total analog')?.value ?? 0) > 0);
  if (withData.length > 1) throw new InputError(`${where} [${withData[1]}]`, `a second device with data: pinrig reads session files of one device (this one also has [${withData[0]}])`);
  const section = withData[0] ?? devices[0];
  if (!section) throw new InputError(where, 'no [device 1] section');
  const device = ini.get(section)!;
  const at = (key: string) => `${where} line ${device.get(key)!.line} ([${section}] ${key})`;
  const value = (key: string) => device.get(key)?.value;
  const count = (key: string) => (value(key) === undefined ? 0 : parseWholeNumber(value(key)!, key, at(key)));

  const capturefile = value('capturefile');
  const totalAnalog = count('total analog');
  if (capturefile === undefined && totalAnalog === 0) throw new InputError(`${where} [${section}]`, 'holds no data: no capturefile (logic) and no total analog');
  if (value('samplerate') === undefined) throw new InputError(`${where} [${section}]`, 'has no samplerate: the sample times would mean nothing');
  const samplerate = parseSamplerate(value('samplerate')!, at('samplerate'));

  let unitsize = 0;
  if (capturefile !== undefined) {
    if (value('unitsize') === undefined) {
      throw new InputError(`${where} [${section}] unitsize`, `missing: the samples in ${capturefile}-* cannot be read without it (libsigrok skips them too)`);
    }
    unitsize = parseWholeNumber(value('unitsize')!, 'unitsize', at('unitsize'));
    if (unitsize < 1 || unitsize > 8) throw new InputError(at('unitsize'), `unitsize ${unitsize} is not 1 to 8 bytes per sample`);
  }
  const totalProbes = count('total probes');

  const probes: SrProbe[] = [];
  const analog: Array<{ index: number; name: string }> = [];
  for (const [key, entry] of device) {
    const m = /^(probe|analog)(\d+)$/.exec(key);
    if (!m) continue;
    const n = Number(m[2]);
    if (m[1] === 'analog') {
      if (n <= totalProbes || n > totalProbes + totalAnalog) throw new InputError(at(key), `${key} is not one of the analog channels ${totalProbes + 1} to ${totalProbes + totalAnalog}`);
      analog.push({ index: n, name: entry.value });
      continue;
    }
    if (n < 1 || n > totalProbes) throw new InputError(at(key), `${key} is outside total probes=${totalProbes}`);
    if (capturefile === undefined) continue;
    if (n > unitsize * 8) throw new InputError(at(key), `${key}=${entry.value} is bit ${n - 1}, beyond the ${unitsize * 8} bits of unitsize=${unitsize}`);
    const name = entry.value === '' ? String(n - 1) : entry.value;
    if (probes.some((p) => p.name === name)) throw new InputError(at(key), `${key}=${name}: that name is taken by another probe`);
    probes.push({ bit: n - 1, name });
  }
  probes.sort((a, b) => a.bit - b.bit);
  analog.sort((a, b) => a.index - b.index);
  const firstAnalog = totalAnalog > 0 ? totalProbes + 1 : undefined;
  return {
    samplerate, unitsize, totalProbes, probes, capturefile,
    analog: analog.map((a) => a.name), analogMember: firstAnalog === undefined ? undefined : `analog-1-${firstAnalog}`,
  };
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
    analog: [],
    analogMember: undefined,
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
