/**
 * Watches a grading guest's console for what ends a submission: a kernel oops or panic, a BUG, a soft lockup or RCU
 * stall, a console flood, a module printing text that imitates the harness's markers, and QEMU's exit.
 *
 * Only kernel lines count: the printk timestamp (`[   12.345678] `) tells them from shell output, and the harness
 * fetches dmesg with its brackets replaced, so re-reading old kernel messages never trips it. With `quiet` on the
 * command line only error-level messages reach the console, so a module that behaves prints nothing there.
 */

export type FaultKind = 'oops' | 'panic' | 'bug' | 'stall' | 'flood' | 'markers' | 'exit';

export interface ConsoleFault {
  readonly kind: FaultKind;
  /** For the student: what happened, with the console line that showed it. */
  readonly reason: string;
}

export interface WatchedMachine {
  /** Everything the console printed so far (bounded; a prefix reports what the bound dropped). */
  consoleText(): string;
  /** Why the machine stopped, or undefined while it runs. */
  exited(): string | undefined;
}

export interface WatchdogOptions {
  readonly pollMs?: number;
  /** Kernel console characters allowed within any one second. */
  readonly floodCharsPerSecond?: number;
  /** Kernel console characters allowed in all. */
  readonly floodCharsTotal?: number;
}

const KERNEL_LINE = /\[\s*\d+\.\d{6}\] ?(.*)$/;
const PATTERNS: ReadonlyArray<{ kind: FaultKind; pattern: RegExp; says: string }> = [
  { kind: 'panic', pattern: /Kernel panic - not syncing/, says: 'the kernel panicked' },
  { kind: 'oops', pattern: /Internal error: Oops|Unable to handle kernel/, says: 'the kernel crashed (oops)' },
  { kind: 'stall', pattern: /rcu_sched self-detected stall|soft lockup/, says: 'a CPU got stuck in the kernel (RCU stall or soft lockup)' },
  { kind: 'bug', pattern: /BUG:|Call trace:/, says: 'the kernel reported a bug' },
  { kind: 'markers', pattern: /__PR[BE]|pinrig#/, says: "the module printed text imitating the grading harness's console markers" },
];
/** Lines of a trace kept for the feedback: the first fatal one, then those that locate the fault. */
const EXCERPT_LINES = 16;
const LOCATING = /^(?:Internal error|Kernel panic|Modules linked in|pc : |lr : |Call trace:|\s*\S+\+0x[0-9a-f]+\/0x[0-9a-f]+)/;
/** A dropped-text prefix means the console log overflowed its bound: far beyond any flood limit. */
const OVERFLOW_PREFIX = '[... ';

export class ConsoleWatchdog {
  readonly tripped: Promise<ConsoleFault>;
  private trip!: (fault: ConsoleFault) => void;
  private current: ConsoleFault | undefined;
  private offset: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly recent: Array<{ at: number; chars: number }> = [];
  private total = 0;
  private readonly excerpt: string[] = [];
  private readonly pollMs: number;
  private readonly perSecond: number;
  private readonly allowedTotal: number;

  constructor(
    private readonly machine: WatchedMachine,
    options: WatchdogOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 100;
    this.perSecond = options.floodCharsPerSecond ?? 3000;
    this.allowedTotal = options.floodCharsTotal ?? 30_000;
    this.offset = machine.consoleText().length;
    this.tripped = new Promise((resolve) => (this.trip = resolve));
  }

  start(): void {
    this.timer ??= setInterval(() => this.poll(), this.pollMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads what arrived since the last look; returns the fault, if any has happened. */
  poll(): ConsoleFault | undefined {
    const text = this.machine.consoleText();
    if (text.startsWith(OVERFLOW_PREFIX) || text.length < this.offset) {
      this.raise('flood', 'the console overflowed (more than a megabyte of output): the module flooded the console');
    } else {
      const end = text.lastIndexOf('\n') + 1;
      if (end > this.offset) {
        for (const line of text.slice(this.offset, end).split('\n')) this.inspect(line);
        this.offset = end;
      } else if (text.length - this.offset > 4096) {
        this.raise('flood', 'the console received more than 4 KB without a line break: the module flooded the console');
      }
    }
    const exit = this.machine.exited();
    if (exit) this.raise('exit', `the emulated machine stopped (${exit})`);
    return this.current;
  }

  get fault(): ConsoleFault | undefined {
    return this.current;
  }

  /** Kernel lines from the first fatal one on (what a student needs to find the faulting function). */
  traceExcerpt(): string {
    return this.excerpt.join('\n');
  }

  private inspect(line: string): void {
    const kernel = KERNEL_LINE.exec(line);
    if (!kernel) return;
    const message = kernel[1]!.trimEnd();
    if (this.current && this.excerpt.length < EXCERPT_LINES && LOCATING.test(message)) this.excerpt.push(message);
    this.countTowardsFlood(line.length + 1);
    const hit = PATTERNS.find((p) => p.pattern.test(message));
    if (hit) {
      if (!this.current) this.excerpt.push(message);
      this.raise(hit.kind, `${hit.says}: \`${message.slice(0, 200)}\``);
    }
  }

  private countTowardsFlood(chars: number): void {
    const now = performance.now();
    this.total += chars;
    this.recent.push({ at: now, chars });
    while (this.recent.length && this.recent[0]!.at < now - 1000) this.recent.shift();
    const lastSecond = this.recent.reduce((sum, r) => sum + r.chars, 0);
    if (lastSecond > this.perSecond) {
      this.raise('flood', `the module flooded the console: ${lastSecond} characters of kernel messages within one second (at most ${this.perSecond} allowed)`);
    } else if (this.total > this.allowedTotal) {
      this.raise('flood', `the module flooded the console: ${this.total} characters of kernel messages in all (at most ${this.allowedTotal} allowed)`);
    }
  }

  private raise(kind: FaultKind, reason: string): void {
    if (this.current) return;
    this.current = { kind, reason };
    this.trip(this.current);
  }
}
