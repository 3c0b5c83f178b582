/**
 * Samples of any unitsize (libsigrok allows any number of bytes) as 4-byte samples holding bytes
 * [firstByte, firstByte + 4) of each, for the edge scan, which reads 1-, 2- and 4-byte samples. Bytes past the end of
 * a sample read as 0. A sample split between pieces is carried to the next piece.
 */
export class SampleWindow {
  private readonly carry: Uint8Array;
  private carried = 0;

  constructor(
    readonly unitsize: number,
    readonly firstByte: number,
  ) {
    this.carry = new Uint8Array(unitsize);
  }

  /** Bytes of a sample begun but not finished. */
  get pending(): number {
    return this.carried;
  }

  /** The 4-byte samples of every sample completed by these bytes. */
  push(bytes: Uint8Array): Uint8Array {
    const u = this.unitsize;
    const total = this.carried + bytes.length;
    const out = new Uint8Array(Math.floor(total / u) * 4);
    let o = 0;
    let from = 0;
    if (this.carried > 0) {
      from = Math.min(bytes.length, u - this.carried);
      this.carry.set(bytes.subarray(0, from), this.carried);
      this.carried += from;
      if (this.carried < u) return out;
      this.copy(this.carry, 0, out, o);
      o += 4;
      this.carried = 0;
    }
    let at = from;
    for (; at + u <= bytes.length; at += u, o += 4) this.copy(bytes, at, out, o);
    this.carry.set(bytes.subarray(at));
    this.carried = bytes.length - at;
    return out;
  }

  private copy(sample: Uint8Array, start: number, out: Uint8Array, o: number): void {
    for (let b = 0; b < 4; b++) {
      const i = this.firstByte + b;
      out[o + b] = i < this.unitsize ? sample[start + i]! : 0;
    }
  }
}
