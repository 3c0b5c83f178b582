/**
 * QEMU's `memory_region_ops_write` trace, read while QEMU runs: every MMIO write to one device window, with the host
 * wall-clock time (microseconds) at which QEMU performed it. Writes from qtest carry cpu -1.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { LineSplitter } from '../links/lines.js';

export interface TracedWrite {
  /** Host wall-clock microseconds, as QEMU stamped the trace line. */
  readonly us: number;
  /** The vCPU that wrote, or -1 for qtest. */
  readonly cpu: number;
  readonly addr: number;
  readonly value: number;
  readonly size: 1 | 2 | 4;
}

const LINE = /^\d+@(\d+)\.(\d{6}):memory_region_ops_write cpu (-?\d+) mr 0x[0-9a-f]+ addr (0x[0-9a-f]+) value (0x[0-9a-f]+) size (\d) name '/;

/** Parses one trace line; anything else (other events, a torn line) gives undefined. */
export function parseTracedWrite(line: string): TracedWrite | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const size = Number(m[6]);
  if (size !== 1 && size !== 2 && size !== 4) return undefined;
  return { us: Number(m[1]) * 1e6 + Number(m[2]), cpu: Number(m[3]), addr: Number(m[4]), value: Number(BigInt(m[5]!) & 0xffffffffn), size };
}

/** Follows the trace file as QEMU appends to it, passing on the writes inside [base, base + size). */
export class MmioTrace {
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly splitter: LineSplitter;
  private readonly buffer = Buffer.alloc(256 * 1024);
  private reading: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    readonly file: string,
    private readonly window: { base: number; size: number },
    private readonly onWrite: (write: TracedWrite) => void,
  ) {
    this.splitter = new LineSplitter((line) => this.line(line), 4096);
  }

  /** Polls the file; QEMU writes it line-buffered, so a short interval sees writes within milliseconds. */
  start(intervalMs = 5): void {
    this.timer ??= setInterval(() => {
      // A failure (the file, or a write the model refuses) stops the polling and is raised by the next poll().
      this.poll().catch((error: Error) => {
        this.failure ??= error;
        this.stop();
      });
    }, intervalMs);
  }

  /** Reads whatever has been appended since the last read. */
  poll(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.reading ??= this.readNew().finally(() => (this.reading = undefined));
    return this.reading;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async readNew(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.file, 'r');
    } catch {
      return; // QEMU has not created it yet
    }
    try {
      for (;;) {
        const { bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        this.splitter.feed(this.buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }

  private line(line: string): void {
    const write = parseTracedWrite(line);
    if (write && write.addr >= this.window.base && write.addr < this.window.base + this.window.size) this.onWrite(write);
  }
}
