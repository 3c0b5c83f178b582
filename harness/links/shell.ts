/**
 * Runs shell commands over a byte stream (a serial console now, any stream later) and returns status and output.
 *
 * Each command is framed by markers carrying a fresh random token: the guest cannot predict them, so nothing it prints
 * (a student's module included) can fake the end of a command. The markers are printed from split strings, so the
 * terminal's echo of the command line never contains them either. Output kept is bounded; a flood is cut and reported.
 */
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ByteStream } from './byte-stream.js';
import { ConsoleLog, stripEscapes } from './console-log.js';

export interface CommandResult {
  readonly command: string;
  readonly status: number;
  readonly output: string;
  /** Characters of output dropped because it exceeded the bound. */
  readonly truncated: number;
  readonly ms: number;
}

export interface RunOptions {
  timeoutMs?: number;
  maxOutput?: number;
}

export class ShellError extends Error {
  override name = 'ShellError';
  constructor(
    message: string,
    readonly command: string,
    readonly consoleTail: string,
    /** The command ran past its (wall-clock) time limit, as opposed to the console closing or a bad status. */
    readonly timedOut = false,
  ) {
    super(`${message}\n--- last console lines ---\n${consoleTail}`);
  }
}

interface Frame {
  token: string;
  phase: 'begin' | 'body';
  scan: string;
  output: string;
  truncated: number;
  maxOutput: number;
  done: (status: number) => void;
}

const PREFIX = '__PR';
/**
 * Console bytes cost time (about 0.08 ms each on the emulated mini-UART), so after sync() each command sends short
 * calls to these instead of the printf lines; sync() defines them again whenever the shell is re-synchronised.
 */
const MARKER_FUNCTIONS = `_b(){ printf '%s%s\\n' ${PREFIX} B$1; };_e(){ printf '\\n%s%s %d\\n' ${PREFIX} E$1 $2; }`;
/** What sync() runs: echo off, ignoreeof, the marker functions (see sync()). */
const SYNC_COMMAND = `stty -echo <&2 2>/dev/null; set -o ignoreeof 2>/dev/null; ${MARKER_FUNCTIONS}`;
/** How long sync() waits for the shell to answer its ^C before sending the first line anyway. */
const SYNC_ANSWER_MS = 500;

export class Shell {
  readonly log: ConsoleLog;
  private readonly decoder = new StringDecoder('utf8');
  private frame: Frame | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  private closed: string | undefined;
  private readonly closeWaiters = new Set<(reason: string) => void>();
  private readonly textWaiters = new Set<(text: string) => void>();

  constructor(
    private readonly stream: ByteStream,
    private readonly defaults: Required<RunOptions> = { timeoutMs: 10_000, maxOutput: 256 * 1024 },
    log = new ConsoleLog(),
    /** Wraps every wait on the other end: an emulated guest runs only then (harness/targets/guest-run.ts). */
    private readonly whileWaiting: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  ) {
    this.log = log;
    stream.onData((chunk) => this.receive(this.decoder.write(chunk)));
    stream.onClose((reason) => {
      this.closed = reason;
      for (const waiter of this.closeWaiters) waiter(reason);
    });
  }

  /** Why the stream closed, or undefined while it is open. */
  get closedBecause(): string | undefined {
    return this.closed;
  }

