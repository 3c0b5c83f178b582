/**
 * What every GPIO controller model shares: checking a write against the MMIO window, keeping the writes the
 * hardware would not take, the levels driven from outside, and turning a state change into PinChanges.
 * A subclass supplies the registers.
 */
import { InputError } from '../errors.js';
import { hex, highLow } from './text.js';
import type { Direction, IgnoredWrite, Level, PinChange, RegisterModel, RegisterWrite, WriteWarning } from './types.js';

/**
 * What applying a write did: the cause to give any pin whose level it moved (and, where the write looks like a
 * mistake, why), or why the hardware would not take it.
 */
export type Outcome = { cause: (pin: number, level: Level) => string; warning?: string } | { ignored: string };

export type Pull = 'up' | 'down' | 'none';

export function unmapped(offset: number): string {
  return `unmapped offset ${hex(offset)}`;
}

export abstract class Controller implements RegisterModel {
  private readonly rejected: IgnoredWrite[] = [];
  private readonly suspect: WriteWarning[] = [];
  private readonly external: Array<Level | null>;

  constructor(
    readonly name: string,
    readonly base: number,
    readonly size: number,
    readonly pinCount: number,
    /** Access sizes in bytes the registers take. */
    private readonly accessSizes: readonly number[],
  ) {
    if (!Number.isSafeInteger(base) || base < 0 || base % 4 !== 0) {
      throw new InputError(name, `base must be a 4-byte aligned address, got ${base}`);
    }
    this.external = new Array<Level | null>(pinCount).fill(null);
  }

  get ignored(): readonly IgnoredWrite[] {
    return this.rejected;
  }

  get warnings(): readonly WriteWarning[] {
    return this.suspect;
  }

  write(w: RegisterWrite): PinChange[] {
    this.checkWrite(w);
    const before = this.levels();
    const problem = this.accessProblem(w);
    const outcome = problem === undefined ? this.apply(w.addr - this.base, w.value) : { ignored: problem };
    if ('ignored' in outcome) {
      this.rejected.push({ write: w, reason: outcome.ignored });
      return [];
    }
    if (outcome.warning !== undefined) this.suspect.push({ write: w, warning: outcome.warning });
    return this.settle(before, w.t, outcome.cause);
  }

  read(addr: number): number {
    const offset = addr - this.base;
    if (!Number.isSafeInteger(addr) || offset < 0 || offset >= this.size || offset % 4 !== 0) {
      throw new InputError(this.name, `cannot read ${Number.isSafeInteger(addr) ? hex(addr, 8) : addr}: not a 4-byte aligned address in ${this.window()}`);
    }
    const value = this.load(offset);
    if (value === undefined) throw new InputError(this.name, `cannot read ${hex(addr, 8)}: ${unmapped(offset)}`);
    return value >>> 0;
  }

  describe(w: RegisterWrite): string {
    this.checkWrite(w);
    const problem = this.accessProblem(w);
    return problem === undefined ? this.explain(w.addr - this.base, w.value) : `${hex(w.addr, 8)} ← ${hex(w.value)}: ${problem}`;
  }

  drive(pin: number, level: Level | null, t: number): PinChange[] {
    this.checkPin(pin);
    if (level !== 0 && level !== 1 && level !== null) {
      throw new InputError(`${this.name} ${this.pinName(pin)}`, `cannot drive it to ${String(level)}: expected 0, 1 or null`);
    }
    if (!Number.isFinite(t)) throw new InputError(`${this.name} ${this.pinName(pin)}`, `drive time must be a finite number of seconds, got ${t}`);
    const before = this.levels();
    this.external[pin] = level;
    return this.settle(before, t, (p) => `${this.pinName(p)} ${level === null ? `released from outside, ${this.inputSource(p)}` : this.inputSource(p)}`);
  }

  level(pin: number): Level {
    this.checkPin(pin);
    return this.output(pin) ?? this.external[pin] ?? (this.pull(pin) === 'up' ? 1 : 0);
  }

  /** Why a pin the controller does not drive is at its level, for PinChange causes. */
  protected inputSource(pin: number): string {
    const outside = this.external[pin];
    if (outside !== null) return `driven ${highLow(outside)} from outside`;
    const pull = this.pull(pin);
    return pull === 'none' ? 'undriven, reads low' : `pull-${pull} holds it ${pull === 'up' ? 'high' : 'low'}`;
  }

  protected window(): string {
    return `the window ${hex(this.base, 8)}-${hex(this.base + this.size - 1, 8)}`;
  }

  /** Stores a write to a register at `offset` (4-byte aligned, inside the window). */
  protected abstract apply(offset: number, value: number): Outcome;
  /** The value a read at `offset` returns; undefined where no register is. */
  protected abstract load(offset: number): number | undefined;
  /** describe() for a write that reaches the registers. */
  protected abstract explain(offset: number, value: number): string;
  /** The level the controller drives the pin to, or null when it does not drive it. */
  protected abstract output(pin: number): Level | null;
  protected abstract pull(pin: number): Pull;
  /** Latches interrupt or event status from the level changes just made, and from levels that are now present. */
  protected abstract detect(changes: readonly PinChange[]): void;
  abstract direction(pin: number): Direction;
  abstract interrupt(): boolean;
  abstract pinName(pin: number): string;

  protected checkPin(pin: number): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= this.pinCount) {
      throw new InputError(this.name, `pin ${pin} does not exist (pins 0-${this.pinCount - 1})`);
    }
  }

  private levels(): Level[] {
    return Array.from({ length: this.pinCount }, (_, pin) => this.level(pin));
  }

  private settle(before: readonly Level[], t: number, cause: (pin: number, level: Level) => string): PinChange[] {
    const changes: PinChange[] = [];
    for (let pin = 0; pin < this.pinCount; pin++) {
      const level = this.level(pin);
      if (level !== before[pin]) changes.push({ pin, level, t, cause: cause(pin, level) });
    }
    this.detect(changes);
    return changes;
  }

  /** Why a well-formed write cannot reach a register: outside the window, unaligned, or an access size the bus refuses. */
  private accessProblem(w: RegisterWrite): string | undefined {
    const offset = w.addr - this.base;
    if (offset < 0 || offset >= this.size) return `outside ${this.window()}`;
    if (offset % 4 !== 0) return `unaligned offset ${hex(offset)}`;
    if (!this.accessSizes.includes(w.size)) return `${w.size}-byte write; these registers take ${this.accessSizes.join(' or ')}-byte writes`;
    return undefined;
  }

  private checkWrite(w: RegisterWrite): void {
    const where = `${this.name}: ${w.source} write at t=${w.t}`;
    if (!Number.isFinite(w.t)) throw new InputError(where, `t must be a finite number of seconds`);
    if (!Number.isSafeInteger(w.addr) || w.addr < 0) throw new InputError(where, `address must be a non-negative integer, got ${w.addr}`);
    if (w.size !== 1 && w.size !== 2 && w.size !== 4) throw new InputError(where, `size must be 1, 2 or 4 bytes, got ${w.size}`);
    if (!Number.isInteger(w.value) || w.value < 0 || w.value >= 2 ** (8 * w.size)) {
      throw new InputError(where, `value ${w.value} does not fit in ${w.size} byte${w.size > 1 ? 's' : ''}`);
    }
  }
}
