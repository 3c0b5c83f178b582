/**
 * `pinrig capture inspect FILE`: what a capture holds, per channel. `--json` prints one object whose field names are
 * a contract for other tools: { samplerate, samples, channels: [{ name, edges, initial, ... }] }.
 */
import { captureKind, notACapture } from '../files/capture.js';
import { summarizeSr } from '../files/sr.js';
import { readVcd } from '../files/vcd.js';
import { channelSummary, type ChannelSummary } from '../signals/measure-summary.js';
import { formatFrequency, formatRatio, formatTime } from '../signals/units.js';

export interface CaptureReport {
  readonly file: string;
  readonly samplerate: number;
  readonly samples: number;
  readonly duration: number;
  readonly channels: readonly ChannelSummary[];
  /** Analog channels of the file, not read: pinrig reads logic channels. */
  readonly skipped: readonly string[];
}

/** A session file is summarized as it is scanned (memory bounded whatever its length); a VCD is read whole. */
export async function inspectCapture(file: string): Promise<CaptureReport> {
  const kind = await captureKind(file);
  if (kind === 'sr') {
    const { metadata, length, channels } = await summarizeSr(file);
    const rate = metadata.samplerate;
    return { file, samplerate: rate, samples: length, duration: length / rate, channels, skipped: metadata.analog };
  }
  if (kind !== 'vcd') throw notACapture(file);
  const waveform = await readVcd(file);
  return {
    file,
    samplerate: waveform.rate,
    samples: waveform.length,
    duration: waveform.length / waveform.rate,
    channels: waveform.channels.map((c) => channelSummary(waveform, c.name)),
    skipped: [],
  };
}

export function formatReport(report: CaptureReport): string {
  const header = `${report.file}\n  ${formatFrequency(report.samplerate)}, ${report.samples} samples, ${formatTime(report.duration)}, ${report.channels.length} channel(s)`;
  const columns = ['channel', 'edges', 'initial', 'frequency', 'duty cycle', 'pulse width'];
  const rows = report.channels.map((c) => [
    c.name,
    String(c.edges),
    String(c.initial),
    c.frequency === undefined ? '-' : formatFrequency(c.frequency, 6),
    c.dutyCycle === undefined ? '-' : formatRatio(c.dutyCycle, 4),
    c.pulseWidth ? `${formatTime(c.pulseWidth.min, 4)} .. ${formatTime(c.pulseWidth.max, 4)}` : '-',
  ]);
  const widths = columns.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  const skipped = report.skipped.length ? [`  analog channels not read: ${report.skipped.join(', ')}`] : [];
  return [header, ...skipped, '', line(columns), ...rows.map(line)].join('\n');
}
