/**
 * A capture of a fixed length, by samples or by time, optionally starting at a trigger:
 * `sigrok-cli -d DEV --channels ... --config samplerate=N [--config captureratio=R --triggers D0=r] --samples N -O binary`.
 */
import { InputError } from '../../errors.js';
import type { Capture } from '../../signals/capture.js';
import { parseTime } from '../../signals/units.js';
import { Acquisition } from './acquisition.js';
import { plan, type AcquisitionOptions } from './plan.js';

/** sigrok's trigger matches: low, high, rising, falling, either edge. */
export type TriggerMatch = '0' | '1' | 'r' | 'f' | 'e';

export interface Trigger {
  /** Channel → match; all must hold at once, e.g. `{ D4: 'r', D5: '0' }`. The channels must be captured. */
  readonly when: Readonly<Record<string, TriggerMatch>>;
  /** Percent of the capture kept from before the trigger (the device's own default when omitted). */
  readonly captureratio?: number;
}

export interface CaptureOptions extends AcquisitionOptions {
  /** How long: a number of samples, or a time ('50ms'; sigrok-cli counts whole milliseconds). One of the two. */
  readonly samples?: number;
  readonly time?: string | number;
  readonly trigger?: Trigger;
  /** Bound on the whole capture, waiting for the trigger included (default 10 s plus three times its length). */
  readonly timeoutMs?: number;
}

const MATCHES = new Set<string>(['0', '1', 'r', 'f', 'e']);

export async function capture(options: CaptureOptions): Promise<Capture> {
  const where = `sigrok capture (channels ${options.channels.join(',')})`;
  const limit = limitArgs(options, where);
  const trigger = options.trigger ? triggerArgs(options.trigger, options.channels, where) : undefined;
  const captureratio = options.trigger?.captureratio;
  if (captureratio !== undefined && !(Number.isInteger(captureratio) && captureratio >= 0 && captureratio <= 100)) {
    throw new InputError(where, `captureratio is a whole percentage 0..100, got ${captureratio}`);
  }
  const settled = await plan(options, captureratio === undefined ? {} : { captureratio });
  const seconds = options.samples !== undefined ? options.samples / settled.samplerate : parseTime(options.time!);
  const acquisition = await Acquisition.start(settled, {
    limit,
    trigger,
    timeoutMs: options.timeoutMs ?? 10_000 + Math.ceil(3000 * seconds),
  });
  return acquisition.finish(await acquisition.ended());
}

function limitArgs(options: CaptureOptions, where: string): string[] {
  if ((options.samples === undefined) === (options.time === undefined)) throw new InputError(where, 'give either samples or time');
  if (options.samples !== undefined) {
    if (!Number.isSafeInteger(options.samples) || options.samples <= 0) throw new InputError(where, `samples must be a positive whole number, got ${options.samples}`);
    return ['--samples', String(options.samples)];
  }
  const ms = parseTime(options.time!, `${where} time`) * 1000;
  // Rounding away a fraction would capture a different length than asked for without saying so.
  if (!Number.isInteger(Math.round(ms * 1e6) / 1e6) || ms < 1) throw new InputError(where, `sigrok-cli captures whole milliseconds, got ${options.time}`);
  return ['--time', String(Math.round(ms))];
}

function triggerArgs(trigger: Trigger, channels: readonly string[], where: string): { args: string[]; text: string } {
  const parts = Object.entries(trigger.when).map(([channel, match]) => {
    if (!channels.includes(channel)) throw new InputError(where, `trigger channel ${channel} is not among the captured channels`);
    if (!MATCHES.has(match)) throw new InputError(where, `trigger ${channel}=${match}: a match is one of 0 1 r f e`);
    return `${channel}=${match}`;
  });
  if (parts.length === 0) throw new InputError(where, 'a trigger needs at least one channel');
  const text = parts.join(',');
  return { args: ['--triggers', text], text };
}
