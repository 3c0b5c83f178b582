import { execa } from 'execa';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/pinrig.js');

/** Runs the pinrig command as a user does (`npx pinrig` runs this same file), without npm's own output around it. */
export function pinrig(args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}) {
  return execa('node', [BIN, ...args], { cwd: options.cwd, reject: false, stdin: 'ignore', timeout: options.timeoutMs ?? 60_000 });
}
