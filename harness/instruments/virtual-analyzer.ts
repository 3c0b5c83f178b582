/**
 * The virtual logic analyzer of the emulation targets: the guest's MMIO writes to the GPIO block (from QEMU's trace)
 * are fed to the register model, and the model's pin changes become a Capture.
 *
 * Timestamp source: QEMU stamps each trace line with host wall-clock microseconds when it performs the write; under
 * TCG the guest clock follows host time, so intervals between writes are what the guest really did, to 1 us.
 * A recording begins and ends at a fence: a qtest write that changes nothing (e.g. GPSET0 ← 0). When the trace shows
 * the fence, every write before it has been seen, so a capture is never cut short by file buffering.
 * Measured (bench/analyzer.ts, 2-core host under load): `gpioset --mode=time --usec=N` pulses measure N + 0.7..1.6 ms,
 * which is gpioset's own release path between its two register writes; qtest output events of the same edges arrive
 * 0.2..4 ms (median 0.5 ms) after the trace's timestamp, so the trace, not the event stream, is the time reference.
 */
import type { RegisterModel, RegisterWrite, Level } from '../models/types.js';
import type { Capture } from '../signals/capture.js';
import { makeWaveform, type Channel } from '../signals/waveform.js';
import type { TracedWrite } from './mmio-trace.js';

/** A decoded register write, as attached to a test. */
export interface RegisterLogEntry {
  readonly us: number;
  readonly cpu: number;
  readonly description: string;
}

export interface Recording {
  /** Channel name → pin number. */
  readonly pins: Readonly<Record<string, number>>;
  stop(): Promise<{ capture: Capture; registerLog: RegisterLogEntry[] }>;
}

export interface FenceWriter {
  /** Address and value of a write that changes nothing on this controller. */
  readonly addr: number;
  readonly value: number;
  /** Performs it through qtest. */
  write(): Promise<void>;
  /** Reads the trace until the fence has arrived. */
  poll(): Promise<void>;
}

interface Active {
  startUs: number | undefined;
  initial: Map<number, Level>;
  changes: Array<{ pin: number; us: number }>;
  log: RegisterLogEntry[];
  waitingFence: (() => void) | undefined;
  endUs: number | undefined;
}

const MAX_LOG = 100_000;

export class VirtualAnalyzer {
  private readonly active = new Set<Active>();
  /** Outside drives waiting for their fence: the trace cannot show them, so the fence stamps them. */
  private readonly pendingDrives: Array<{ pin: number; level: Level }> = [];

  constructor(
    readonly model: RegisterModel,
    private readonly fence: FenceWriter,
    /** On QEMU's BCM2835, a host (qtest) GPSET/GPCLR on an input pin is how inputs are driven from outside. */
    private readonly hostWritesDriveInputs: boolean,
  ) {}

  /** Feeds one traced write; MmioTrace calls this for every write in the GPIO window. */
  onWrite(traced: TracedWrite): void {
    const isFence = traced.cpu === -1 && traced.addr === this.fence.addr && traced.value === this.fence.value;
    const write: RegisterWrite = { t: traced.us / 1e6, addr: traced.addr, value: traced.value, size: traced.size, source: traced.cpu === -1 ? 'qtest' : 'mmio-log' };
    const changes = traced.cpu === -1 && this.hostWritesDriveInputs && !isFence ? this.hostDrive(write) : this.model.write(write);
    if (isFence) {
      for (const drive of this.pendingDrives.splice(0)) changes.push(...this.model.drive(drive.pin, drive.level, write.t));
    }
    for (const rec of this.active) {
      if (rec.startUs === undefined) {
        if (isFence && rec.waitingFence) this.open(rec, traced.us);
        continue;
      }
      if (rec.endUs !== undefined) continue;
      if (isFence && rec.waitingFence) {
        rec.endUs = traced.us;
        rec.waitingFence();
        continue;
      }
      for (const c of changes) if (rec.initial.has(c.pin)) rec.changes.push({ pin: c.pin, us: traced.us });
      if (!isFence && rec.log.length < MAX_LOG) rec.log.push({ us: traced.us - rec.startUs, cpu: traced.cpu, description: this.model.describe(write) });
    }
  }

  /** Starts recording the given pins: sample 0 is the start fence. */
  async record(pins: Readonly<Record<string, number>>): Promise<Recording> {
    for (const [name, pin] of Object.entries(pins)) {
      if (!Number.isInteger(pin) || pin < 0 || pin >= this.model.pinCount) {
        throw new Error(`virtual analyzer: channel ${name} names pin ${pin}, but ${this.model.name} has pins 0..${this.model.pinCount - 1}`);
      }
    }
    const rec: Active = { startUs: undefined, initial: new Map(Object.values(pins).map((p) => [p, 0 as Level])), changes: [], log: [], waitingFence: undefined, endUs: undefined };
    this.active.add(rec);
    try {
      await this.passFence(rec);
    } catch (error) {
      this.active.delete(rec);
      throw error;
    }
    return { pins, stop: () => this.finish(rec, pins) };
  }

