/**
 * The bubblewrap sandbox a module build runs in. Student code acts only through the compiler (#include of any path,
 * .incbin, huge outputs, endless expansion), so the sandbox decides what it can reach: /usr (toolchain and host kbuild)
 * and /etc/alternatives read-only, the kernel headers read-only at /usr/src, /dev/null, a small tmpfs /tmp, and the one
 * build folder read-write at /submission. No /etc, /proc, /sys, /work, /root, no other submission; no network, its own
 * pid namespace, no capabilities, an empty environment, resource limits, a time limit and an output limit.
 */
import { lstat, readlink } from 'node:fs/promises';
import { execa } from 'execa';
import { signalChild } from '../child-signal.js';
import { BoundedOutput, SANDBOX_BUILD_DIR } from './kbuild-output.js';
import type { KernelHeaders } from './kernel-headers.js';

export interface SandboxOptions {
  /** Host folder mounted read-write at /submission, the command's working folder. */
  readonly buildDir: string;
  /** Mounted read-only at /usr/src. */
  readonly headers: KernelHeaders;
  readonly timeoutMs: number;
}

export interface SandboxResult {
  /** The command's exit status; absent when the sandbox was killed. */
  readonly exitCode?: number;
  /** stdout and stderr as they arrived, the first 48 KiB and the last 16 KiB; not yet sanitized. */
  readonly output: string;
  /** Why the sandbox was killed: the time limit or the output limit. */
  readonly stopped?: string;
  readonly ms: number;
}

export const SANDBOX_LIMITS = {
  /** Output beyond this kills the build: nobody reads it, and producing it only burns time. */
  outputBytes: 8 << 20,
  logHeadBytes: 48 << 10,
  logTailBytes: 16 << 10,
  /** Per process (RLIMIT_AS): cc1 for a small module needs about 150 MB. */
  memoryBytes: 2 << 30,
  /** Per file written (RLIMIT_FSIZE): a module's .ko is well under 1 MB. */
  fileBytes: 64 << 20,
  tmpBytes: 64 << 20,
} as const;

/** How long a killed sandbox may take to go before bwrap itself is killed. */
const KILL_GRACE_MS = 5_000;
const SANDBOX_PATH = '/usr/bin:/bin';

/** The host's top-level /bin, /lib… as the sandbox needs them: merged-/usr links copied, real folders bound read-only. */
async function topLevelLinks(): Promise<string[]> {
  const args: string[] = [];
  for (const name of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    const info = await lstat(name).catch(() => undefined);
    if (info?.isSymbolicLink()) args.push('--symlink', await readlink(name), name);
    else if (info?.isDirectory()) args.push('--ro-bind', name, name);
  }
  return args;
}

async function bwrapArgs(options: SandboxOptions): Promise<string[]> {
  return [
    '--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--hostname', 'pinrig-build',
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--clearenv', '--setenv', 'PATH', SANDBOX_PATH, '--setenv', 'LC_ALL', 'C',
    '--ro-bind', '/usr', '/usr', ...(await topLevelLinks()),
    // make's awk and friends are alternatives links.
    '--ro-bind', '/etc/alternatives', '/etc/alternatives',
    '--ro-bind', options.headers.srcDir, '/usr/src',
    '--dev-bind', '/dev/null', '/dev/null',
    '--size', String(SANDBOX_LIMITS.tmpBytes), '--tmpfs', '/tmp',
    '--bind', options.buildDir, SANDBOX_BUILD_DIR,
    '--chdir', SANDBOX_BUILD_DIR,
    // Reports the sandbox's init as a host pid, and the command's exit code once it ran.
    '--json-status-fd', '3',
  ];
}

/**
 * Runs `command` in the build sandbox. Throws when the sandbox could not be set up or the command could not start
 * (an infrastructure fault, not the student's); returns the exit status otherwise. On the time or output limit the
 * sandbox's init is killed, which makes the kernel kill every process in its pid namespace before bwrap returns.
 */
export async function runInBuildSandbox(command: readonly string[], options: SandboxOptions): Promise<SandboxResult> {
  const started = performance.now();
  const limits = [`--as=${SANDBOX_LIMITS.memoryBytes}`, `--fsize=${SANDBOX_LIMITS.fileBytes}`, '--core=0'];
  const sandbox = execa('/usr/bin/prlimit', [...limits, '--', '/usr/bin/bwrap', ...(await bwrapArgs(options)), '--', ...command], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    env: { PATH: SANDBOX_PATH },
    extendEnv: false, // bwrap's own init keeps the environment it was started with
    killSignal: 'SIGKILL',
  });

  const output = new BoundedOutput(SANDBOX_LIMITS.logHeadBytes, SANDBOX_LIMITS.logTailBytes);
  let status = '';
  let stopped: string | undefined;
  let backstop: NodeJS.Timeout | undefined;
  const stop = (why: string): void => {
    if (stopped !== undefined) return;
    stopped = why;
    const init = /"child-pid":\s*(\d+)/.exec(status)?.[1];
    try {
      if (init) process.kill(Number(init), 'SIGKILL');
      else signalChild(sandbox, 'SIGKILL'); // not set up yet: --die-with-parent takes the rest down
    } catch {
      // ESRCH: it ended on its own meanwhile.
    }
    backstop = setTimeout(() => signalChild(sandbox, 'SIGKILL'), KILL_GRACE_MS);
  };
  const onOutput = (chunk: Buffer): void => {
    output.push(chunk);
    if (output.total > SANDBOX_LIMITS.outputBytes) stop(`build output exceeded ${SANDBOX_LIMITS.outputBytes >> 20} MiB`);
  };
  sandbox.stdout.on('data', onOutput);
  sandbox.stderr.on('data', onOutput);
  sandbox.stdio[3].on('data', (chunk: Buffer) => (status += chunk.toString('utf8')));
  const timer = setTimeout(() => stop(`build took longer than ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs);

  const result = await sandbox;
  clearTimeout(timer);
  clearTimeout(backstop);
  const ms = performance.now() - started;
  if (stopped !== undefined) return { output: output.text(), stopped, ms };
  const exitCode = /"exit-code":\s*(\d+)/.exec(status)?.[1];
  if (exitCode === undefined) {
    const said = output.text().slice(-2000).trim() || result.message;
    throw new Error(`the build sandbox did not start ${command[0]} (exit ${result.exitCode ?? result.signal}): ${said}`);
  }
  return { exitCode: Number(exitCode), output: output.text(), ms };
}
