import type { ChildProcess } from 'node:child_process';

/**
 * Signals a child process only if it is running. On Node 20, `kill()` on a child whose spawn failed (ENOENT) signals
 * pid 0, that is our whole process group: the runner, npm and the CI script with it. Returns whether it signalled.
 */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  return child.kill(signal);
}