  /**
   * Drives an input pin from outside where the trace cannot see it (qtest set_irq_in): `send` is issued right after a
   * fence on the same qtest connection, so QEMU handles both back to back and the fence's timestamp dates the drive.
   */
  async driveAtFence(pin: number, level: Level, send: () => Promise<void>): Promise<void> {
    const marker: Active = { startUs: undefined, initial: new Map(), changes: [], log: [], waitingFence: undefined, endUs: undefined };
    this.pendingDrives.push({ pin, level });
    this.active.add(marker);
    try {
      await Promise.all([this.passFence(marker), send()]);
    } finally {
      this.active.delete(marker);
    }
  }

  /** Returns once every write the guest made before this call has reached the model. */
  async sync(): Promise<void> {
    await (await this.record({})).stop();
  }

  private open(rec: Active, us: number): void {
    rec.startUs = us;
    for (const pin of rec.initial.keys()) rec.initial.set(pin, this.model.level(pin));
    const done = rec.waitingFence!;
    rec.waitingFence = undefined;
    done();
  }

  private async finish(rec: Active, pins: Readonly<Record<string, number>>): Promise<{ capture: Capture; registerLog: RegisterLogEntry[] }> {
    try {
      await this.passFence(rec);
    } finally {
      this.active.delete(rec);
    }
    const start = rec.startUs!;
    const length = rec.endUs! - start + 1;
    const channels: Channel[] = Object.entries(pins).map(([name, pin]) => {
      const edges: number[] = [];
      for (const change of rec.changes) {
        if (change.pin !== pin) continue;
        // Two changes within the same microsecond merge, as they would on a 1 MHz analyzer.
        const tick = Math.max(change.us - start, 1);
        if (edges.length && edges[edges.length - 1]! >= tick) edges.pop();
        else edges.push(tick);
      }
      return { name, initial: rec.initial.get(pin)!, edges };
    });
    const capture: Capture = {
      waveform: makeWaveform(1e6, length, channels, 'virtual analyzer'),
      source: { instrument: 'qemu-mmio-trace', samplerate: 1e6, startedAt: new Date(start / 1000).toISOString() },
      pins: Object.fromEntries(Object.entries(pins).map(([name, pin]) => [name, this.model.pinName(pin)])),
      files: {},
    };
    return { capture, registerLog: rec.log };
  }

  /** Writes a fence and waits until the trace has delivered it (bounded). */
  private async passFence(rec: Active, timeoutMs = 5000): Promise<void> {
    const arrived = new Promise<void>((resolve) => (rec.waitingFence = resolve));
    await this.fence.write();
    const deadline = Date.now() + timeoutMs;
    let seen = false;
    void arrived.then(() => (seen = true));
    while (!seen) {
      if (Date.now() > deadline) throw new Error(`virtual analyzer: the fence write did not appear in QEMU's MMIO trace within ${timeoutMs} ms`);
      await this.fence.poll();
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** A host write on QEMU's BCM2835 sets or clears the level of input pins: the model sees it as an outside signal. */
  private hostDrive(write: RegisterWrite): ReturnType<RegisterModel['write']> {
    const offset = write.addr - this.model.base;
    const setOrClear = offset === 0x1c || offset === 0x20 ? 1 : offset === 0x28 || offset === 0x2c ? 0 : undefined;
    if (setOrClear === undefined) return this.model.write(write);
    const bank = offset === 0x1c || offset === 0x28 ? 0 : 32;
    const changes = [];
    for (let bit = 0; bit < 32; bit++) {
      const pin = bank + bit;
      if (!((write.value >>> bit) & 1) || pin >= this.model.pinCount) continue;
      if (this.model.direction(pin) === 'in') changes.push(...this.model.drive(pin, setOrClear as Level, write.t));
    }
    const outputsOnly = { ...write, value: (write.value & ~this.inputMask(bank)) >>> 0 };
    return outputsOnly.value ? [...changes, ...this.model.write(outputsOnly)] : changes;
  }

  private inputMask(bank: number): number {
    let mask = 0;
    for (let bit = 0; bit < 32 && bank + bit < this.model.pinCount; bit++) if (this.model.direction(bank + bit) === 'in') mask |= 1 << bit;
    return mask >>> 0;
  }
}
