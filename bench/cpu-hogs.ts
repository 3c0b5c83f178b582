/**
 * Saturates every host core with busy-looping processes that the bench starts and stops itself, by PID; they die
 * with the bench (setpriv's parent-death signal) even if it is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';

export interface CpuHogs {
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export function startCpuHogs(count = os.availableParallelism()): CpuHogs {
  const hogs: ChildProcess[] = Array.from({ length: count }, () =>
    spawn('setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return {
    pids: hogs.map((h) => h.pid!),
    stop: async () => {
      await Promise.all(hogs.map((h) => new Promise<void>((resolve) => {
        if (h.exitCode !== null || h.signalCode !== null) return resolve();
        h.once('exit', () => resolve());
        h.kill('SIGKILL');
      })));
    },
  };
}

/** Runs `work` with every core busy, stopping the hogs afterwards whatever happens. */
export async function loaded<T>(work: () => Promise<T>): Promise<T> {
  const hogs = startCpuHogs();
  try {
    return await work();
  } finally {
    await hogs.stop();
  }
}
