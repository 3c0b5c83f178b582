/**
 * One submission's guest: a clean QEMU machine (restored from the saved, booted guest) given only that student's
 * module, watched by the console watchdog, and the RubricContext the criteria run against. Kernel panics end the
 * machine (`oops=panic panic=-1` and `-no-reboot`: virt exits, raspi3b halts and the console shows it).
 */
import { readFile } from 'node:fs/promises';
import type { GuestImage } from '../guest/image.js';
import { uploadFile } from '../links/console-upload.js';
import { ShellError, type CommandResult } from '../links/shell.js';
import { EMULATED } from '../targets/emulated.js';
import { QemuTarget, TargetStartError, type QemuTargetOptions } from '../targets/qemu-target.js';
import { ensureSnapshot } from '../targets/snapshot.js';
import type { GradingMachine, KernelHealth, LoadOutcome, RubricContext } from './rubric.js';
import { ConsoleWatchdog } from './watchdog.js';

/** Grading stops for this submission: the reason is the student's to read. */
export class SubmissionEnded extends Error {
  override name = 'SubmissionEnded';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Which clean guest: the machine, its image and QEMU. */
export interface GuestOptions {
  readonly machine: GradingMachine;
  readonly image: GuestImage;
  readonly bootTimeoutMs?: number;
  readonly qemu?: string;
}

export interface SessionOptions extends GuestOptions {
  readonly moduleName: string;
  /** The built module on the host, copied into the guest once it runs. */
  readonly moduleFile: string;
  /** How long insmod may take, in the guest's virtual time, before the module's init is declared hung. */
  readonly insmodTimeoutMs?: number;
}

const KERNEL_ARGS = 'oops=panic panic=-1';
/** Where the module lies in the guest. */
const GUEST_MODULE_DIR = '/grading';
/** How long the rest of an oops trace gets to reach the console. */
const TRACE_WAIT_MS = 400;
const INSMOD_STATUS = '/tmp/insmod.status';
const INSMOD_OUTPUT = '/tmp/insmod.out';
/** Taint letters by bit (kernel/panic.c) that mean something went wrong; O and E (unsigned, out of tree) are expected. */
const BAD_TAINTS: ReadonlyArray<[bit: number, meaning: string]> = [
  [5, 'B (bad page: memory corruption)'],
  [7, 'D (the kernel oopsed)'],
  [9, 'W (the kernel printed a warning)'],
  [14, 'L (soft lockup)'],
];
/** dmesg lines that report trouble (the first few are shown). */
const TROUBLE = ['WARNING:', 'BUG:', 'Oops', 'Call trace:', 'refcount_t', 'use-after-free', 'list_del corruption', 'Trying to free'];


/**
 * The insmod poll's answer: `status=N initstate=S`, then what insmod printed. Kernel messages share the console with
 * it (a module's printk lands in the middle of a command's output), so the status line is looked for, not assumed first.
 */
export function insmodAnswer(output: string): Omit<LoadOutcome, 'ms'> {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => /^status=\d* initstate=\S*$/.test(line));
  const fields = /^status=(\d*) initstate=(\S*)$/.exec(lines[at] ?? '');
  return {
    status: fields?.[1] ? Number(fields[1]) : undefined,
    initstate: fields?.[2] || undefined,
    output: lines.slice(at + 1).join('\n').trim(),
  };
}

export class GradingSession implements RubricContext {
  readonly watchdog: ConsoleWatchdog;
  readonly module: { readonly name: string; readonly path: string };
  private readonly ended: Promise<never>;
  private endNow!: (reason: string) => void;
  private endedBy: string | undefined;
  private readonly insmodTimeoutMs: number;

  private constructor(
    readonly target: QemuTarget,
    private readonly baseTaint: number,
    options: SessionOptions,
    modulePath: string,
  ) {
    this.module = { name: options.moduleName, path: modulePath };
    this.insmodTimeoutMs = options.insmodTimeoutMs ?? 5000;
    this.watchdog = new ConsoleWatchdog({
      consoleText: () => target.consoleLog(),
      exited: () => (target.qemu.exitStatus ? target.qemu.describeExit() : undefined),
    });
    const aborted = new Promise<string>((resolve) => (this.endNow = resolve));
    this.ended = Promise.race([this.watchdog.tripped.then((f) => f.reason), aborted]).then((reason) => {
      this.endedBy ??= reason;
      throw new SubmissionEnded(reason);
    });
    this.ended.catch(() => {}); // observed through guard(); never an unhandled rejection
    this.watchdog.start();
  }

