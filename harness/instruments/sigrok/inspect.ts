/**
 * What sigrok-cli reads from a capture file (`sigrok-cli -i FILE --show`): sample rate, channel names, sample count.
 * Channel names depend on where the file came from: pinrig's .sr keeps the analyzer's names (D0, ...), a file read
 * with `-I binary` has 0..7, a sigrok-dumps capture whatever its author chose (TX, SCL, ...).
 */
import { InputError } from '../../errors.js';
import { runSigrok, type RunOptions } from './process.js';

/** A capture file; `format` is sigrok's input format with its options, for files it cannot recognise by content. */
export type DecodeInput = string | { readonly path: string; readonly format: string };

export interface InputInfo {
  readonly samplerate?: number;
  readonly channels: ReadonlyArray<{ readonly name: string; readonly type: 'logic' | 'analog' }>;
  readonly logicSamples?: number;
}

export function inputPath(input: DecodeInput): string {
  return typeof input === 'string' ? input : input.path;
}

export function inputArgs(input: DecodeInput): string[] {
  return typeof input === 'string' ? ['-i', input] : ['-i', input.path, '-I', input.format];
}

function parseShow(text: string, where: string): InputInfo {
  let samplerate: number | undefined;
  let logicSamples: number | undefined;
  const channels: Array<{ name: string; type: 'logic' | 'analog' }> = [];
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^Samplerate: (\d+)$/.exec(line))) samplerate = Number(m[1]);
    else if ((m = /^Logic sample count: (\d+)$/.exec(line))) logicSamples = Number(m[1]);
    else if ((m = /^- (.+): (logic|analog)$/.exec(line))) channels.push({ name: m[1]!, type: m[2] as 'logic' | 'analog' });
  }
  if (channels.length === 0) throw new InputError(where, `sigrok-cli --show listed no channels:\n${text}`);
  return { ...(samplerate ? { samplerate } : {}), ...(logicSamples === undefined ? {} : { logicSamples }), channels };
}

export async function inspect(input: DecodeInput, options: RunOptions = {}): Promise<InputInfo> {
  const where = inputPath(input);
  return parseShow(await runSigrok([...inputArgs(input), '--show'], where, options), where);
}
