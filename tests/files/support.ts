/**
 * What the file tests share: sigrok-cli as the reference reader, waveforms made from a fixed pseudo-random
 * sequence, zips built member by member (for damaged files), and a waveform comparison that names the channel.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { expect } from '@playwright/test';
import { execa } from 'execa';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { retime } from '../../harness/signals/retime.js';
import { parseVcd } from '../../harness/signals/vcd.js';
import { random } from '../support/random.js';
import { makeWaveform, type Channel, type Level, type Waveform } from '../../harness/signals/waveform.js';

/** Real captures from real analyzers, beside the repository where this machine has them (CI does). */
export const CAPTURES = path.resolve(import.meta.dirname, '../../../shared/captures');

/**
 * What sigrok-cli reads, as a waveform at `rate`: its VCD output parsed with pinrig's reader, its timescale
 * (which sigrok picks from the sample rate) converted back to sample indices.
 */
export async function sigrokWaveform(args: readonly string[], rate: number): Promise<Waveform> {
  const command = `sigrok-cli ${args.join(' ')} -O vcd`;
  const { stdout, stderr } = await execa('sigrok-cli', [...args, '-O', 'vcd'], { maxBuffer: 1 << 30 });
  // sigrok-cli exits 0 on some failures: what it says on stderr is the failure.
  expect(stderr, `${command} wrote to stderr`).toBe('');
  // With -I vcd (or binary) input sigrok prints "META samplerate: N" before the VCD.
  return retime(parseVcd(stdout.replace(/^META .*\n/gm, ''), command), rate, command);
}

export async function sigrokDemo(path: string, options: { channels: string[]; samples: number; device?: string; extra?: string[] }): Promise<void> {
  const { stderr } = await execa('sigrok-cli', [
    '-d', options.device ?? 'demo',
    '--channels', options.channels.join(','),
    '--samples', String(options.samples),
    ...(options.extra ?? []),
    '-o', path,
  ]);
  expect(stderr, 'sigrok-cli demo capture wrote to stderr').toBe('');
}

export function expectSameWaveform(actual: Waveform, expected: Waveform): void {
  expect({ rate: actual.rate, length: actual.length, channels: actual.channels.map((c) => c.name) }).toEqual({
    rate: expected.rate,
    length: expected.length,
    channels: expected.channels.map((c) => c.name),
  });
  expected.channels.forEach((want, i) => {
    const got = actual.channels[i]!;
    expect(got.initial, `channel ${want.name}: initial level`).toBe(want.initial);
    expect(Array.from(got.edges), `channel ${want.name}: edges`).toEqual(Array.from(want.edges));
  });
}

/** Channels D0.. with edges a random 1 to 2*meanGap ticks apart, some starting high. */
export function randomWaveform(options: { rate: number; length: number; channels: number; meanGap: number; seed: number }): Waveform {
  const next = random(options.seed);
  const channels: Channel[] = Array.from({ length: options.channels }, (_, c) => {
    const edges: number[] = [];
    for (let t = 1 + Math.floor(next() * 2 * options.meanGap); t < options.length; t += 1 + Math.floor(next() * 2 * options.meanGap)) edges.push(t);
    return { name: `D${c}`, initial: (next() < 0.5 ? 0 : 1) as Level, edges };
  });
  return makeWaveform(options.rate, options.length, channels);
}

export interface Member {
  readonly name: string;
  readonly data: string | Uint8Array;
  readonly compress?: boolean;
}

/** A zip with exactly these members: for session files that pinrig's writer would never produce. */
export async function writeZip(path: string, members: readonly Member[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addBuffer(Buffer.from(m.data), m.name, { compress: m.compress ?? true });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

/** The sigrok metadata text for hand-made session files. */
export function metadataText(lines: Record<string, string | number>): string {
  return ['[global]', 'sigrok version=0.5.2', '', '[device 1]', ...Object.entries(lines).map(([k, v]) => `${k}=${v}`), ''].join('\n');
}

/** Member names and compression methods (0 stored, 8 deflated), as the zip directory lists them. */
export async function zipDirectory(path: string): Promise<Array<{ name: string; method: number }>> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const entries: Array<{ name: string; method: number }> = [];
  for await (const entry of zip.eachEntry()) entries.push({ name: entry.fileName, method: entry.compressionMethod });
  return entries;
}