  /**
   * A clean guest of the machine, loaded and paused: restored from the machine's saved, booted guest (made once per
   * image and QEMU, harness/targets/snapshot.ts), a second, not a boot. That saved guest never held a student's
   * module, and a restore only reads it, so no submission's guest can see another's. Needs no module: grading starts
   * it beside the build. A failure here is the harness's (TargetStartError), never the student's.
   */
  static async restore(options: GuestOptions): Promise<QemuTarget> {
    const machine = EMULATED[options.machine];
    const settings: QemuTargetOptions = {
      image: options.image,
      append: KERNEL_ARGS,
      extraArgs: ['-no-reboot'],
      endOnOops: false,
      bootTimeoutMs: options.bootTimeoutMs ?? 30_000,
      ...(options.qemu ? { qemu: options.qemu } : {}),
    };
    const snapshot = await ensureSnapshot(machine, settings).catch((error: Error) => {
      throw new TargetStartError(`${options.machine}: saving a booted guest for grading failed: ${error.message}`);
    });
    return QemuTarget.boot(machine, { ...settings, restore: snapshot, paused: true });
  }

  /** The submission's session on a guest from restore() (one is restored now if none is given), with the module copied in. */
  static async start(options: SessionOptions, restored: Promise<QemuTarget> = GradingSession.restore(options)): Promise<GradingSession> {
    const target = await restored;
    await target.resume();
    try {
      const modulePath = `${GUEST_MODULE_DIR}/${options.moduleName}.ko`;
      await target.shell.check(`mkdir -p ${GUEST_MODULE_DIR}`, { timeoutMs: 5000 });
      await uploadFile(target.shell, await readFile(options.moduleFile), modulePath);
      // Empty the kernel log so later reads show what the module did, not the boot.
      const taint = await target.shell.check('dmesg -c > /dev/null; cat /proc/sys/kernel/tainted', { timeoutMs: 5000 });
      return new GradingSession(target, Number(taint.trim()), options, modulePath);
    } catch (error) {
      await target.close();
      throw new TargetStartError(`${options.machine}: the restored guest did not take the module: ${(error as Error).message}`);
    }
  }

  /** Settles like `step`, unless the submission ends first (a console fault, the time limit). */
  guard<T>(step: Promise<T>): Promise<T> {
    step.catch(() => {}); // a step cut short by a fault may reject later, when the machine is closed
    return Promise.race([step, this.ended]);
  }

  /** Ends the submission from outside (the time limit): every guarded step rejects with the reason. */
  end(reason: string): void {
    this.endedBy ??= reason;
    this.endNow(reason);
  }

  /** Why the submission ended, looking at the console once more first; undefined while it goes on. */
  endReason(): string | undefined {
    return this.endedBy ?? this.watchdog.poll()?.reason;
  }

  /** The kernel lines that locate a console fault; waits briefly first, as a trace arrives over some milliseconds. */
  async faultExcerpt(): Promise<string> {
    const kind = this.watchdog.fault?.kind;
    if (kind === 'oops' || kind === 'panic' || kind === 'bug' || kind === 'stall') {
      await this.target.run.running(() => new Promise((resolve) => setTimeout(resolve, TRACE_WAIT_MS)));
      this.watchdog.poll();
    }
    return this.watchdog.traceExcerpt();
  }

  private stop(reason: string): Promise<never> {
    this.end(reason);
    return this.ended;
  }

  run(command: string, options: { timeoutMs?: number; maxOutput?: number } = {}): Promise<CommandResult> {
    return this.guard(this.target.shell.run(command, { timeoutMs: options.timeoutMs ?? 5000, maxOutput: options.maxOutput ?? 16_384 }));
  }

