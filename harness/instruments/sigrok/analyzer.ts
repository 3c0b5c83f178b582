/**
 * A sigrok logic analyzer as a target's analyzer: record() starts a continuous capture of the given channels and
 * returns a recording whose stop() gives the capture (the Recording contract of ../recording.ts); a real analyzer sees
 * pins, not registers, so the register log is empty.
 */
import type { Recording } from '../recording.js';
import { start, type StartOptions } from './session.js';

export type AnalyzerOptions = Omit<StartOptions, 'channels' | 'pins' | 'file'>;


export class SigrokAnalyzer {
  constructor(readonly options: AnalyzerOptions) {}

  /** Starts capturing; `channels` maps the analyzer's channel names (D0, ...) to the pins they are wired to. */
  async record(channels: Readonly<Record<string, string>>): Promise<Recording> {
    const session = await start({ ...this.options, channels: Object.keys(channels), pins: channels });
    return {
      stop: async () => ({ capture: await session.stop(), registerLog: [] }),
    };
  }
}
