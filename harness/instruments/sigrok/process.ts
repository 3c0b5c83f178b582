/**
 * Running sigrok-cli: always an argument vector (never a shell string), always bounded in time, always cleaned up
 * with the Node process (execa's `cleanup`), and judged by its stderr as well as its exit status, because sigrok-cli
 * exits 0 on some failures (an unknown decoder channel, a decoder's SamplerateError).
 */
import { SigrokError } from './errors.js';

export const SIGROK_CLI = 'sigrok-cli';
export const INSTALL_COMMAND = 'apt-get install -y --no-install-recommends sigrok-cli';

export interface SigrokCliOptions {
  /** The sigrok-cli program: a name looked up on PATH (default 'sigrok-cli') or a path to it. */
  readonly binary?: string;
}

export interface RunOptions extends SigrokCliOptions {
  /** Bound on the whole run; sigrok-cli is killed when it is reached. */
  readonly timeoutMs?: number;
}

/** What execa reports about how a process ended, whichever way it was run. */
export interface Ending {
  readonly code?: string;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Time sigrok-cli gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2_000;

export function argv(options: SigrokCliOptions, args: readonly string[]): string[] {
  return [options.binary ?? SIGROK_CLI, ...args];
}

/** Why sigrok-cli did not start at all (not installed, not executable), or undefined when it did. */
export function launchProblem(ending: Ending, options: SigrokCliOptions): string | undefined {
  if (ending.code === 'ENOENT') {
    const which = options.binary === undefined ? `no ${SIGROK_CLI} on PATH` : `no program at ${options.binary}`;
    return `sigrok-cli is not installed (${which}); install it with: ${INSTALL_COMMAND}`;
  }
  if (ending.code === 'EACCES') return `${options.binary ?? SIGROK_CLI} is not executable (EACCES)`;
  return undefined;
}

/** The stderr lines that are failures: all of them, but for notices the caller knows to be harmless. */
export function complaints(stderr: string, harmless: readonly RegExp[] = []): string[] {
  return stderr
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !harmless.some((re) => re.test(line)));
}

/** Fails with everything known about a run that did not start, did not finish, or complained. */
function checkEnding(ending: Ending, stderr: string, where: string, command: readonly string[], options: RunOptions): void {
  const launch = launchProblem(ending, options);
  if (launch) throw new SigrokError(where, launch, { command });
  const said = complaints(stderr).join('\n') || undefined;
  const fail = (problem: string) => new SigrokError(where, problem, { command, sigrokMessage: said });
  if (ending.timedOut) throw fail(`sigrok-cli did not finish within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms and was killed`);
  if (ending.signal) throw fail(`sigrok-cli was killed by ${ending.signal}`);
  if (ending.exitCode !== 0) throw fail(`sigrok-cli failed (exit status ${ending.exitCode ?? 'unknown'})`);
  if (said) throw fail('sigrok-cli reported an error (its exit status was 0)');
}

/** Runs sigrok-cli to completion and returns its standard output. */
export async function runSigrok(args: readonly string[], where: string, options: RunOptions = {}): Promise<string> {
  const command = argv(options, args);
  const { execa } = await import('execa'); // loaded on first use: most workers never run sigrok-cli
  const result = await execa(command[0]!, command.slice(1), {
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    forceKillAfterDelay: KILL_GRACE_MS,
    maxBuffer: 64 << 20,
  });
  checkEnding(result, result.stderr, where, command, options);
  return result.stdout;
}

/**
 * Runs sigrok-cli and hands each line of its standard output to `onLine` as it arrives (decoder output can be
 * larger than is worth buffering whole).
 */
export async function streamSigrokLines(args: readonly string[], where: string, options: RunOptions, onLine: (line: string) => void): Promise<void> {
  const command = argv(options, args);
  const { execa } = await import('execa');
  const subprocess = execa(command[0]!, command.slice(1), {
    reject: false,
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    forceKillAfterDelay: KILL_GRACE_MS,
  });
  let lineError: unknown;
  for await (const line of subprocess.iterable({ from: 'stdout' })) {
    if (lineError !== undefined) continue;
    try {
      onLine(line);
    } catch (error) {
      // Keep reading to the end: sigrok's own complaint, if any, explains a line we could not read better.
      lineError = error;
    }
  }
  const result = await subprocess;
  checkEnding(result, result.stderr, where, command, options);
  if (lineError !== undefined) throw lineError;
}
