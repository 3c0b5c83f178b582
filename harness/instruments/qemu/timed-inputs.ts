/**
 * The timed-inputs plugin's stream (timed-inputs.c): pinrig listens on a unix socket before QEMU starts; the plugin
 * connects as QEMU loads it. A schedule of level changes on one input line, armed while the VM is stopped, is applied
 * by a timer on QEMU's virtual clock at exactly the planned nanoseconds; every change is reported with its time.
 */
import net from 'node:net';
import { LineSplitter } from '../../links/lines.js';
import type { Level } from '../../models/types.js';

/** A level change `afterNs` virtual nanoseconds after the schedule is armed. */
export interface LevelChange {
  readonly afterNs: number;
  readonly level: Level;
}

export interface ArmedChanges {
  /** The virtual time (ns) the offsets count from: the stopped VM's clock when the schedule was armed. */
  readonly startNs: number;
  /** Each change's virtual time once all are applied; rejects if one landed off its planned nanosecond. */
  readonly applied: Promise<number[]>;
}

/** At most this many changes in one schedule (the plugin's bound). */
export const MAX_CHANGES = 4096;

const HELLO = /^H pinrig-timed-inputs 1$/;
const REPLY = /^([AEDF]) (\d+)(?: (.*))?$/;

interface Pending {
  readonly changes: readonly LevelChange[];
  readonly line: number;
  readonly armed: (startNs: number) => void;
  startNs?: number;
  readonly times: number[];
  readonly resolve: (times: number[]) => void;
  readonly reject: (error: Error) => void;
}

export class TimedInputs {
  private socket: net.Socket | undefined;
  private closedReason: string | undefined;
  private hello: (() => void) | undefined;
  private pending: { id: number; work: Pending } | undefined;
  private nextId = 1;
  private changeListener: (line: number, level: Level, ns: number) => void = () => {};

  private constructor(
    private readonly server: net.Server,
    readonly socketPath: string,
  ) {
    server.once('connection', (socket) => this.attach(socket));
  }

