/**
 * A Target is the only place that knows a machine: which link, which pin names, which analyzer, which model.
 * Scenarios ask it for capabilities and skip, with the reason, where it lacks one.
 */
import type { CommandResult, RunOptions } from '../links/shell.js';
import type { RegisterModel } from '../models/types.js';
import type { Recording } from '../instruments/recording.js';
export type { Recording, RecordingResult, RegisterLogEntry } from '../instruments/recording.js';
import type { BoardProfile, PinRef, ProfilePin } from './board-profile.js';

export interface Capabilities {
  /** The host can drive the guest's input pins. */
  readonly inputs: boolean;
  /** The guest receives GPIO edge interrupts (gpiomon works). */
  readonly interrupts: boolean;
  /** Every register write the guest makes is observed (a register log and a model-predicted waveform). */
  readonly registerLog: boolean;
}

export type Capability = keyof Capabilities;

/** Runs commands on the system under test: a console shell, or exec channels over SSH. */
export interface TargetShell {
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  /** Fails, naming the command and its status, unless it exits 0; returns its output. */
  check(command: string, options?: RunOptions): Promise<string>;
}

export interface Target {
  readonly name: string;
  readonly profile: BoardProfile;
  readonly capabilities: Capabilities;
  readonly shell: TargetShell;
  /** The register model, kept in step with the machine where the target observes registers. */
  readonly model: RegisterModel;
  pin(ref: PinRef): ProfilePin;
  /** The pin that plays a role in the shared scenarios ('blink', 'input', ...), from the board profile. */
  role(role: string): ProfilePin;
  /** The guest's legacy (sysfs) GPIO number of a pin. */
  sysfsNumber(ref: PinRef): Promise<number>;
  /** Drives an input pin from outside the guest. */
  drive(ref: PinRef, level: 0 | 1): Promise<void>;
  /**
   * Where the target paces in the guest's time (emulation): drives `count` pulses on a low input, one per `periodMs`,
   * and returns the spacings between the rising edges as the guest's clock measured them.
   */
  drivePulses?(ref: PinRef, count: number, periodMs: number): Promise<{ spacingsMs: number[] }>;
  /** Starts capturing the given pins; channel names are the pins' names. */
  record(pins: readonly PinRef[]): Promise<Recording>;
  /** Where the target observes registers: how the model differs from the machine's own registers (empty: agrees). */
  modelDifferences?(): Promise<string[]>;
  /**
   * Lets `ms` of the guest's time pass while the host sends nothing (a background job finishing on its own). An
   * emulated guest runs only while the host waits on it: this is such a wait, in its virtual time.
   */
  elapse(ms: number): Promise<void>;
  /** Fails, naming the cause, unless the machine is alive and its shell answers. */
  health(): Promise<void>;
  /** The console's output so far (bounded), for attaching to a test. */
  consoleLog(): string;
  close(): Promise<void>;
}

/** What hardware a target is, known before any guest runs: what a scenario's skip conditions read. */
export type Hardware = Pick<Target, 'name' | 'capabilities' | 'profile'>;
