/**
 * Part of a waveform: some of its channels, over a time window, as a waveform of its own that starts at the window's
 * start (what `pinrig capture convert --channels --from --to` writes).
 */
import { InputError } from '../errors.js';
import { windowTicks, type TimeWindow } from './measure.js';
import { edgeIndexAt, levelAt, makeWaveform, type Waveform } from './waveform.js';

export function excerpt(waveform: Waveform, options: { channels?: readonly string[]; window?: TimeWindow } = {}): Waveform {
  const names = options.channels ?? waveform.channels.map((c) => c.name);
  const channels = names.map((name) => {
    const channel = waveform.channels.find((c) => c.name === name);
    if (!channel) throw new InputError(`channel ${JSON.stringify(name)}`, `not in the capture (it has ${waveform.channels.map((c) => c.name).join(', ') || 'no channels'})`);
    return channel;
  });
  const { first, end } = windowTicks(waveform, 'capture', options.window);
  return makeWaveform(waveform.rate, end - first, channels.map((c) => {
    const from = edgeIndexAt(c.edges, first + 1);
    const to = edgeIndexAt(c.edges, end);
    return { name: c.name, initial: levelAt(c, first), edges: Array.from(c.edges.slice(from, to), (t) => t - first) };
  }));
}
