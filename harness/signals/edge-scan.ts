/**
 * Turns logic samples (sigrok's layout: `unitsize` bytes per sample, little-endian, bit i = channel i) into edges,
 * piece by piece, carrying the last sample across pieces so that a capture never has to be in memory whole.
 */
import { InputError } from '../errors.js';
import { EdgeList } from './edge-list.js';
import type { Level } from './waveform.js';

export type Unitsize = 1 | 2 | 4;

const UINT32_MAX = 0xffffffff;

/** The word-at-a-time scan reads samples through an Int32Array, which is in host byte order. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Where a channel's edges go: an EdgeList keeps them; an EdgeSummary only summarizes them. */
export interface EdgeSink {
  push(tick: number): void;
  /** Ticks beyond 2^32 - 1 follow. */
  widen(): void;
}

export interface ScannedChannel<S extends EdgeSink> {
  readonly bit: number;
  readonly initial: Level;
  readonly sink: S;
}

export interface ScanResult<S extends EdgeSink> {
  /** Samples seen. */
  readonly length: number;
  readonly channels: readonly ScannedChannel<S>[];
}

export class EdgeScanner<S extends EdgeSink = EdgeList> {
  private readonly lists: S[] = [];
  /** Only the bits of the channels asked for take part: other bits of a sample may hold anything. */
  private readonly mask: number;
  /** Bits per sample, and its log2. */
  private readonly width: number;
  private readonly shift: number;
  private readonly sampleMask: number;
  private samples = 0;
  private first = 0;
  private prev = 0;
  /** The start of a sample split between pieces, and bytes seen in the current chunk. */
  private readonly partial = new Uint8Array(4);
  private partialBytes = 0;
  private chunkBytes = 0;

  constructor(
    readonly unitsize: Unitsize,
    private readonly bits: readonly number[],
    newSink: () => S = () => new EdgeList() as unknown as S,
  ) {
    if (!HOST_IS_LITTLE_ENDIAN) throw new Error('the sample scan needs a little-endian host');
    let mask = 0;
    for (const bit of bits) {
      this.lists[bit] = newSink();
      mask |= 1 << bit;
    }
    this.mask = mask;
    this.width = 8 * unitsize;
    this.shift = Math.log2(this.width);
    this.sampleMask = unitsize === 4 ? -1 : (1 << (8 * unitsize)) - 1;
  }

  /** Feeds the next bytes of samples, in pieces of any length: a sample split between pieces is joined. */
  push(bytes: Uint8Array): void {
    const u = this.unitsize;
    this.chunkBytes += bytes.length;
    let from = 0;
    if (this.partialBytes > 0) {
      from = Math.min(bytes.length, u - this.partialBytes);
      this.partial.set(bytes.subarray(0, from), this.partialBytes);
      this.partialBytes += from;
      if (this.partialBytes < u) return;
      this.scan(this.partial.subarray(0, u));
      this.partialBytes = 0;
    }
    const whole = from + Math.floor((bytes.length - from) / u) * u;
    this.scan(bytes.subarray(from, whole));
    this.partial.set(bytes.subarray(whole));
    this.partialBytes = bytes.length - whole;
  }

  /**
   * Marks the end of a chunk (a zip member): sigrok writes whole samples to each, so a sample cut short there
   * means a damaged file. `where` names the chunk.
   */
  endChunk(where: string): void {
    const u = this.unitsize;
    if (this.partialBytes > 0) throw new InputError(where, `${this.chunkBytes} bytes is not a whole number of ${u}-byte samples (unitsize ${u})`);
    this.chunkBytes = 0;
  }

  /** Scans whole samples. */
  private scan(chunk: Uint8Array): void {
    const u = this.unitsize;
    if (chunk.length === 0) return;
    if (chunk.byteOffset % u !== 0) chunk = chunk.slice();
    if (this.samples + chunk.length / u > UINT32_MAX) for (const list of this.lists) list?.widen();
    if (this.samples === 0) {
      this.prev = this.sampleAt(chunk, 0);
      this.first = this.prev;
    }
    // Samples one by one up to a 4-byte boundary, then whole words, then the samples left over.
    const head = Math.min(chunk.length, (4 - (chunk.byteOffset % 4)) % 4);
    const words = Math.floor((chunk.length - head) / 4);
    const tail = head + words * 4;
    this.scanSamples(chunk, 0, head);
    if (words > 0) this.scanWords(new Int32Array(chunk.buffer, chunk.byteOffset + head, words), this.samples + head / u);
    this.scanSamples(chunk, tail, chunk.length);
    this.samples += chunk.length / u;
  }

  finish(): ScanResult<S> {
    return {
      length: this.samples,
      channels: this.bits.map((bit) => ({ bit, initial: ((this.first >>> bit) & 1) as Level, sink: this.lists[bit]! })),
    };
  }

  private sampleAt(chunk: Uint8Array, byte: number): number {
    let v = 0;
    for (let i = this.unitsize - 1; i >= 0; i--) v = (v << 8) | chunk[byte + i]!;
    return v & this.mask;
  }

  private scanSamples(chunk: Uint8Array, from: number, to: number): void {
    for (let byte = from; byte < to; byte += this.unitsize) {
      const v = this.sampleAt(chunk, byte);
      if (v !== this.prev) this.record(v, this.samples + byte / this.unitsize);
    }
  }

  /**
   * The hot loop. A word holds 4/unitsize samples; eight words are compared at once with the previous sample
   * replicated, and only a block that differs is taken apart. Inside it, a word XORed with itself shifted by one
   * sample (the previous sample shifted in) has a bit set exactly where a channel changed: bit b is channel
   * b % width at sample b / width.
   */
  private scanWords(words: Int32Array, firstSample: number): void {
    const { width, shift, lists, sampleMask } = this;
    const per = 32 / width;
    const top = 32 - width;
    const wordMask = this.replicate(this.mask);
    const n = words.length;
    let prev = this.prev;
    let rep = this.replicate(prev);
    // After a block with changes the next is likely to have some too (a clock): go word by word until a block has none.
    let changing = false;
    let i = 0;
    while (i < n) {
      if (!changing && i + 8 <= n) {
        const diff =
          (words[i]! ^ rep) | (words[i + 1]! ^ rep) | (words[i + 2]! ^ rep) | (words[i + 3]! ^ rep) |
          (words[i + 4]! ^ rep) | (words[i + 5]! ^ rep) | (words[i + 6]! ^ rep) | (words[i + 7]! ^ rep);
        if ((diff & wordMask) === 0) {
          i += 8;
          continue;
        }
      }
      changing = false;
      for (const end = Math.min(i + 8, n); i < end; i++) {
        const word = words[i]! & wordMask;
        let changes = word ^ (width === 32 ? prev : (word << width) | prev);
        if (changes === 0) continue;
        changing = true;
        const at = firstSample + i * per;
        do {
          const low = changes & -changes;
          const bit = 31 - Math.clz32(low);
          lists[bit & (width - 1)]!.push(at + (bit >>> shift));
          changes ^= low;
        } while (changes !== 0);
        prev = (word >>> top) & sampleMask;
      }
      rep = this.replicate(prev);
    }
    this.prev = prev;
  }

  private replicate(sample: number): number {
    if (this.unitsize === 1) return Math.imul(sample, 0x01010101);
    if (this.unitsize === 2) return sample | (sample << 16);
    return sample;
  }

  private record(sample: number, at: number): void {
    let diff = sample ^ this.prev;
    this.prev = sample;
    while (diff !== 0) {
      const low = diff & -diff;
      this.lists[31 - Math.clz32(low)]!.push(at);
      diff ^= low;
    }
  }
}