  async load(args: readonly string[] = []): Promise<LoadOutcome> {
    const started = performance.now();
    const { name, path } = this.module;
    const unsafe = args.find((a) => !/^[\w.,=-]+$/.test(a));
    if (unsafe !== undefined) throw new Error(`insmod argument ${JSON.stringify(unsafe)} is not a plain name=value`);
    // Backgrounded inside a subshell, so the interactive shell has no job to report when insmod ends (its notice
    // interrupts the shell's read and leaves later pipelines failing with EIO).
    await this.run(`rm -f ${INSMOD_STATUS}; ( (insmod ${path} ${args.join(' ')} > ${INSMOD_OUTPUT} 2>&1; echo $? > ${INSMOD_STATUS}) < /dev/null > /dev/null 2>&1 & )`);
    // Polled in the guest, in one command: insmod of a module whose init spins never returns and cannot be killed.
    const polls = Math.ceil(this.insmodTimeoutMs / 100);
    const wallLimitMs = 2 * this.insmodTimeoutMs + 5000;
    const hung = (why: string) => this.stop(
      `insmod did not return within ${this.insmodTimeoutMs / 1000} s: the module's init function never finished (${why}); the machine was stopped`,
    );
    let result: CommandResult;
    try {
      result = await this.run(
        `i=0; while [ ! -s ${INSMOD_STATUS} ] && [ $i -lt ${polls} ]; do usleep 100000; i=$((i+1)); done; ` +
          `echo "status=$(cat ${INSMOD_STATUS} 2>/dev/null) initstate=$(cat /sys/module/${name}/initstate 2>/dev/null)"; head -c 2000 ${INSMOD_OUTPUT}`,
        { timeoutMs: wallLimitMs },
      );
    } catch (error) {
      // The limit is the guest's (virtual) time, but a CPU spinning in init (on MMIO reads, say) can hold the guest's
      // clock nearly still under icount: the wall clock then ends the wait, and says so. A console fault or QEMU's
      // exit (an oops that panics) is not a hang: it ends the submission with its own reason.
      const ended = this.endReason();
      if (ended !== undefined) return this.stop(ended);
      if (error instanceof ShellError && error.timedOut) {
        return hung(`the guest's clock did not reach the limit within ${wallLimitMs / 1000} s of wall-clock time: its CPUs were busy in init`);
      }
      throw error;
    }
    // What the module printed meanwhile (a fault, fake markers) decides before the answer does: the watchdog reads
    // the console on a timer, and a fast load can answer before its next look.
    const ended = this.endReason();
    if (ended !== undefined) return this.stop(ended);
    const outcome: LoadOutcome = { ...insmodAnswer(result.output), ms: performance.now() - started };
    if (outcome.status === undefined) return hung(`initstate: ${outcome.initstate ?? 'none'}`);
    return outcome;
  }

  /** Lets `ms` of the guest's virtual time pass (bounded in wall-clock time by the probe). */
  async settle(ms: number): Promise<void> {
    await this.guard(this.target.probe.elapse(ms));
    const reason = this.endReason();
    if (reason !== undefined) await this.stop(reason);
  }

  async checkMarkers(): Promise<void> {
    // The patterns are split in the command so that nothing but the kernel log can match them.
    const found = await this.run(`dmesg | grep -e '__P''R' -e 'pinrig''#' | head -n 3 | sed 's/^\\[[^]]*\\] *//'`);
    const line = found.output.split('\n').find((l) => /__PR|pinrig#/.test(l));
    if (line) await this.stop(`the module printed text imitating the grading harness's console markers or prompt: \`${line.slice(0, 200)}\``);
  }

  async kernelHealth(): Promise<KernelHealth> {
    const taint = Number((await this.run('cat /proc/sys/kernel/tainted')).output.trim());
    const gained = (taint & ~this.baseTaint) >>> 0;
    const patterns = TROUBLE.map((p) => `-e '${p}'`).join(' ');
    const warnings = (await this.run(`dmesg | grep ${patterns} | head -n 5 | sed 's/^\\[[^]]*\\] *//'`)).output.split('\n').filter((l) => l.trim());
    return { newTaints: BAD_TAINTS.filter(([bit]) => gained & (1 << bit)).map(([, meaning]) => meaning), warnings };
  }

  async dmesgTail(maxChars = 1500): Promise<string> {
    return (await this.run(`dmesg | sed 's/^\\[[^]]*\\] *//' | tail -c ${Math.floor(maxChars)}`)).output.trim();
  }

  async close(): Promise<void> {
    this.watchdog.stop();
    await this.target.close();
  }
}
