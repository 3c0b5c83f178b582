/**
 * Finding analyzers: `sigrok-cli --scan` parsed into devices (driver, connection, description, channel names in
 * channel-index order, as sigrok-cli sorts them). The sigrok `demo` driver is always found; a USB analyzer only
 * when it is plugged in and the user may open it.
 */
import { InputError } from '../../errors.js';
import { SigrokError } from './errors.js';
import { argv, runSigrok, type RunOptions } from './process.js';

/** A device as sigrok-cli's `-d` option names it: `fx2lafw`, or `fx2lafw:conn=1.6` when several are plugged in. */
export interface DeviceRef {
  readonly driver: string;
  readonly conn?: string;
}

export interface SigrokDevice extends DeviceRef {
  /** Vendor, model, version and serial number, as sigrok-cli prints them. */
  readonly description: string;
  /** Channel names; position i is channel index i, which is bit i of a logic sample. */
  readonly channels: readonly string[];
}

/** The `-d` argument. */
export function deviceSpec(ref: DeviceRef): string {
  for (const [key, value] of Object.entries({ driver: ref.driver, conn: ref.conn })) {
    // sigrok-cli splits the -d argument at ':' and '=': a value holding one would name another device.
    if (value !== undefined && (value === '' || /[:=\s]/.test(value))) {
      throw new InputError(`sigrok device ${key}`, `${JSON.stringify(value)} is empty or holds ':', '=' or a space`);
    }
  }
  return ref.conn === undefined ? ref.driver : `${ref.driver}:conn=${ref.conn}`;
}

const HEADER = 'The following devices were found:';
/** `driver[:conn=X] - description[ with N channels: A B C | with 1 channel: A]` (sigrok-cli show.c, print_dev_line). */
const DEVICE_LINE = /^([\w-]+)(?::conn=(\S+))? - (.*)$/;
const CHANNELS = /^(.*?)\s*\bwith (\d+) channels?: (.*)$/;

export function parseScan(text: string, where = 'sigrok-cli --scan'): SigrokDevice[] {
  const devices: SigrokDevice[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line === '' || line === HEADER) return;
    const m = DEVICE_LINE.exec(line);
    if (!m) throw new InputError(`${where} line ${i + 1}`, `not a device line: ${JSON.stringify(line)}`);
    const [, driver, conn, rest] = m as unknown as [string, string, string | undefined, string];
    const withChannels = CHANNELS.exec(rest);
    const channels = withChannels ? withChannels[3]!.split(' ') : [];
    if (withChannels && channels.length !== Number(withChannels[2])) {
      throw new InputError(`${where} line ${i + 1}`, `says ${withChannels[2]} channels but lists ${channels.length}: ${JSON.stringify(line)}`);
    }
    devices.push({ driver, ...(conn === undefined ? {} : { conn }), description: (withChannels ? withChannels[1]! : rest).trim(), channels });
  });
  return devices;
}

/** Every device sigrok-cli finds, or those of one driver (and connection). */
export async function scan(ref?: DeviceRef, options: RunOptions = {}): Promise<SigrokDevice[]> {
  const args = ref ? ['-d', deviceSpec(ref), '--scan'] : ['--scan'];
  const stdout = await runSigrok(args, `sigrok scan${ref ? ` ${deviceSpec(ref)}` : ''}`, { timeoutMs: 30_000, ...options });
  return parseScan(stdout);
}

/** The one device `ref` names; fails, saying what to check, when there is none or more than one. */
export async function findDevice(ref: DeviceRef, options: RunOptions = {}): Promise<SigrokDevice> {
  const found = await scan(ref, options);
  const spec = deviceSpec(ref);
  if (found.length === 0) {
    throw new SigrokError(
      `sigrok device ${spec}`,
      'no such device found (sigrok-cli --scan lists none): is it plugged in, is its firmware installed (sigrok-firmware-fx2lafw for fx2lafw), may this user open it (udev rules, group plugdev)?',
      { command: argv(options, ['-d', spec, '--scan']) },
    );
  }
  if (found.length > 1) {
    const list = found.map((d) => deviceSpec(d)).join(', ');
    throw new SigrokError(`sigrok device ${spec}`, `${found.length} devices found (${list}): name one by its conn`);
  }
  return found[0]!;
}
