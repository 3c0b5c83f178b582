/**
 * What an assignment's rubric is made of: criteria, each a step with points, a name and, when it fails, feedback
 * for the student (expected vs observed, with the waveform where a pin was involved). A rubric file under
 * scenarios/grading/<name>/rubric.ts default-exports one Assignment.
 */
import type { CommandResult } from '../links/shell.js';
import type { Marker } from '../signals/svg.js';
import type { Waveform } from '../signals/waveform.js';
import type { QemuTarget } from '../targets/qemu-target.js';

export type GradingMachine = 'qemu-raspi3b' | 'qemu-virt';

/** A timing diagram for the feedback: what the pin did, and what it should have done. */
export interface Evidence {
  readonly title: string;
  readonly observed: Waveform;
  readonly predicted?: Waveform;
  readonly markers?: readonly Marker[];
}

/** A criterion's outcome, in words a student can act on. */
export interface Verdict {
  readonly passed: boolean;
  readonly expected: string;
  readonly observed: string;
  /** Why it matters or what to look at (a hint, the spread of a measurement). */
  readonly note?: string;
  readonly evidence?: readonly Evidence[];
}

export function pass(expected: string, observed: string, extra: Pick<Verdict, 'note' | 'evidence'> = {}): Verdict {
  return { passed: true, expected, observed, ...extra };
}

export function fail(expected: string, observed: string, extra: Pick<Verdict, 'note' | 'evidence'> = {}): Verdict {
  return { passed: false, expected, observed, ...extra };
}

/** How `insmod` went: it runs in the background, and the module's initstate is polled with a time limit. */
export interface LoadOutcome {
  /** insmod's exit status; undefined while it has not returned. */
  readonly status: number | undefined;
  /** /sys/module/<name>/initstate ('live', 'coming', ...), or undefined when the module is not there. */
  readonly initstate: string | undefined;
  /** What insmod printed (bounded). */
  readonly output: string;
  readonly ms: number;
}

/** Kernel state since the module was loaded. */
export interface KernelHealth {
  /** Taint flags gained beyond the expected O and E of an unsigned out-of-tree module, as letters with meanings. */
  readonly newTaints: readonly string[];
  /** dmesg lines since the module was loaded that report a warning, bug or oops. */
  readonly warnings: readonly string[];
}

/** What a criterion's step may use: the guest with the student's module in it, fresh for this submission. */
export interface RubricContext {
  readonly target: QemuTarget;
  /** The module's name (as in /sys/module) and where its .ko lies in the guest. */
  readonly module: { readonly name: string; readonly path: string };
  /** Runs a shell command in the guest (bounded time and output); a fatal console event interrupts it. */
  run(command: string, options?: { timeoutMs?: number; maxOutput?: number }): Promise<CommandResult>;
  /** insmod in the background, then polls initstate; ends the submission when init never returns. */
  load(args?: readonly string[]): Promise<LoadOutcome>;
  /** Lets `ms` of the guest's virtual time pass while the console watchdog watches (a fault ends the submission). */
  settle(ms: number): Promise<void>;
  /** Why the submission has ended (a console fault, QEMU's exit, the time limit), or undefined while it goes on. */
  endReason(): string | undefined;
  /** Ends the submission when the module printed text imitating the harness's console markers. */
  checkMarkers(): Promise<void>;
  kernelHealth(): Promise<KernelHealth>;
  /** The last kernel messages (bounded, brackets replaced so they never look like live console lines). */
  dmesgTail(maxChars?: number): Promise<string>;
}

export interface Criterion<State> {
  /** Short and stable: a CSV column, a JUnit test name, a cache field. */
  readonly id: string;
  readonly name: string;
  readonly points: number;
  /** Criteria that must have passed for this one to be checked (otherwise it fails naming them). */
  readonly requires?: readonly string[];
  check(context: RubricContext, state: State): Promise<Verdict>;
}

export interface Assignment<State = unknown> {
  readonly name: string;
  readonly title: string;
  readonly machine: GradingMachine;
  /** The kernel module's name: the .ko built and loaded. */
  readonly moduleName: string;
  /** Wall-clock limit for one submission's rubric (boot and build have their own). */
  readonly timeLimitMs: number;
  /** Fresh per submission: what one criterion leaves for a later one (e.g. whether the pin ever toggled). */
  initialState(): State;
  readonly criteria: ReadonlyArray<Criterion<State>>;
}

/** Checks the rubric's shape once, where it is written, rather than when a student's grade depends on it. */
export function defineAssignment<State>(assignment: Assignment<State>): Assignment<State> {
  const ids = new Set<string>();
  for (const criterion of assignment.criteria) {
    if (!/^[a-z][a-z0-9-]*$/.test(criterion.id)) throw new Error(`${assignment.name}: criterion id ${JSON.stringify(criterion.id)} must be lower-case words joined by '-'`);
    if (ids.has(criterion.id)) throw new Error(`${assignment.name}: criterion ${criterion.id} appears twice`);
    if (!(criterion.points > 0)) throw new Error(`${assignment.name}: criterion ${criterion.id} must be worth points`);
    for (const needed of criterion.requires ?? []) {
      if (!ids.has(needed)) throw new Error(`${assignment.name}: criterion ${criterion.id} requires ${needed}, which must come before it`);
    }
    ids.add(criterion.id);
  }
  return assignment;
}

export function maxPoints(assignment: Assignment<unknown>): number {
  return assignment.criteria.reduce((sum, c) => sum + c.points, 0);
}
