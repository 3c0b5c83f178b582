/**
 * A one-line picture of a channel for `pinrig capture inspect`: computed in one pass over the edges, without
 * building per-edge objects, so that it stays cheap on captures with millions of edges.
 */
import { findChannel, type Level, type Waveform } from './waveform.js';

export interface ChannelSummary {
  readonly name: string;
  readonly edges: number;
  readonly initial: Level;
  /** Hertz, from the first to the last rising edge; present with at least two rising edges. */
  readonly frequency?: number;
  /** Mean over complete periods (rising, falling, rising), 0..1; present with at least one such period. */
  readonly dutyCycle?: number;
  /** Seconds, over complete pulses of either level; present with at least two edges. */
  readonly pulseWidth?: { readonly min: number; readonly max: number };
}

export function channelSummary(waveform: Waveform, channel: string): ChannelSummary {
  const ch = findChannel(waveform, channel);
  const edges = ch.edges;
  const n = edges.length;
  let minWidth = Number.POSITIVE_INFINITY;
  let maxWidth = 0;
  let dutySum = 0;
  let periodCount = 0;
  // Index of the first rising edge: edge 0 rises when the channel starts low.
  const firstRising = ch.initial === 0 ? 0 : 1;
  for (let i = 1; i < n; i++) {
    const width = edges[i]! - edges[i - 1]!;
    if (width < minWidth) minWidth = width;
    if (width > maxWidth) maxWidth = width;
  }
  for (let i = firstRising; i + 2 < n; i += 2) {
    dutySum += (edges[i + 1]! - edges[i]!) / (edges[i + 2]! - edges[i]!);
    periodCount++;
  }
  const summary: ChannelSummary = { name: ch.name, edges: n, initial: ch.initial };
  if (n < 2) return summary;
  const pulseWidth = { min: minWidth / waveform.rate, max: maxWidth / waveform.rate };
  if (periodCount === 0) return { ...summary, pulseWidth };
  const lastRising = firstRising + 2 * periodCount;
  return {
    ...summary,
    frequency: (periodCount * waveform.rate) / (edges[lastRising]! - edges[firstRising]!),
    dutyCycle: dutySum / periodCount,
    pulseWidth,
  };
}
