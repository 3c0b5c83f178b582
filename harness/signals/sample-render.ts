/**
 * Renders a Waveform as logic samples in sigrok's layout (channel i = bit i, `unitsize` bytes per sample,
 * little-endian), a chunk at a time, so that a long capture is written without holding all its samples.
 */
import { HOST_IS_LITTLE_ENDIAN, type Unitsize } from './edge-scan.js';
import type { Waveform } from './waveform.js';

export class SampleRenderer {
  /** Next edge per channel, and where it is (Infinity when the channel has no more). */
  private readonly nextEdge: number[];
  private readonly nextTick: number[];
  private value: number;
  private at = 0;

  constructor(
    private readonly waveform: Waveform,
    readonly unitsize: Unitsize,
  ) {
    if (!HOST_IS_LITTLE_ENDIAN) throw new Error('the sample renderer needs a little-endian host');
    this.nextEdge = waveform.channels.map(() => 0);
    this.nextTick = waveform.channels.map((ch) => ch.edges[0] ?? Infinity);
    this.value = waveform.channels.reduce((v, ch, bit) => v | (ch.initial << bit), 0);
  }

  get remaining(): number {
    return this.waveform.length - this.at;
  }

  /** The next `count` samples (fewer at the end of the waveform). */
  next(count: number): Uint8Array {
    const start = this.at;
    const end = Math.min(start + count, this.waveform.length);
    const bytes = new Uint8Array((end - start) * this.unitsize);
    const samples = this.unitsize === 1 ? bytes : this.unitsize === 2 ? new Uint16Array(bytes.buffer) : new Uint32Array(bytes.buffer);
    let from = start;
    while (from < end) {
      const event = this.earliest();
      const to = Math.min(event, end);
      if (this.value !== 0) samples.fill(this.value, from - start, to - start);
      from = to;
      if (event === to) this.toggleAt(event);
    }
    this.at = end;
    return bytes;
  }

  private earliest(): number {
    let min = Infinity;
    for (const t of this.nextTick) if (t < min) min = t;
    return min;
  }

  private toggleAt(tick: number): void {
    const channels = this.waveform.channels;
    for (let c = 0; c < channels.length; c++) {
      if (this.nextTick[c] !== tick) continue;
      this.value ^= 1 << c;
      const i = ++this.nextEdge[c]!;
      this.nextTick[c] = channels[c]!.edges[i] ?? Infinity;
    }
  }
}
