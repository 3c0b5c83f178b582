/**
 * One running sigrok-cli acquisition: binary samples read from its standard output as they come (nothing on disk,
 * nothing lost at the start: the reader is attached before the first byte can arrive), turned into edges piece by
 * piece with EdgeScanner, and at the end into a Capture, which is then written as .sr where a file was asked for.
 * How it ended decides between a Capture and a SigrokError that carries what was captured so far.
 */
import type { execa as Execa } from 'execa';
import { writeSr } from '../../files/sr.js';
import type { Capture } from '../../signals/capture.js';
import { signalChild } from '../../child-signal.js';
import { EdgeScanner } from '../../signals/edge-scan.js';
import type { Waveform } from '../../signals/waveform.js';
import { formatTime } from '../../signals/units.js';
import { SigrokError } from './errors.js';
import { argv, complaints, KILL_GRACE_MS, launchProblem } from './process.js';
import type { Plan } from './plan.js';

interface AcquisitionSettings {
  /** sigrok-cli arguments that say how long: `--samples N`, `--time MS` or `--continuous`. */
  readonly limit: readonly string[];
  /** `--triggers ...` and the trigger as the Capture reports it. */
  readonly trigger?: { readonly args: readonly string[]; readonly text: string };
  /** Bound on the whole run (not for continuous captures, which end when stopped). */
  readonly timeoutMs?: number;
}

/**
 * libsigrok's demo device counts the samples it generated before a trigger against --samples, so a triggered
 * capture comes out short and sigrok-cli says so; without a trigger the same notice means samples were lost.
 */
const SHORT_AFTER_TRIGGER = /^Device only sent \d+ samples\.$/;

function spawn(execa: typeof Execa, command: readonly string[], continuous: boolean, timeoutMs: number | undefined) {
  return execa(command[0]!, command.slice(1), {
    reject: false,
    cleanup: true,
    // A continuous capture stops on input: sigrok-cli watches its stdin for something to read.
    stdin: continuous ? 'pipe' : 'ignore',
    buffer: { stdout: false, stderr: true },
    timeout: timeoutMs ?? 0,
    forceKillAfterDelay: KILL_GRACE_MS,
  });
}

type Subprocess = ReturnType<typeof spawn>;
/** How sigrok-cli ended, with what it said on stderr. */
type Ended = Awaited<Subprocess>;

export class Acquisition {
  readonly command: readonly string[];
  private readonly subprocess: Subprocess;
  private readonly scanner: EdgeScanner;
  private bytes = 0;
  /** A signal we sent ourselves, so that it is not taken for the device dying. */
  private ourSignal: string | undefined;
  private readonly firstBytes: Promise<void>;

  /** Starts sigrok-cli; execa is loaded on first use, as most workers never run sigrok-cli. */
  static async start(plan: Plan, settings: AcquisitionSettings): Promise<Acquisition> {
    const { execa } = await import('execa');
    return new Acquisition(plan, settings, execa);
  }

