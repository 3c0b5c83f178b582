/**
 * The virtual logic analyzer of the emulation targets: the guest's stores into the GPIO block, stamped in QEMU's
 * virtual clock by the gpio-stores plugin, are fed to the register model, and the model's pin changes become a
 * Capture on a 1 GHz timebase (integer virtual nanoseconds). Nothing here reads the host's clock, so a verdict does
 * not depend on how busy the host is.
 *
 * A recording begins and ends at a fence: the VM is stopped (QMP), the plugin is asked for the virtual clock (its
 * answer follows every store made before it), and the VM continues if the host is waiting on it. An input the host drives is applied at such a
 * fence, so it lands at exactly the virtual time the fence read.
 */
import type { Level, RegisterModel, RegisterWrite } from '../../models/types.js';
import type { Capture } from '../../signals/capture.js';
import { makeWaveform, NANOSECONDS, type Channel } from '../../signals/waveform.js';
import type { Recording, RecordingResult, RegisterLogEntry } from '../recording.js';
import type { StoreRecord, StoreStream } from './store-stream.js';

/** When the guest runs (harness/targets/guest-run.ts). */
export interface VmControl {
  /** Runs `work` with the guest's CPUs stopped, once QEMU's output events raised before the stop are in. */
  stopped<T>(work: () => Promise<T>): Promise<T>;
  /** Runs `work` with the guest running (a wait on its virtual clock). */
  running<T>(work: () => Promise<T>): Promise<T>;
}

interface Active {
  readonly startNs: number;
  readonly initial: ReadonlyMap<number, Level>;
  readonly changes: Array<{ pin: number; ns: number }>;
  readonly log: RegisterLogEntry[];
  /** QEMU's own output-line events per pin, in order (the second opinion). */
  readonly events: Map<number, Level[]>;
  dropped: number;
}

/** Per recording: at most this many register log entries and pin changes are kept (the rest are counted). */
const MAX_KEPT = 200_000;
/** Wall-clock bound on waiting for the guest's virtual clock to move. */
const UNTIL_WALL_MS = 5000;

/** Register writes kept from boot for a snapshot of the guest (a booted guest makes a few dozen). */
const MAX_HISTORY = 10_000;

export class QemuProbe {
  private readonly active = new Set<Active>();
  /** Every write since the machine started, until takeHistory(): what a snapshot's model replays. */
  private history: RegisterWrite[] | undefined = [];
  private fences: Promise<unknown> = Promise.resolve();
  /** The virtual time of the last fence: the guest is paused between the host's actions, so the next may fall on it. */
  private lastFenceNs: number | undefined;

  constructor(
    readonly model: RegisterModel,
    private readonly stream: StoreStream,
    private readonly vm: VmControl,
  ) {
    stream.onStore((record) => this.onStore(record));
  }

  /** Starts recording the given pins (channel name → pin); sample 0 is the virtual time of the start fence. */
  async record(pins: Readonly<Record<string, number>>): Promise<Recording> {
    for (const [name, pin] of Object.entries(pins)) {
      if (!Number.isInteger(pin) || pin < 0 || pin >= this.model.pinCount) {
        throw new Error(`QEMU probe: channel ${name} names pin ${pin}, but ${this.model.name} has pins 0..${this.model.pinCount - 1}`);
      }
    }
    let rec: Active | undefined;
    await this.fence((ns) => {
      rec = { startNs: ns, initial: new Map(Object.values(pins).map((p) => [p, this.model.level(p)])), changes: [], log: [], events: new Map(Object.values(pins).map((p) => [p, []])), dropped: 0 };
      this.active.add(rec);
    });
    return {
      stop: () => this.finish(rec!, pins),
      salvage: () => {
        this.active.delete(rec!);
        const last = rec!.log.reduce((latest, e) => Math.max(latest, rec!.startNs + e.ns), rec!.startNs);
        return this.result(rec!, pins, last + 1);
      },
    };
  }

  /**
   * Drives an input pin from the host: `apply` (a qtest write or set_irq_in) runs with the VM stopped, so the change
   * lands at the fence's virtual time, which is what the model and every open recording are told. Returns that time.
   */
  async drive(pin: number, level: Level, apply: () => Promise<void>): Promise<number> {
    // A drive at the instant of the last fence would be a pulse no guest instruction could see (after a drive), or a
    // change before the recording's first sample (after a start): let the guest run first.
    if (this.lastFenceNs !== undefined) await this.until(this.lastFenceNs + 1);
    let at = 0;
    await this.fence((ns) => {
      at = ns;
      this.noteChanges(this.model.drive(pin, level, ns / NANOSECONDS), ns, { ns, cpu: -1, description: `host drives ${this.model.pinName(pin)} ${level ? 'high' : 'low'}` });
    }, apply);
    return at;
  }

