/**
 * A capture around a scenario step: started before it, stopped after it. sigrok-cli runs with --continuous and
 * stops, keeping every sample, when its stdin has something to read; start() returns only once samples flow, so
 * the step that follows is on the capture from its first instant.
 */
import { SigrokError } from './errors.js';
import type { Capture } from '../../signals/capture.js';
import { Acquisition } from './acquisition.js';
import { plan, type AcquisitionOptions } from './plan.js';

export interface StartOptions extends AcquisitionOptions {
  /** Bound on the wait for the first samples (default 10 s). */
  readonly startTimeoutMs?: number;
  /** Bound on the wait for sigrok-cli to exit once asked to stop, before it is interrupted, then killed (default 5 s). */
  readonly stopTimeoutMs?: number;
}

export interface CaptureSession {
  /** sigrok-cli's process id, while it runs. */
  readonly pid: number | undefined;
  /** Samples received so far. */
  readonly samples: number;
  /** Stops the capture and returns it; called again, returns the same. */
  stop(): Promise<Capture>;
}

export async function start(options: StartOptions): Promise<CaptureSession> {
  const settled = await plan(options);
  const acquisition = await Acquisition.start(settled, { limit: ['--continuous'] });
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const first = await acquisition.firstData(startTimeoutMs);
  if (first === 'ended') {
    // A refused option, a busy device: finish() fails saying which. Should it not, the capture still ended unasked.
    const early = await acquisition.finish(await acquisition.ended());
    throw new SigrokError(settled.where, `sigrok-cli ended by itself after ${early.waveform.length} samples, before it was asked to stop`, {
      command: acquisition.command,
      partial: early,
    });
  }
  if (first === undefined) {
    const said = await acquisition.abort();
    throw new SigrokError(settled.where, `no samples within ${startTimeoutMs} ms of starting sigrok-cli; it was killed`, { command: acquisition.command, sigrokMessage: said });
  }
  let stopped: Promise<Capture> | undefined;
  return {
    get pid() {
      return acquisition.pid;
    },
    get samples() {
      return acquisition.samples;
    },
    stop() {
      stopped ??= (async () => {
        acquisition.requestStop();
        const { ended, stopTimedOut } = await acquisition.exit(options.stopTimeoutMs ?? 5_000);
        return acquisition.finish(ended, stopTimedOut);
      })();
      return stopped;
    },
  };
}
