/** `pinrig capture convert IN OUT`: .sr ↔ .vcd by OUT's extension, optionally some channels over a time window. */
import path from 'node:path';
import { InputError } from '../errors.js';
import { readCapture } from '../files/capture.js';
import { writeSr } from '../files/sr.js';
import { writeVcd } from '../files/vcd.js';
import { excerpt } from '../signals/excerpt.js';
import { formatFrequency, formatTime } from '../signals/units.js';

export interface ConvertOptions {
  readonly channels?: readonly string[];
  readonly from?: string;
  readonly to?: string;
}

/** Writes OUT and says what it holds. */
export async function convertCapture(input: string, output: string, options: ConvertOptions): Promise<string> {
  const kind = path.extname(output).toLowerCase();
  if (kind !== '.sr' && kind !== '.vcd') throw new InputError(output, 'the output must end in .sr or .vcd (the format follows the name)');
  const { waveform } = await readCapture(input);
  const part = excerpt(waveform, {
    ...(options.channels ? { channels: options.channels } : {}),
    window: { ...(options.from !== undefined ? { start: options.from } : {}), ...(options.to !== undefined ? { end: options.to } : {}) },
  });
  if (kind === '.sr') await writeSr(output, part);
  else await writeVcd(output, part);
  return `${output}: ${part.channels.map((c) => c.name).join(', ')}; ${formatFrequency(part.rate)}, ${part.length} samples, ${formatTime(part.length / part.rate)}`;
}
