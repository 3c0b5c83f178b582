/**
 * One QEMU process: started in its own temporary folder (sockets, trace log), tied to our life so it can never be
 * orphaned, and stopped with its exit status on record.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signalChild } from '../child-signal.js';

export interface QemuExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class QemuProcess {
  readonly dir: string;
  readonly exited: Promise<QemuExit>;
  private exit: QemuExit | undefined;
  private stderr = '';
  /** Why pinrig stopped QEMU itself, where it did (a guest kernel panic): the reason its exit is reported with. */
  private stoppedBecause: string | undefined;

  private constructor(
    readonly binary: string,
    private readonly child: ChildProcess,
    dir: string,
  ) {
    this.dir = dir;
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8192);
    });
    // 'close', not 'exit': it also comes when the spawn itself fails (which emits no 'exit'), and after stderr is read.
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    child.on('error', (error) => {
      this.stderr += `\ncannot start ${binary}: ${error.message}`;
    });
  }

  /**
   * `args` may use `{dir}` for the process's own folder (sockets, logs).
   * setpriv's parent-death signal kills QEMU if this Node process dies, even by SIGKILL.
   */
  static start(binary: string, args: readonly string[], options: { stdio?: 'pipe' | 'ignore'; dir?: string } = {}): QemuProcess {
    const dir = options.dir ?? QemuProcess.makeDir();
    const expanded = args.map((a) => a.replaceAll('{dir}', dir));
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', binary, ...expanded], {
      stdio: [options.stdio ?? 'ignore', options.stdio ?? 'ignore', 'pipe'],
    });
    return new QemuProcess(binary, child, dir);
  }

  /** A fresh folder for a QEMU's sockets, for listeners that must exist before QEMU starts; start() takes it over. */
  static makeDir(): string {
    return mkdtempSync(path.join(os.tmpdir(), 'pinrig-qemu-'));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdin() {
    return this.child.stdin;
  }

  get stdout() {
    return this.child.stdout;
  }

  /** The exit status, or undefined while QEMU runs. */
  get exitStatus(): QemuExit | undefined {
    return this.exit;
  }

  /** The last lines QEMU wrote to stderr (bounded). */
  stderrTail(lines = 10): string {
    return this.stderr.trimEnd().split('\n').slice(-lines).join('\n');
  }

  describeExit(): string {
    if (!this.exit) return `${path.basename(this.binary)} is running`;
    if (this.stoppedBecause) return `${path.basename(this.binary)} was stopped: ${this.stoppedBecause}`;
    const how = this.exit.signal ? `killed by ${this.exit.signal}` : `exited with status ${this.exit.code}`;
    const tail = this.stderrTail(3);
    return `${path.basename(this.binary)} ${how}${tail ? `: ${tail}` : ''}`;
  }

  /** Settles like `step`, or fails as soon as QEMU exits (no waiting out a timeout for a machine that is gone). */
  unlessExited<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.exited.then((): never => { throw new Error(this.describeExit()); })]);
  }

  /** Kills QEMU for a reason of pinrig's own, which its exit is then reported with. */
  kill(reason: string): void {
    if (this.exit) return;
    this.stoppedBecause ??= reason;
    signalChild(this.child, 'SIGKILL');
  }

  /** Kills QEMU (SIGKILL: there is no guest state worth a clean shutdown) and removes its folder. */
  async stop(): Promise<QemuExit> {
    if (!this.exit) signalChild(this.child, 'SIGKILL');
    const exit = await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
    return exit;
  }
}
