/**
 * The folder a run writes its reports to, claimed for the run: a second run in the same clone, or a folder that cannot
 * be written, is refused before any test starts (with what to do), instead of two runs mixing their reports or
 * Playwright crashing at the end with no JUnit.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where reports go: PINRIG_REPORTS, else reports/. */
export function reportFolder(root: string): string {
  return path.resolve(root, process.env.PINRIG_REPORTS || 'reports');
}

/**
 * Playwright loads the config in its runner and again in each worker; only the runner claims the folder. Told apart by
 * the worker's entry script (an environment variable would be inherited by a run started from inside a test).
 */
export function isPlaywrightWorker(): boolean {
  return /workerProcessEntry\.js$/.test(process.argv[1] ?? '');
}

/** Takes the folder's lock for this process (released when it exits); throws naming the folder and the other run. */
export function claimReportFolder(folder: string): void {
  const lock = path.join(folder, '.run.lock');
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new Error(`cannot create the report folder ${folder}: ${(error as Error).message}; set PINRIG_REPORTS to a folder you can write`);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      process.on('exit', () => release(lock));
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
        throw new Error(`the report folder ${folder} is not writable (${code}); set PINRIG_REPORTS to a folder you can write, e.g. PINRIG_REPORTS=/tmp/pinrig-reports`);
      }
      if (code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lock, 'utf8').trim());
      if (alive(owner)) {
        throw new Error(`another run (pid ${owner}) is writing ${folder}; wait for it to finish, or give this run its own folder with PINRIG_REPORTS=reports-2`);
      }
      rmSync(lock, { force: true }); // left by a run that was killed
    }
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function release(lock: string): void {
  try {
    if (Number(readFileSync(lock, 'utf8').trim()) === process.pid) rmSync(lock);
  } catch {
    // already gone
  }
}