  /**
   * Resolves once the guest's virtual clock has reached `ns`. Virtual time moves only while the guest runs (idle
   * stretches are skipped to the next timer), so this is bounded in wall time, and says so when the bound is hit.
   */
  until(ns: number, wallMs = UNTIL_WALL_MS): Promise<void> {
    return this.vm.running(async () => {
      const deadline = Date.now() + wallMs;
      while ((await this.stream.clock()) < ns) {
        if (Date.now() > deadline) throw new Error(`QEMU probe: the guest's virtual clock did not reach ${ns} ns within the wall-clock limit of ${wallMs} ms (the guest runs slower than real time, or is stuck with no timer pending)`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
  }

  /**
   * Lets `ms` of the guest's virtual time pass (a wait a scenario or rubric means in the guest's time); bounded in
   * wall-clock time by `wallMs`, by default 20 times the wait and at least UNTIL_WALL_MS.
   */
  async elapse(ms: number, wallMs = Math.max(UNTIL_WALL_MS, 20 * ms)): Promise<void> {
    await this.until((await this.stream.clock()) + Math.round(ms * 1e6), wallMs);
  }

  /** Returns once every store the guest made before this call has reached the model (the VM is not stopped for it). */
  async sync(): Promise<void> {
    await this.stream.clock();
  }

  /**
   * QEMU raised or lowered an output line (qtest's intercepted IRQ events). VmControl.stop must deliver the events
   * raised before the stop, so each event falls in the recordings whose fences enclose it.
   */
  onQemuEvent(pin: number, level: Level): void {
    for (const rec of this.active) rec.events.get(pin)?.push(level);
  }

  /**
   * The writes the model has taken since the machine started, for a snapshot of the guest: applied to a fresh model,
   * they give this model's state. Ends the history (undefined if it outgrew its bound).
   */
  takeHistory(): RegisterWrite[] | undefined {
    const history = this.history;
    this.history = undefined;
    return history;
  }

  private onStore(record: StoreRecord): void {
    const write: RegisterWrite = { t: record.ns / NANOSECONDS, addr: record.addr, value: record.value, size: record.size, source: 'gpio-stores plugin' };
    if (this.history) this.history = this.history.length < MAX_HISTORY ? (this.history.push(write), this.history) : undefined;
    const changes = this.model.write(write);
    this.noteChanges(changes, record.ns, { ns: record.ns, cpu: record.cpu, description: this.model.describe(write) });
  }

  private noteChanges(changes: ReadonlyArray<{ pin: number }>, ns: number, entry: RegisterLogEntry): void {
    for (const rec of this.active) {
      if (rec.log.length + rec.changes.length >= MAX_KEPT) {
        rec.dropped++;
        continue;
      }
      rec.log.push({ ...entry, ns: entry.ns - rec.startNs });
      for (const c of changes) if (rec.initial.has(c.pin)) rec.changes.push({ pin: c.pin, ns });
    }
  }

  private async finish(rec: Active, pins: Readonly<Record<string, number>>): Promise<RecordingResult> {
    let endNs = rec.startNs;
    try {
      // Leave `active` at the fence itself: stores after it (the VM continues before fence() returns) are not ours.
      await this.fence((ns) => {
        endNs = ns;
        this.active.delete(rec);
      });
    } finally {
      this.active.delete(rec);
    }
    if (rec.dropped) {
      throw new Error(`QEMU probe: the guest made more than ${MAX_KEPT} GPIO register writes during one recording (${rec.dropped} more were not kept); record a shorter step`);
    }
    return this.result(rec, pins, endNs);
  }

  /** The capture of a recording that ends at `endNs`. */
  private result(rec: Active, pins: Readonly<Record<string, number>>, endNs: number): RecordingResult {
    const length = endNs - rec.startNs + 1;
    const channels: Channel[] = Object.entries(pins).map(([name, pin]) => {
      const edges: number[] = [];
      for (const change of rec.changes) {
        if (change.pin !== pin) continue;
        // Two changes in the same nanosecond (one instruction) merge; a change at the start fence counts at tick 1.
        const tick = Math.max(change.ns - rec.startNs, 1);
        if (edges.length && edges[edges.length - 1]! >= tick) edges.pop();
        else edges.push(tick);
      }
      return { name, initial: rec.initial.get(pin)!, edges };
    });
    const capture: Capture = {
      waveform: makeWaveform(NANOSECONDS, length, channels, 'QEMU probe'),
      source: { instrument: 'qemu-gpio-stores', samplerate: NANOSECONDS, trigger: `virtual time ${rec.startNs} ns` },
      pins: Object.fromEntries(Object.entries(pins).map(([name, pin]) => [name, this.model.pinName(pin)])),
      files: {},
    };
    const qemuEvents = Object.fromEntries(Object.entries(pins).map(([name, pin]) => [name, rec.events.get(pin)!]));
    return { capture, registerLog: rec.log, qemuEvents };
  }

  /**
   * With the VM stopped: runs `during` (host drives), reads the virtual clock (after every earlier store has reached
   * the model) and hands it to `at`. Fences run one at a time.
   */
  private fence(at: (ns: number) => void, during?: () => Promise<void>): Promise<void> {
    const run = () => this.vm.stopped(async () => {
      await during?.();
      const ns = await this.stream.clock();
      this.lastFenceNs = ns;
      at(ns);
    });
    const next = this.fences.then(run, run);
    this.fences = next.catch(() => {});
    return next;
  }
}
