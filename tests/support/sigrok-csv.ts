/**
 * sigrok-cli as the reference reader of a capture: `-O csv:dedup=true:time=true`, parsed back into a Waveform at the
 * file's sample rate. CSV, not sigrok's VCD: libsigrok 0.5.2's VCD output puts the names on the wrong bits when the
 * probe numbers have gaps, while its CSV (and the raw sample bits) are right.
 */
import { expect } from '@playwright/test';
import { execa } from 'execa';
import type { Level, Waveform } from '../../harness/signals/waveform.js';

/** What sigrok says of one channel: its name, first level and edges (sample indices). */
export interface SigrokChannel {
  name: string;
  initial: Level;
  edges: number[];
}

/**
 * libsigrok 0.5.2's csv output: the time column is (sample index + 1) × period, with period = 10^(3k) / samplerate in
 * whole units (integer division), 10^(3k) the first power of 1000 at or above the rate, in the unit named in the
 * header (samples, milliseconds, microseconds, ...). So the sample index is time / period - 1, exactly.
 */
function samplePeriod(rate: number): number {
  let scale = 1;
  while (scale < rate) scale *= 1000;
  return Math.floor(scale / rate);
}

/**
 * Each channel as sigrok-cli reads the capture. `perSample`: one CSV row per sample, without time or dedup, so the row
 * is the sample index; for VCD input, where sigrok learns the rate only after the CSV header and prints 0 for
 * every time.
 */
export async function sigrokChannels(args: readonly string[], rate: number, options: { perSample?: boolean } = {}): Promise<SigrokChannel[]> {
  const format = options.perSample ? 'csv:dedup=false:time=false' : 'csv:dedup=true:time=true';
  const command = `sigrok-cli ${args.join(' ')} -O ${format}`;
  const { stdout, stderr } = await execa('sigrok-cli', [...args, '-O', format], { maxBuffer: 1 << 30 });
  expect(stderr, `${command} wrote to stderr`).toBe('');
  const lines = stdout.split('\n').filter((l) => l && !l.startsWith('META '));
  const channelsLine = lines.find((l) => l.startsWith('; Channels ('));
  if (!channelsLine) throw new Error(`${command}: no "; Channels" line in:\n${stdout.slice(0, 500)}`);
  const names = channelsLine.replace(/^; Channels \(\d+\/\d+\): ?/, '').split(', ');
  const [header, ...body] = lines.filter((l) => !l.startsWith(';'));
  const columns = (header ?? '').split(',');
  const rows = body.map((l, i) => (options.perSample ? [i, ...l.split(',').map(Number)] : l.split(',').map(Number)));
  const sampleOf = options.perSample ? (row: number[]) => row[0]! : (row: number[]) => row[0]! / samplePeriod(rate) - 1;
  // The header row says which columns are logic ("logic") and which analog (their unit): analog ones are left out.
  const logic = (options.perSample ? columns : columns.slice(1)).map((kind, c) => (kind === 'logic' ? c : -1)).filter((c) => c >= 0);
  return logic.map((c) => {
    const name = names[c]!;
    const edges: number[] = [];
    let level = rows[0]?.[c + 1] ?? 0;
    for (const row of rows.slice(1)) {
      if (row[c + 1] !== level) edges.push(sampleOf(row));
      level = row[c + 1]!;
    }
    return { name, initial: (rows[0]?.[c + 1] ?? 0) as Level, edges };
  });
}

/** pinrig's reading of a capture, in the same terms, to compare with sigrokChannels(). */
export function pinrigChannels(waveform: Waveform): SigrokChannel[] {
  return waveform.channels.map((c) => ({ name: c.name, initial: c.initial, edges: Array.from(c.edges) }));
}
