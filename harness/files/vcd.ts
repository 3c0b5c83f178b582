/**
 * VCD files: read as a stream of text pieces (a VCD of a long capture runs to hundreds of MB), written piece by piece.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../errors.js';
import { retime } from '../signals/retime.js';
import { formatVcd, VcdReader } from '../signals/vcd.js';
import type { Waveform } from '../signals/waveform.js';

function ioProblem(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

export interface ReadVcdOptions {
  /**
   * Re-express the times as ticks at this rate (a capture's sample rate) instead of the file's timescale;
   * the VCD counterpart of sigrok's `-I vcd:downsample`.
   */
  readonly rate?: number;
}

export async function readVcd(path: string, options: ReadVcdOptions = {}): Promise<Waveform> {
  const reader = new VcdReader(path);
  try {
    for await (const piece of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) reader.push(piece as string);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, `cannot read: ${ioProblem(e)}`);
  }
  const waveform = reader.finish();
  return options.rate === undefined ? waveform : retime(waveform, options.rate, path);
}

export async function writeVcd(path: string, waveform: Waveform): Promise<void> {
  const text = formatVcd(waveform, path);
  try {
    await pipeline(Readable.from(text), createWriteStream(path));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, `cannot write: ${ioProblem(e)}`);
  }
}
