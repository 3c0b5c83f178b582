/**
 * The data a register model consumes and produces, and the interface every GPIO controller model implements.
 * A model never knows where its writes came from: the MMIO log, qtest and a scenario all hand it RegisterWrites.
 */

export type Level = 0 | 1;

/** One MMIO write. */
export interface RegisterWrite {
  /** Seconds; only a label carried into the PinChanges it causes, never used for arithmetic. */
  readonly t: number;
  readonly addr: number;
  readonly value: number;
  readonly size: 1 | 2 | 4;
  /** Where it came from: 'mmio-log', 'qtest', 'scenario', ... */
  readonly source: string;
}

/** A pin's observable level changed. */
export interface PinChange {
  readonly pin: number;
  readonly level: Level;
  readonly t: number;
  /** In words, e.g. 'GPSET0 bit 17' or 'GPFSEL1: GPIO17 became an output with latch high'. */
  readonly cause: string;
}

/** A write the model did not apply, and why ('unmapped offset 0xb8', 'GPLEV0 is read-only', ...). */
export interface IgnoredWrite {
  readonly write: RegisterWrite;
  readonly reason: string;
}

/** A write the hardware took that looks like a mistake, and why (a GPFSEL write that clobbered other pins' functions). */
export interface WriteWarning {
  readonly write: RegisterWrite;
  readonly warning: string;
}

/**
 * 'out' only while the controller drives the pin; 'alt' when a peripheral owns it
 * (BCM alt0-5, PL061 AFSEL, Tegra special function with ENABLE=0); otherwise 'in'.
 */
export type Direction = 'in' | 'out' | 'alt';

/**
 * A GPIO controller seen through its registers. A pin's observable level is the output latch while the controller
 * drives it, else the level driven from outside, else its idle level (pull-up 1, pull-down or none 0).
 */
export interface RegisterModel {
  readonly name: string;
  readonly base: number;
  /** Bytes in the MMIO window starting at base. */
  readonly size: number;
  readonly pinCount: number;
  /** Writes that changed nothing because the hardware would not take them, in the order they came. */
  readonly ignored: readonly IgnoredWrite[];
  /** Writes the hardware took that look like mistakes, in the order they came (a model that sees none keeps it empty). */
  readonly warnings: readonly WriteWarning[];
  /** Applies a write; returns the pins whose observable level changed. */
  write(w: RegisterWrite): PinChange[];
  read(addr: number): number;
  /** What the write means, e.g. 'GPSET0 ← 1<<17: GPIO17 latch high'; depends on the write alone, not on state. */
  describe(w: RegisterWrite): string;
  /** A signal from outside on a pin (null: nothing drives it any more); returns the pins whose level changed. */
  drive(pin: number, level: Level | null, t: number): PinChange[];
  level(pin: number): Level;
  direction(pin: number): Direction;
  /** True while the controller asserts its interrupt output. */
  interrupt(): boolean;
  /** The pin's name in the chip's documentation: 'GPIO17', 'line 3', 'PN.01'. */
  pinName(pin: number): string;
}
