/**
 * The one Recording contract every analyzer returns (sigrok, the QEMU probe, a board's analyzer), checked by the
 * compiler: a recording in progress, and what stopping it gives.
 */
import type { Level } from '../models/types.js';
import type { Capture } from '../signals/capture.js';

/** A decoded register write, as attached to a test. */
export interface RegisterLogEntry {
  /** Nanoseconds since the recording began (QEMU's virtual clock on emulation). */
  readonly ns: number;
  /** The vCPU that wrote, or -1 for the host. */
  readonly cpu: number;
  readonly description: string;
}

export interface RecordingResult {
  readonly capture: Capture;
  /** Where the analyzer observes registers, the decoded writes; empty for an analyzer that sees only pins. */
  readonly registerLog: readonly RegisterLogEntry[];
  /**
   * Where the target has a second opinion (QEMU's own output-line events), the levels it reported per channel, in
   * order. QEMU does not date those events in virtual time, so this opinion is on what happened, not when.
   */
  readonly qemuEvents?: Readonly<Record<string, readonly Level[]>>;
}

export interface Recording {
  stop(): Promise<RecordingResult>;
  /**
   * Where the analyzer can: what was recorded so far, without the instrument (for a recording that cannot be stopped
   * because its machine died). It ends at the last change seen.
   */
  salvage?(): RecordingResult;
}
