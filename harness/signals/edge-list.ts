/**
 * A growing list of edge ticks, handed over as one typed array: Uint32, or Float64 once widened for ticks beyond
 * 2^32 - 1 (a capture longer than 2^32 samples, VCD times in femtoseconds).
 *
 * It grows a resizable ArrayBuffer in place: no copy while growing, and none at the end, so a channel with
 * millions of edges costs its edges once in memory, not twice (blocks joined at the end would).
 */

/** ES2024 resizable ArrayBuffer: Node 20 has it, the project's TypeScript lib (ES2023) does not describe it yet. */
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableArrayBuffer;

/** The largest resizable buffer Node 20 will reserve (address space only; pages are used as they are filled). */
const MAX_BYTES = 2 ** 32;

function allocate(Kind: Uint32ArrayConstructor | Float64ArrayConstructor, length: number): Uint32Array | Float64Array {
  return new Kind(new ResizableArrayBuffer(length * Kind.BYTES_PER_ELEMENT, { maxByteLength: MAX_BYTES }), 0, length);
}

export class EdgeList {
  private ticks: Uint32Array | Float64Array = allocate(Uint32Array, 1024);
  private capacity = 1024;
  private used = 0;

  /** Ticks above 2^32 - 1 need widen() first: the caller knows when its times get that far, a check here would cost every push. */
  push(tick: number): void {
    if (this.used === this.capacity) this.grow();
    this.ticks[this.used++] = tick;
  }

  /** From here on, ticks up to 2^53 (Float64). */
  widen(): void {
    if (this.ticks instanceof Float64Array) return;
    const wide = allocate(Float64Array, this.capacity);
    wide.set(this.ticks.subarray(0, this.used));
    this.ticks = wide;
  }

  /** Takes back the last edge (a change undone within the same tick). */
  pop(): void {
    this.used--;
  }

  /** The last edge, or -1 when there is none. */
  last(): number {
    return this.used > 0 ? this.ticks[this.used - 1]! : -1;
  }

  /**
   * The edges, without copying: the list must not be used afterwards. The buffer is not shrunk to fit: V8 zeroes
   * the part it gives up, touching (and so using) memory that was only reserved.
   */
  toArray(): Uint32Array | Float64Array {
    return this.ticks.subarray(0, this.used);
  }

  private grow(): void {
    const bytes = Math.min(this.ticks.byteLength * 2, MAX_BYTES);
    if (bytes === this.ticks.byteLength) throw new RangeError(`more than ${this.used} edges on one channel`);
    const buffer = this.ticks.buffer as ResizableArrayBuffer;
    buffer.resize(bytes);
    this.capacity = bytes / this.ticks.BYTES_PER_ELEMENT;
    this.ticks = this.ticks instanceof Uint32Array ? new Uint32Array(buffer, 0, this.capacity) : new Float64Array(buffer, 0, this.capacity);
  }
}
