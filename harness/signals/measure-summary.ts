/** The one-line picture of a channel of a waveform in memory (`pinrig capture inspect` on a VCD). */
import { EdgeSummary, type ChannelSummary } from './edge-summary.js';
import { findChannel, type Waveform } from './waveform.js';

export type { ChannelSummary } from './edge-summary.js';

export function channelSummary(waveform: Waveform, channel: string): ChannelSummary {
  const ch = findChannel(waveform, channel);
  const summary = new EdgeSummary();
  for (let i = 0; i < ch.edges.length; i++) summary.push(ch.edges[i]!);
  return summary.summary(ch.name, ch.initial, waveform.rate);
}