  /** Listens at `socketPath`, where the plugin will connect. */
  static listen(socketPath: string): Promise<TimedInputs> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.maxConnections = 1;
      server.once('error', (error) => reject(new Error(`cannot listen for the timed-inputs plugin at ${socketPath}: ${error.message}`)));
      server.listen(socketPath, () => resolve(new TimedInputs(server, socketPath)));
    });
  }

  /** Waits (bounded) for the plugin's hello. */
  connected(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the timed-inputs plugin did not connect within ${timeoutMs} ms (was -plugin given?)`)), timeoutMs);
      this.hello = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Every change as it is applied (its line, level and virtual time), e.g. for the register model. */
  onChange(listener: (line: number, level: Level, ns: number) => void): void {
    this.changeListener = listener;
  }

  /**
   * Arms `changes` on input `line` of the QOM device at `devicePath`. Call it with the VM stopped: the offsets count
   * from the clock at that moment, and the first must come after it. Resolves once armed (bounded by `armWithinMs`);
   * `applied` is bounded by `appliedWithinMs` of wall time from then, and the VM must run for the changes to happen.
   */
  arm(devicePath: string, line: number, changes: readonly LevelChange[], limits: { armWithinMs: number; appliedWithinMs: number }): Promise<ArmedChanges> {
    if (!/^\/[\w/[\].-]+$/.test(devicePath) || devicePath.length > 255) throw new Error(`timed-inputs: ${JSON.stringify(devicePath)} is not a QOM path it can take`);
    if (!Number.isInteger(line) || line < 0) throw new Error(`timed-inputs: line ${line} is not a line number`);
    if (changes.length < 1 || changes.length > MAX_CHANGES) throw new Error(`timed-inputs: a schedule holds 1 to ${MAX_CHANGES} changes, not ${changes.length}`);
    changes.forEach((change, i) => {
      const previous = i ? changes[i - 1]!.afterNs : 0;
      if (!Number.isSafeInteger(change.afterNs) || change.afterNs <= previous) {
        throw new Error(`timed-inputs: change ${i + 1} at ${change.afterNs} ns must be a whole number of ns after ${previous} ns`);
      }
    });
    if (this.closedReason || !this.socket) return Promise.reject(new Error(`timed-inputs plugin: ${this.closedReason ?? 'not connected'}`));
    if (this.pending) return Promise.reject(new Error(`timed-inputs: schedule ${this.pending.id} is still running`));
    const id = this.nextId++;
    return new Promise((resolveArmed, rejectArmed) => {
      let appliedTimer: NodeJS.Timeout | undefined;
      let resolveApplied: (times: number[]) => void = () => {};
      let rejectApplied: (error: Error) => void = () => {};
      const applied = new Promise<number[]>((resolve, reject) => {
        resolveApplied = resolve;
        rejectApplied = reject;
      });
      applied.catch(() => {}); // a schedule never armed rejects arm() instead
      const settle = () => {
        clearTimeout(armTimer);
        clearTimeout(appliedTimer);
        if (this.pending?.id === id) this.pending = undefined;
      };
      const work: Pending = {
        changes,
        line,
        times: [],
        resolve: (times) => {
          settle();
          resolveApplied(times);
        },
        reject: (error) => {
          settle();
          if (work.startNs === undefined) rejectArmed(error);
          rejectApplied(error);
        },
        armed: (startNs) => {
          clearTimeout(armTimer);
          appliedTimer = setTimeout(
            () => work.reject(new Error(`timed-inputs plugin: schedule ${id} applied ${work.times.length} of ${changes.length} changes within ${limits.appliedWithinMs} ms of wall time`)),
            limits.appliedWithinMs,
          );
          resolveArmed({ startNs, applied });
        },
      };
      const armTimer = setTimeout(() => work.reject(new Error(`timed-inputs plugin: schedule ${id} was not armed within ${limits.armWithinMs} ms`)), limits.armWithinMs);
      this.pending = { id, work };
      this.socket!.write(`S ${id} ${devicePath} ${line} ${changes.map((c) => `${c.afterNs}:${c.level}`).join(' ')}\n`);
    });
  }

  close(): void {
    this.fail('closed');
    this.socket?.destroy();
    this.server.close();
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.server.close(); // one plugin, one connection
    const splitter = new LineSplitter((line) => this.receive(line), 1024, () => this.fail('a line from the plugin was too long'));
    socket.on('data', (chunk) => splitter.feed(chunk));
    socket.on('close', () => this.fail('the plugin closed its stream (QEMU exited?)'));
    socket.on('error', (error) => this.fail(`socket error: ${error.message}`));
  }

  private receive(line: string): void {
    if (HELLO.test(line)) return this.hello?.();
    const reply = REPLY.exec(line);
    if (!reply) return this.fail(`unexpected line from the plugin: ${JSON.stringify(line.slice(0, 80))}`);
    const [, kind, id, rest = ''] = reply;
    if (!this.pending || this.pending.id !== Number(id)) return;
    const work = this.pending.work;
    if (kind === 'F') return work.reject(new Error(`timed-inputs plugin refused or abandoned schedule ${id}: ${rest}`));
    if (kind === 'A') {
      work.startNs = Number(rest);
      return work.armed(work.startNs);
    }
    if (kind === 'E') {
      const [ns, level] = rest.split(' ').map(Number) as [number, Level];
      const index = work.times.length;
      const planned = work.changes[index];
      const due = work.startNs! + (planned?.afterNs ?? NaN);
      this.changeListener(work.line, level, ns);
      work.times.push(ns);
      if (!planned || level !== planned.level || ns !== due) {
        work.reject(new Error(`timed-inputs: change ${index + 1} was applied as level ${level} at ${ns} ns, not as planned (${planned ? `level ${planned.level} at ${due} ns` : 'no such change'})`));
      }
      return;
    }
    if (work.times.length !== work.changes.length) return work.reject(new Error(`timed-inputs plugin: schedule ${id} ended after ${work.times.length} of ${work.changes.length} changes`));
    work.resolve(work.times);
  }

  private fail(reason: string): void {
    this.closedReason ??= reason;
    this.pending?.work.reject(new Error(`timed-inputs plugin: ${reason}`));
  }
}
