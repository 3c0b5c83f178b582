/**
 * Opening a capture file of either kind pinrig reads: a sigrok session (.sr, a zip) or a VCD.
 */
import { open } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { Capture } from '../signals/capture.js';
import { readSr } from './sr.js';
import { readVcd } from './vcd.js';

/** What the file starts with decides, not its name: a .sr is a zip ('PK'), a VCD starts with a $keyword. */
export async function captureKind(path: string): Promise<'sr' | 'vcd' | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (e) {
    throw new InputError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    if ((await file.stat()).isDirectory()) throw new InputError(path, 'is a folder: give a capture file (.sr or .vcd)');
    const { buffer, bytesRead } = await file.read(Buffer.alloc(64), 0, 64, 0);
    const start = buffer.subarray(0, bytesRead).toString('latin1');
    if (start.startsWith('PK')) return 'sr';
    if (start.trimStart().startsWith('$')) return 'vcd';
    return undefined;
  } finally {
    await file.close();
  }
}

export async function readCapture(path: string): Promise<Capture> {
  const kind = await captureKind(path);
  if (kind === 'sr') {
    const { waveform } = await readSr(path);
    return { waveform, source: { instrument: 'file', samplerate: waveform.rate }, pins: {}, files: { sr: path } };
  }
  if (kind === 'vcd') {
    const waveform = await readVcd(path);
    return { waveform, source: { instrument: 'file', samplerate: waveform.rate }, pins: {}, files: { vcd: path } };
  }
  throw notACapture(path);
}

export function notACapture(path: string): InputError {
  return new InputError(path, 'neither a sigrok session (.sr, a zip) nor a VCD (starts with a $keyword)');
}