  /** Runs one command; commands are queued, never interleaved. */
  run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    const next = this.busy.then(() => this.whileWaiting(() => this.runNow(command, options)));
    this.busy = next.catch(() => {});
    return next;
  }

  /** Runs a command and fails unless it exits 0. */
  async check(command: string, options: RunOptions = {}): Promise<string> {
    const result = await this.run(command, options);
    if (result.status !== 0) {
      throw new ShellError(`\`${command}\` exited with status ${result.status}: ${result.output.trim().slice(-500)}`, command, this.log.tail());
    }
    return result.output;
  }

  /** Waits until the console prints text matching `pattern` (e.g. a boot prompt); bounded by `timeoutMs`. */
  waitForText(pattern: RegExp, timeoutMs: number): Promise<void> {
    // Watching starts at once, before the guest is let run: text printed in between is not missed.
    const seen = new Promise<void>((resolve, reject) => {
      let seen = '';
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.textWaiters.delete(watch);
        this.closeWaiters.delete(onClose);
        if (error) reject(error);
        else resolve();
      };
      const watch = (text: string) => {
        seen = (seen + stripEscapes(text)).slice(-4096);
        if (pattern.test(seen)) done();
      };
      const onClose = (reason: string) => done(new ShellError(`console closed while waiting for ${pattern}: ${reason}`, 'wait', this.log.tail()));
      const timer = setTimeout(() => done(new ShellError(`${pattern} did not appear on the console within ${timeoutMs} ms`, 'wait', this.log.tail())), timeoutMs);
      if (this.closed) return onClose(this.closed);
      this.textWaiters.add(watch);
      this.closeWaiters.add(onClose);
    });
    return this.whileWaiting(() => seen);
  }

  /**
   * Brings the shell to a known state: interrupts whatever runs, turns off echo (busybox then reads plainly, without
   * line editing, which halves the bytes per command; stty reads the terminal on fd 2, as the command's stdin is
   * /dev/null), sets ignoreeof (the plain read gives up when a finished background job interrupts it, and the shell
   * would take that for end of input and exit) and waits until a marker comes back. Used at start and after a command timed out.
   */
  sync(timeoutMs = 10_000): Promise<void> {
    return this.whileWaiting(() => this.syncNow(timeoutMs));
  }

  /**
   * Takes over a shell that sync() left idle at its prompt (a guest restored from one saved just after it): one marker
   * command, and sync() only if no marker comes back. No ^C: the shell already waits for a line, and a ^C costs a
   * restore a second whenever output the guest saved unsent passes for the shell's answer to it and the next line then
   * loses its start to the ^C's input flush.
   */
  adopt(timeoutMs = 10_000): Promise<void> {
    return this.whileWaiting(async () => {
      const deadline = Date.now() + timeoutMs;
      try {
        await this.frameCommand(SYNC_COMMAND, Math.min(1000, timeoutMs), 4096, 'inline');
        return;
      } catch (error) {
        if (this.closed) throw error;
      }
      await this.syncNow(Math.max(1, deadline - Date.now()));
    });
  }

  private async syncNow(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.stream.write('\x03');
    // A line sent before the shell has handled the ^C can lose its start (busybox ash drops its buffered input: a
    // restored guest's first sync read `sh: syntax error: unexpected "}"` and cost a second); so first its answer.
    await this.waitForText(/\S/, Math.min(SYNC_ANSWER_MS, timeoutMs)).catch(() => {});
    while (Date.now() < deadline) {
      const attempt = Math.min(1000, deadline - Date.now());
      try {
        await this.frameCommand(SYNC_COMMAND, attempt, 4096, 'inline');
        return;
      } catch (error) {
        if (this.closed) throw error;
        this.stream.write('\x03\n');
      }
    }
    throw new ShellError(`the shell did not answer within ${timeoutMs} ms`, 'sync', this.log.tail());
  }

  private async runNow(command: string, options: RunOptions): Promise<CommandResult> {
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs;
    const started = performance.now();
    try {
      const { status, output, truncated } = await this.frameCommand(command, timeoutMs, options.maxOutput ?? this.defaults.maxOutput);
      return { command, status, output, truncated, ms: performance.now() - started };
    } catch (error) {
      if (this.closed || !(error instanceof ShellTimeout)) throw error;
      const tail = this.log.tail();
      // Leave the shell usable for the next command before reporting.
      const recovered = await this.sync(5_000).then(() => 'the shell was interrupted and answers again', (e: Error) => `the shell did not recover: ${e.message.split('\n')[0]}`);
      throw new ShellError(`\`${command}\` did not finish within ${timeoutMs} ms of wall-clock time (${recovered})`, command, tail, true);
    }
  }

  private frameCommand(
    command: string,
    timeoutMs: number,
    maxOutput: number,
    markers: 'inline' | 'functions' = 'functions',
  ): Promise<{ status: number; output: string; truncated: number }> {
    if (this.closed) return Promise.reject(new ShellError(`console closed: ${this.closed}`, command, this.log.tail()));
    const token = randomBytes(8).toString('hex');
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.closeWaiters.delete(onClose);
        this.frame = undefined;
      };
      const onClose = (reason: string) => {
        finish();
        reject(new ShellError(`console closed while \`${command}\` ran: ${reason}`, command, this.log.tail()));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new ShellTimeout());
      }, timeoutMs);
      this.closeWaiters.add(onClose);
      this.frame = {
        token, phase: 'begin', scan: '', output: '', truncated: 0, maxOutput,
        done: (status) => {
          const frame = this.frame!;
          finish();
          resolve({ status, output: frame.output, truncated: frame.truncated });
        },
      };
      // stdin from /dev/null: a command that reads input must not swallow the next command.
      const [begin, end] = markers === 'inline'
        ? [`printf '%s%s\\n' ${PREFIX} B${token}`, `printf '\\n%s%s %d\\n' ${PREFIX} E${token} $?`]
        : [`_b ${token}`, `_e ${token} $?`];
      const [open, close] = startsBackgroundJob(command) ? ['(', ')'] : ['{', '}'];
      this.stream.write(`${begin};${open} ${command}\n${close}</dev/null;${end}\n`);
    });
  }

  private receive(text: string): void {
    this.log.append(text);
    for (const watch of this.textWaiters) watch(text);
    const frame = this.frame;
    if (!frame) return;
    frame.scan += stripEscapes(text);
    if (frame.phase === 'begin') {
      const begin = `${PREFIX}B${frame.token}\n`;
      const at = frame.scan.indexOf(begin);
      if (at < 0) {
        frame.scan = frame.scan.slice(-begin.length);
        return;
      }
      frame.phase = 'body';
      frame.scan = frame.scan.slice(at + begin.length);
    }
    const end = new RegExp(`\\n${PREFIX}E${frame.token} (\\d+)\\n`).exec(frame.scan);
    // The newline before the end marker is ours (printf '\n...'), never the command's output.
    const body = end ? frame.scan.slice(0, end.index) : frame.scan.slice(0, Math.max(0, frame.scan.length - 64));
    frame.scan = end ? '' : frame.scan.slice(body.length);
    const room = frame.maxOutput - frame.output.length;
    frame.output += body.slice(0, Math.max(0, room));
    frame.truncated += Math.max(0, body.length - Math.max(0, room));
    if (end) frame.done(Number(end[1]));
  }
}

class ShellTimeout extends Error {}

/**
 * Whether a command puts a job in the background (a lone `&`; not `&&`, `>&`, `<&` or `&>`). Such a command runs in
 * a subshell, so the job is never the interactive shell's child: a child ending while that shell waits for input
 * interrupts its read and leaves an error on its stdin, which every applet busybox forks afterwards inherits. Other
 * commands run in braces, with no fork (a subshell costs about 6 ms on an emulated core). An `&` inside quotes costs
 * only that fork.
 */
export function startsBackgroundJob(command: string): boolean {
  return command.replace(/&&|[<>]&|&>/g, '').includes('&');
}
