/**
 * What every acquisition needs settled before sigrok-cli starts: the device (scanned, for its channel list), the
 * bit each chosen channel occupies in a sample, the sample rate, and the device arguments of the command line.
 */
import { InputError } from '../../errors.js';
import type { Unitsize } from '../../signals/edge-scan.js';
import { parseFrequency } from '../../signals/units.js';
import { runSigrok, type SigrokCliOptions } from './process.js';
import { deviceSpec, findDevice, type DeviceRef, type SigrokDevice } from './scan.js';

type Settings = Readonly<Record<string, string | number>>;

export interface AcquisitionOptions extends SigrokCliOptions {
  /** A device from scan(), or a driver (and conn) to scan for. */
  readonly device: DeviceRef | SigrokDevice;
  /**
   * Logic channels as the device names them (D0, D1, ...). Always passed to sigrok-cli: a device with analog
   * channels (demo) otherwise mixes lines of text into the binary samples. Note that libsigrok 0.5.2's demo device
   * keeps only the lowest N bits for N enabled channels: choose its channels from D0 upwards without gaps.
   */
  readonly channels: readonly string[];
  /** '1MHz', '24 MHz' or hertz. Omitted: the device's current rate, asked for with `--get samplerate`. */
  readonly samplerate?: string | number;
  /** Further device options (`--config key=value`), e.g. `{ captureratio: 10 }`. */
  readonly config?: Settings;
  /**
   * Options of one channel group, e.g. `{ name: 'Logic', config: { pattern: 'incremental' } }` for the demo device.
   * sigrok-cli 0.7.2 applies `--channel-group` to every `--config`, so device options (samplerate, captureratio)
   * cannot be set in the same run: leave them out and the device's current values are used.
   */
  readonly channelGroup?: { readonly name: string; readonly config: Settings };
  /** Channel name → pin name, where the wiring is known. */
  readonly pins?: Readonly<Record<string, string>>;
  /** Where to write the capture as .sr (after the capture: libsigrok 0.5.2's live .sr writer is quadratic). */
  readonly file?: string;
}

export interface Plan {
  readonly device: SigrokDevice;
  readonly channels: readonly string[];
  /** Bit of a sample per channel, in `channels` order. */
  readonly bits: readonly number[];
  readonly unitsize: Unitsize;
  readonly samplerate: number;
  /** `-d ... --channels ... [--config ...] [--channel-group ...]`. */
  readonly args: readonly string[];
  /** For messages: `sigrok demo (channels D0,D1)`. */
  readonly where: string;
  readonly options: AcquisitionOptions;
}

function isScanned(device: DeviceRef | SigrokDevice): device is SigrokDevice {
  return 'channels' in device && Array.isArray(device.channels);
}

/** `key=value`: sigrok-cli splits --config at ':' and '=', so neither may appear inside. */
function setting(key: string, value: string | number, where: string): string {
  const text = String(value);
  if (!/^[\w-]+$/.test(key) || text === '' || /[:=\s]/.test(text)) {
    throw new InputError(where, `option ${JSON.stringify(key)}=${JSON.stringify(text)}: keys are words, values may not hold ':', '=' or spaces`);
  }
  return `${key}=${text}`;
}

function configArgs(settings: Settings | undefined, where: string): string[] {
  return Object.entries(settings ?? {}).flatMap(([key, value]) => ['--config', setting(key, value, where)]);
}

/** Bits per sample the device sends for these channels: bit i is channel index i (libsigrok's logic layout). */
function unitsizeFor(bits: readonly number[]): Unitsize {
  const bytes = Math.ceil((Math.max(...bits) + 1) / 8);
  return bytes === 1 ? 1 : bytes === 2 ? 2 : 4;
}

export async function plan(options: AcquisitionOptions, extraConfig: Settings = {}): Promise<Plan> {
  const device = isScanned(options.device) ? options.device : await findDevice(options.device, options);
  const spec = deviceSpec(device);
  const where = `sigrok ${spec} (channels ${options.channels.join(',')})`;

  if (options.channels.length === 0) throw new InputError(where, 'no channels chosen');
  const bits = options.channels.map((name) => {
    const bit = device.channels.indexOf(name);
    if (bit < 0) throw new InputError(where, `${spec} has no channel ${JSON.stringify(name)} (it has ${device.channels.join(' ')})`);
    if (bit >= 32) throw new InputError(where, `channel ${name} is channel index ${bit}: pinrig reads logic samples of up to 32 bits`);
    return bit;
  });
  const duplicate = options.channels.find((name, i) => options.channels.indexOf(name) !== i);
  if (duplicate) throw new InputError(where, `channel ${duplicate} is chosen twice`);

  const deviceConfig = { ...options.config, ...extraConfig };
  if (options.channelGroup && (options.samplerate !== undefined || Object.keys(deviceConfig).length > 0)) {
    throw new InputError(
      where,
      `sigrok-cli 0.7.2 applies --channel-group ${options.channelGroup.name} to every --config option, so device options (${['samplerate', ...Object.keys(deviceConfig)].join(', ')}) cannot be set with it in the same run`,
    );
  }

  const args = ['-d', spec, '--channels', options.channels.join(',')];
  let samplerate: number;
  if (options.samplerate !== undefined) {
    samplerate = parseFrequency(options.samplerate, `${where} samplerate`);
    if (!Number.isSafeInteger(samplerate) || samplerate <= 0) throw new InputError(where, `samplerate must be a whole number of hertz, got ${samplerate}`);
    args.push('--config', `samplerate=${samplerate}`);
  } else {
    samplerate = await currentSamplerate(spec, where, options);
  }
  args.push(...configArgs(deviceConfig, where));
  if (options.channelGroup) args.push('--channel-group', options.channelGroup.name, ...configArgs(options.channelGroup.config, where));

  return { device, channels: options.channels, bits, unitsize: unitsizeFor(bits), samplerate, args, where, options };
}

async function currentSamplerate(spec: string, where: string, options: SigrokCliOptions): Promise<number> {
  const text = (await runSigrok(['-d', spec, '--get', 'samplerate'], where, { ...options, timeoutMs: 30_000 })).trim();
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new InputError(where, `sigrok-cli --get samplerate answered ${JSON.stringify(text)}, not a rate in hertz`);
  return Number(text);
}
