/**
 * Protocol decoders on capture files: `sigrok-cli -i FILE -P dec:ch=name:opt=value[,stacked] -A dec=class
 * --protocol-decoder-samplenum`, whose `start-end dec-1: text` lines become annotations (sample numbers and text).
 * A decoder channel is given by name as the file has it, or by number: the file's n-th logic channel, which is the
 * same whether the file names it D0 (pinrig's .sr), 0 (`-I binary`) or TX.
 */
import { InputError } from '../../errors.js';
import { SigrokError } from './errors.js';
import { inputArgs, inputPath, inspect, type DecodeInput, type InputInfo } from './inspect.js';
import { streamSigrokLines, type RunOptions } from './process.js';

export interface DecoderSpec {
  /** sigrok's decoder id: 'uart', 'i2c', 'spi', 'timing', 'pwm', 'eeprom24xx', ... */
  readonly id: string;
  /** Decoder channel → file channel (name, or index among the file's logic channels). */
  readonly channels?: Readonly<Record<string, string | number>>;
  readonly options?: Readonly<Record<string, string | number>>;
}

export interface Annotation {
  /** First and last sample the annotation covers, at the file's sample rate. */
  readonly start: number;
  readonly end: number;
  /** The decoder instance, e.g. 'uart-1'. */
  readonly decoder: string;
  readonly text: string;
}

export interface DecodeOptions extends RunOptions {
  /** What inspect() said about the input, where the caller has it already (saves a sigrok-cli run). */
  readonly info?: InputInfo;
}

const LINE = /^(\d+)-(\d+) ([^\s:]+): (.*)$/;

function parseAnnotation(line: string, where: string): Annotation {
  const m = LINE.exec(line);
  if (!m) throw new InputError(where, `unexpected line from sigrok-cli: ${JSON.stringify(line)}`);
  return { start: Number(m[1]), end: Number(m[2]), decoder: m[3]!, text: m[4]! };
}

/** A value sigrok-cli's -P parser keeps whole: it splits at ',', ':' and '='. */
function part(key: string, value: string | number, where: string): string {
  const text = String(value);
  if (!/^\w+$/.test(key) || text === '' || /[,:=]/.test(text)) {
    throw new InputError(where, `decoder setting ${key}=${JSON.stringify(text)}: keys are words, values may not be empty or hold ',', ':' or '='`);
  }
  return `${key}=${text}`;
}

function channelName(value: string | number, info: InputInfo | undefined, where: string): string {
  if (typeof value === 'string') return value;
  const logic = (info?.channels ?? []).filter((c) => c.type === 'logic');
  const channel = Number.isInteger(value) ? logic[value] : undefined;
  if (!channel) throw new InputError(where, `there is no logic channel number ${value} (the file has ${logic.map((c) => c.name).join(', ')})`);
  return channel.name;
}

function decoderArg(stack: readonly DecoderSpec[], info: InputInfo | undefined, where: string): string {
  return stack
    .map((spec) => {
      if (!/^\w+$/.test(spec.id)) throw new InputError(where, `decoder id ${JSON.stringify(spec.id)} is not a word`);
      const channels = Object.entries(spec.channels ?? {}).map(([key, value]) => part(key, channelName(value, info, where), where));
      const options = Object.entries(spec.options ?? {}).map(([key, value]) => part(key, value, where));
      return [spec.id, ...channels, ...options].join(':');
    })
    .join(',');
}

function stackOf(decoders: DecoderSpec | readonly DecoderSpec[]): readonly DecoderSpec[] {
  return 'id' in decoders ? [decoders as DecoderSpec] : (decoders as readonly DecoderSpec[]);
}

/**
 * Runs a decoder (or a stack: the first decoder reads the channels, each next one the output of the one before) and
 * returns the annotations of `annotation` ('uart=rx-data', 'i2c=address-read:data-read'), in sigrok's order.
 */
export async function decode(input: DecodeInput, decoders: DecoderSpec | readonly DecoderSpec[], annotation: string, options: DecodeOptions = {}): Promise<Annotation[]> {
  const stack = stackOf(decoders);
  const numbered = stack.some((spec) => Object.values(spec.channels ?? {}).some((v) => typeof v === 'number'));
  const info = options.info ?? (numbered ? await inspect(input, options) : undefined);
  const path = inputPath(input);
  const pd = decoderArg(stack, info, `${path} (decoder ${stack.map((s) => s.id).join(',')})`);
  const where = `${path} (decoder ${pd})`;
  const found: Annotation[] = [];
  try {
    await streamSigrokLines([...inputArgs(input), '-P', pd, '-A', annotation, '--protocol-decoder-samplenum'], where, options, (line) => {
      if (line !== '') found.push(parseAnnotation(line, where));
    });
  } catch (error) {
    throw await withChannelList(error, input, info, options);
  }
  return found;
}

/** sigrok's "No channel with name" does not say which names there are: add them. */
async function withChannelList(error: unknown, input: DecodeInput, info: InputInfo | undefined, options: RunOptions): Promise<unknown> {
  if (!(error instanceof SigrokError) || !/No channel with name/.test(error.sigrokMessage ?? '')) return error;
  let names: string;
  try {
    names = (info ?? (await inspect(input, options))).channels.map((c) => c.name).join(', ');
  } catch {
    return error;
  }
  return new SigrokError(error.where, `${error.problem}; the file's channels are ${names}`, { command: error.command, sigrokMessage: error.sigrokMessage });
}