  private constructor(
    private readonly plan: Plan,
    private readonly settings: AcquisitionSettings,
    execa: typeof Execa,
  ) {
    const continuous = settings.limit.includes('--continuous');
    this.command = argv(plan.options, [...plan.args, ...(settings.trigger?.args ?? []), ...settings.limit, '-O', 'binary']);
    this.scanner = new EdgeScanner(plan.unitsize, plan.bits);
    this.subprocess = spawn(execa, this.command, continuous, settings.timeoutMs);
    let arrived: () => void = () => {};
    this.firstBytes = new Promise<void>((resolve) => (arrived = resolve));
    this.subprocess.stdout.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.scanner.push(chunk);
      arrived();
    });
    // The stdin pipe breaks when sigrok-cli has already gone; how it went is judged from its ending.
    this.subprocess.stdin?.on('error', () => {});
  }

  get pid(): number | undefined {
    return this.subprocess.pid;
  }

  /** Whole samples received so far. */
  get samples(): number {
    return Math.floor(this.bytes / this.plan.unitsize);
  }

  /** Resolves with 'data' once samples flow, or 'ended' if sigrok-cli ends first; gives up (undefined) after `ms`. */
  async firstData(ms: number): Promise<'data' | 'ended' | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    try {
      return await Promise.race([this.firstBytes.then(() => 'data' as const), this.subprocess.then(() => 'ended' as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Asks a continuous capture to stop the way sigrok-cli offers: something to read on its stdin. A byte, not just
   * the end of input: sigrok-cli 0.7.2 waits for G_IO_IN, and a plain pipe at end of input reports only a hang-up.
   */
  requestStop(): void {
    const stdin = this.subprocess.stdin;
    if (stdin && !stdin.destroyed && !stdin.writableEnded) stdin.end('\n');
  }

  /** Waits up to `ms` for sigrok-cli to exit; then SIGINT, then SIGKILL, each given a bounded time. */
  async exit(ms: number): Promise<{ ended: Ended; stopTimedOut: boolean }> {
    if (await this.settledWithin(ms)) return { ended: await this.subprocess, stopTimedOut: false };
    this.ourSignal = 'SIGINT';
    signalChild(this.subprocess, 'SIGINT');
    if (!(await this.settledWithin(KILL_GRACE_MS))) {
      this.ourSignal = 'SIGKILL';
      signalChild(this.subprocess, 'SIGKILL');
    }
    // SIGKILL cannot be refused: the process is gone once its pipes have closed.
    return { ended: await this.subprocess, stopTimedOut: true };
  }

  /** Waits for sigrok-cli to end by itself (a capture with a limit; execa's timeout bounds it). */
  ended(): Promise<Ended> {
    return Promise.resolve(this.subprocess);
  }

  /** Kills sigrok-cli now (a failed start); returns what it had said. */
  async abort(): Promise<string | undefined> {
    this.ourSignal = 'SIGKILL';
    signalChild(this.subprocess, 'SIGKILL');
    return complaints((await this.subprocess).stderr).join('\n') || undefined;
  }

  /** The Capture, or a SigrokError with what was captured so far. */
  async finish(ending: Ended, stopTimedOut = false): Promise<Capture> {
    const { plan, settings } = this;
    const launch = launchProblem(ending, plan.options);
    if (launch) throw new SigrokError(plan.where, launch, { command: this.command });

    const said = complaints(ending.stderr, settings.trigger ? [SHORT_AFTER_TRIGGER] : []);
    let problem: string | undefined;
    if (ending.timedOut) {
      problem = `the capture did not end within ${settings.timeoutMs} ms${settings.trigger ? ` (did the trigger ${settings.trigger.text} ever match?)` : ''}; sigrok-cli was killed`;
    } else if (stopTimedOut) {
      problem = `sigrok-cli did not stop when asked and was killed with ${this.ourSignal}`;
    } else if (ending.signal && ending.signal !== this.ourSignal) {
      problem = `sigrok-cli died mid-capture (killed by ${ending.signal}): was the device unplugged?`;
    } else if (ending.exitCode !== undefined && ending.exitCode !== 0) {
      problem = `sigrok-cli failed (exit status ${ending.exitCode})`;
    } else if (said.length > 0) {
      problem = 'sigrok-cli reported an error (its exit status was 0)';
    } else if (this.bytes % plan.unitsize !== 0) {
      problem = `sigrok-cli's output ended inside a sample (${this.bytes} bytes, ${plan.unitsize} per sample)`;
    } else if (this.bytes === 0) {
      problem = `sigrok-cli sent no samples${settings.trigger ? `: the trigger ${settings.trigger.text} never matched` : ''}`;
    }

    const capture = this.capture();
    if (problem === undefined) return plan.options.file ? this.write(capture, plan.options.file) : capture;

    let partial = capture;
    let kept = `${describeLength(capture.waveform)} captured before it`;
    if (plan.options.file && capture.waveform.length > 0) {
      try {
        partial = await this.write(capture, plan.options.file);
        kept += `, kept in ${plan.options.file}`;
      } catch (error) {
        kept += `, which could not be written to ${plan.options.file}: ${(error as Error).message}`;
      }
    }
    throw new SigrokError(plan.where, `${problem}; ${kept}`, {
      command: this.command,
      sigrokMessage: said.join('\n') || undefined,
      partial,
    });
  }

  private capture(): Capture {
    const { plan } = this;
    const scanned = this.scanner.finish();
    const waveform: Waveform = {
      rate: plan.samplerate,
      length: scanned.length,
      channels: scanned.channels.map((ch, i) => ({ name: plan.channels[i]!, initial: ch.initial, edges: ch.sink.toArray() })),
    };
    return {
      waveform,
      source: {
        instrument: `sigrok:${plan.device.driver}`,
        samplerate: plan.samplerate,
        ...(this.settings.trigger ? { trigger: this.settings.trigger.text } : {}),
      },
      pins: plan.options.pins ?? {},
      files: {},
    };
  }

  private async write(capture: Capture, file: string): Promise<Capture> {
    await writeSr(file, capture.waveform);
    return { ...capture, files: { ...capture.files, sr: file } };
  }

  private async settledWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.subprocess.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function describeLength(waveform: Waveform): string {
  return `${waveform.length} samples (${formatTime(waveform.length / waveform.rate)} at ${waveform.rate} Hz)`;
}
