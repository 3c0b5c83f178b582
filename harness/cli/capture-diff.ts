/**
 * `pinrig capture diff A B`: per channel of A, B's edges against A's in order: edge counts, the largest time offset
 * between matched edges, and the first difference beyond the tolerance. The two may have different sample rates.
 */
import { readCapture } from '../files/capture.js';
import { compareWaveforms, type ChannelComparison } from '../signals/compare.js';
import { formatTime } from '../signals/units.js';
import type { Waveform } from '../signals/waveform.js';

export interface ChannelDiff {
  readonly name: string;
  readonly edgesA: number;
  readonly edgesB: number;
  /** Seconds, signed (B later is positive): the largest offset over the edges both have. */
  readonly maxOffset: number;
  /** The first difference beyond the tolerance, in words; absent when the channel agrees. */
  readonly firstDifference?: string;
}

export interface CaptureDiff {
  readonly same: boolean;
  readonly channels: readonly ChannelDiff[];
}

export async function diffCaptures(a: string, b: string, options: { tolerance?: string; channels?: readonly string[] } = {}): Promise<CaptureDiff> {
  const [first, second] = await Promise.all([readCapture(a), readCapture(b)]);
  const comparison = compareWaveforms(second.waveform, first.waveform, {
    ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
  });
  const channels = comparison.channels.map((c) => channelDiff(c, first.waveform, second.waveform));
  return { same: comparison.ok, channels };
}

function channelDiff(c: ChannelComparison, a: Waveform, b: Waveform): ChannelDiff {
  const edgesA = a.channels.find((ch) => ch.name === c.name)!.edges;
  const edgesB = b.channels.find((ch) => ch.name === c.name)?.edges ?? [];
  let maxOffset = 0;
  for (let i = 0; i < Math.min(edgesA.length, edgesB.length); i++) {
    const offset = edgesB[i]! / b.rate - edgesA[i]! / a.rate;
    if (Math.abs(offset) > Math.abs(maxOffset)) maxOffset = offset;
  }
  return { name: c.name, edgesA: c.expectedEdges, edgesB: c.seenEdges, maxOffset, ...(c.difference ? { firstDifference: c.difference.message } : {}) };
}

export function formatDiff(diff: CaptureDiff, a: string, b: string): string {
  const lines = diff.channels.map((c) => {
    const counts = `${c.edgesA} edges in A, ${c.edgesB} in B`;
    const offset = c.maxOffset === 0 ? 'same times' : `B up to ${formatTime(Math.abs(c.maxOffset))} ${c.maxOffset > 0 ? 'later' : 'earlier'}`;
    return `  ${c.name}: ${counts}, ${offset}${c.firstDifference ? `\n    first difference: ${c.firstDifference}` : ''}`;
  });
  return [`A ${a}`, `B ${b}`, ...lines, diff.same ? 'same within the tolerance' : 'they differ'].join('\n');
}
