/**
 * A Capture: a Waveform plus where it came from and the files it was written to.
 */
import type { Waveform } from './waveform.js';

export interface CaptureSource {
  /** 'sigrok:fx2lafw', 'sigrok:demo', 'qemu-probe', 'file', ... */
  readonly instrument: string;
  readonly samplerate: number;
  readonly trigger?: string;
  /** ISO time at which sample 0 was taken, where known. */
  readonly startedAt?: string;
}

export interface Capture {
  readonly waveform: Waveform;
  readonly source: CaptureSource;
  /** Channel name → pin name (header pin, BCM GPIO, pad), where the wiring is known. */
  readonly pins: Readonly<Record<string, string>>;
  /** Files the capture was written to or read from. */
  readonly files: Readonly<{ sr?: string; vcd?: string; gtkw?: string; svg?: string }>;
}
