/**
 * GPIO verbs in the guest, over the target's shell (console or SSH): claim a pin by role or name as an output or an
 * input; set, get, pulse and pulse trains timed by the guest; watch edges as the guest's kernel stamped them; answer
 * an edge on one pin with a pulse on another; release. Everything claimed is released by releaseAll(), which the
 * `gpio` fixture runs after every test, also a failed one.
 *
 * Inputs and edges go through the GPIO character device (libgpiod's gpioget and gpiomon): the kernel stamps each
 * edge. Outputs go through sysfs where the guest kernel has it, the character device where not: libgpiod 1.x's tools
 * hold a line only while their process runs, and each release turns a BCM2835 pin back into an input, a glitch the
 * analyzer would see; sysfs holds a level between commands.
 */
import { InputError } from '../errors.js';
import { parseTime } from '../signals/units.js';
import type { PinRef, ProfilePin } from './board-profile.js';
import { controllerOf } from './board-profile.js';
import {
  GUEST_GPIO_DIR, answerLoop, clearStaleEdge, checkedSysfsFolder, gpiodGet, gpiodHold, gpiodPulses, gpiodWatch, parseGpiomon,
  stopProcess, sysfsExportOutput, waitWhileRunning, sysfsPulses, sysfsUnexport, waitUntilUsed, type Edge, type EdgeFilter,
} from './gpio-commands.js';
import type { Target } from './target.js';

export type Level = 0 | 1;
/** A duration: '100ms', '250us', or seconds as a number. */
export type Duration = string | number;
export type OutputPath = 'sysfs' | 'chardev';

/** An edge as the guest saw it: its kernel's timestamp (CLOCK_MONOTONIC or REALTIME, per the kernel) in ns. */
export interface GuestEdge {
  readonly edge: Edge;
  readonly ns: number;
}

export interface PulseOptions {
  /** The level of the pulse (default 1: a high pulse on a line that rests low). */
  readonly level?: Level;
}

export interface TrainOptions extends PulseOptions {
  readonly count: number;
  /** How long each pulse lasts; 0: as fast as the guest can switch the pin. */
  readonly width: Duration;
  /** The time between pulses (default: the width, a 50% duty cycle). */
  readonly gap?: Duration;
}

/** Guest time is slower than wall time under emulation: a guest-timed step gets this many times its length, plus 10 s. */
const WALL_PER_GUEST = 4;
const wallBound = (guestS: number) => Math.ceil(guestS * 1000 * WALL_PER_GUEST) + 10_000;

interface Claim {
  readonly pin: ProfilePin;
  release(): Promise<void>;
}

export class GuestGpio {
  private readonly claims = new Set<Claim>();
  private outputPath: Promise<OutputPath> | undefined;
  private dirMade: Promise<unknown> | undefined;
  private serial = 0;

  /** `outputs` forces how outputs are driven (tests of both paths); by default sysfs where the guest has it. */
  constructor(private readonly target: Target, private readonly options: { outputs?: OutputPath } = {}) {}

  /** A pin by role ('blink', 'input', from the board profile) or by name ('GPIO17', 'PN.01', 'pin 15'). */
  pin(ref: PinRef): ProfilePin {
    return typeof ref === 'string' && this.target.profile.roles?.[ref] !== undefined ? this.target.role(ref) : this.target.pin(ref);
  }

  /** Claims a pin as an output driven at `initial` (default 0) until released. */
  async output(ref: PinRef, initial: Level = 0): Promise<GuestOutput> {
    const pin = this.pin(ref);
    this.refuseClaimed(pin);
    const path = await (this.outputPath ??= this.chooseOutputPath());
    const output = path === 'sysfs' ? await this.sysfsOutput(pin, initial) : await this.chardevOutput(pin, initial);
    this.claims.add(output);
    return output;
  }

  /** Claims a pin as an input, read through the character device. */
  async input(ref: PinRef): Promise<GuestInput> {
    const pin = this.pin(ref);
    this.refuseClaimed(pin);
    const input = new GuestInput(this, pin);
    this.claims.add(input);
    return input;
  }

  /**
   * Answers every `edge` (default rising) on `input` with a short pulse on `output`, from the guest, until stopped:
   * the interrupt pattern (a latency measurement). Resolves once the guest listens; before each further edge the host
   * drives, wait for `armed()`.
   */
  async answer(input: GuestInput, output: GuestOutput, options: { edge?: Edge } = {}): Promise<Answering> {
    if (!(output instanceof SysfsOutput)) throw new InputError(this.where(output.pin), 'answering an edge needs an output the guest can switch without releasing it (sysfs)');
    if (input.watching) throw new InputError(this.where(input.pin), 'is being watched: end its watch (edges()) before answering its edges');
    const files = await this.files('answer');
    const { chip } = controllerOf(this.target.profile, input.pin);
    await this.shell(answerLoop(chip, input.pin.line, options.edge ?? 'rising', output.folder, files.data, files.pid));
    const pgid = await this.readPid(files.pid, input.pin);
    const answering = new Answering(this, input, pgid, files.data);
    this.claims.add(answering);
    await answering.armed().catch(async (error: Error) => {
      await answering.stop().catch(() => {});
      throw new Error(`${this.where(input.pin)}: the answer loop did not start listening (is the line watched already?): ${error.message}`);
    });
    return answering;
  }

  /** Releases everything still claimed, in reverse order; every release is tried, and the failures reported together. */
  async releaseAll(): Promise<void> {
    const problems: string[] = [];
    for (const claim of [...this.claims].reverse()) {
      try {
        await claim.release();
      } catch (error) {
        problems.push(`${claim.pin.name}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    if (this.dirMade) await this.shell(`rm -rf ${GUEST_GPIO_DIR}`).catch((e: Error) => problems.push(e.message.split('\n')[0]!));
    this.dirMade = undefined;
    if (problems.length) throw new Error(`${this.target.name}: could not release every GPIO claim:\n${problems.join('\n')}`);
  }

  // --- for the claims -----------------------------------------------------------------------------------------

  /** @internal */
  forget(claim: Claim): void {
    this.claims.delete(claim);
  }

  /** @internal Runs a verb's command; a failure names the target and the pin. */
  async shell(command: string, timeoutMs = 10_000, pin?: ProfilePin): Promise<string> {
    try {
      return await this.target.shell.check(command, { timeoutMs });
    } catch (error) {
      if (!pin) throw error;
      throw new Error(`${this.where(pin)}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** @internal Files in the guest for one watch or answer loop. */
  async files(kind: string): Promise<{ data: string; pid: string; err: string }> {
    await (this.dirMade ??= this.shell(`mkdir -p ${GUEST_GPIO_DIR}`));
    const base = `${GUEST_GPIO_DIR}/${kind}-${++this.serial}`;
    return { data: `${base}.txt`, pid: `${base}.pid`, err: `${base}.err` };
  }

  /** @internal A pid a background command wrote to a file (waited for, bounded). */
  async readPid(file: string, pin: ProfilePin): Promise<number> {
    const out = await this.shell(`i=0; while [ ! -s ${file} ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i+1)); done; cat ${file}`, 10_000, pin);
    const pid = Number(out.trim());
    if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`${this.where(pin)}: expected a pid, the guest printed ${JSON.stringify(out.slice(0, 80))}`);
    return pid;
  }

  /** @internal */
  where(pin: ProfilePin): string {
    return `${this.target.name} ${pin.name}`;
  }

  /** @internal */
  chip(pin: ProfilePin): string {
    return controllerOf(this.target.profile, pin).chip;
  }

  private refuseClaimed(pin: ProfilePin): void {
    if ([...this.claims].some((c) => c.pin.name === pin.name && !(c instanceof Answering))) {
      throw new InputError(this.where(pin), 'already claimed in this test: release it first');
    }
  }

  private async chooseOutputPath(): Promise<OutputPath> {
    if (this.options.outputs) return this.options.outputs;
    const out = await this.shell('[ -e /sys/class/gpio/export ] && echo sysfs || echo chardev');
    return out.trim() === 'sysfs' ? 'sysfs' : 'chardev';
  }

  private async sysfsOutput(pin: ProfilePin, initial: Level): Promise<SysfsOutput> {
    const gpio = await this.target.sysfsNumber(pin.name);
    const folder = (await this.shell(sysfsExportOutput(gpio, pin.name, initial), 10_000, pin).catch((error: Error) => {
      throw /busy/i.test(error.message) ? new Error(`${this.where(pin)}: in use in the guest (exported, or held by a driver or another process): ${error.message}`) : error;
    })).trim();
    return new SysfsOutput(this, pin, gpio, checkedSysfsFolder(folder), initial);
  }

  private async chardevOutput(pin: ProfilePin, initial: Level): Promise<ChardevOutput> {
    const output = new ChardevOutput(this, pin, initial);
    await output.hold(initial);
    return output;
  }
}

/** An output pin claimed in the guest. */
export abstract class GuestOutput implements Claim {
  protected level: Level;
  constructor(protected readonly gpio: GuestGpio, readonly pin: ProfilePin, initial: Level) {
    this.level = initial;
  }

  /** The pin's name: what a capture calls its channel. */
  get name(): string {
    return this.pin.name;
  }

  abstract set(level: Level): Promise<void>;
  /** The level the guest reads back from the pin (sysfs), or the one it holds (the character device). */
  abstract get(): Promise<Level>;
  /** One pulse of `width` (guest-timed), from the opposite level and back to it. */
  async pulse(width: Duration, options: PulseOptions = {}): Promise<void> {
    await this.train({ ...options, count: 1, width });
  }
  /** `count` pulses of `width` separated by `gap`, timed in the guest by one command. */
  abstract train(options: TrainOptions): Promise<void>;
  abstract release(): Promise<void>;

  protected timing(options: TrainOptions): { level: Level; count: number; widthS: number; gapS: number } {
    const where = this.gpio.where(this.pin);
    const widthS = parseTime(options.width, `${where} pulse width`);
    const gapS = parseTime(options.gap ?? options.width, `${where} pulse gap`);
    if (!(widthS >= 0) || !(gapS >= 0) || !Number.isSafeInteger(options.count) || options.count < 1) {
      throw new InputError(where, `a pulse train needs a count ≥ 1 and a width and gap ≥ 0, got count ${options.count}, width ${options.width}, gap ${options.gap ?? options.width}`);
    }
    return { level: options.level ?? 1, count: options.count, widthS, gapS };
  }
}

class SysfsOutput extends GuestOutput {
  constructor(gpio: GuestGpio, pin: ProfilePin, private readonly number: number, readonly folder: string, initial: Level) {
    super(gpio, pin, initial);
  }

  async set(level: Level): Promise<void> {
    await this.gpio.shell(`echo ${level ? 1 : 0} > ${this.folder}/value`, 10_000, this.pin);
    this.level = level;
  }

  async get(): Promise<Level> {
    return readLevel(await this.gpio.shell(`cat ${this.folder}/value`, 10_000, this.pin), this.gpio.where(this.pin));
  }

  async train(options: TrainOptions): Promise<void> {
    const { level, count, widthS, gapS } = this.timing(options);
    await this.gpio.shell(sysfsPulses(this.folder, level, count, widthS, gapS), wallBound(count * (widthS + gapS)), this.pin);
    this.level = (1 - level) as Level;
  }

  async release(): Promise<void> {
    this.gpio.forget(this);
    await this.gpio.shell(sysfsUnexport(this.number), 10_000, this.pin);
  }
}

class ChardevOutput extends GuestOutput {
  private holder: number | undefined;

  async hold(level: Level): Promise<void> {
    const files = await this.gpio.files('hold');
    const pid = Number((await this.gpio.shell(gpiodHold(this.gpio.chip(this.pin), this.pin.line, level, files.err), 10_000, this.pin)).trim());
    if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`${this.gpio.where(this.pin)}: gpioset did not start`);
    this.holder = pid;
    this.level = level;
  }

  private async letGo(): Promise<void> {
    if (this.holder === undefined) return;
    await this.gpio.shell(stopProcess(this.holder), 10_000, this.pin);
    this.holder = undefined;
  }

  async set(level: Level): Promise<void> {
    await this.letGo();
    await this.hold(level);
  }

  async get(): Promise<Level> {
    return this.level;
  }

  async train(options: TrainOptions): Promise<void> {
    const { level, count, widthS, gapS } = this.timing(options);
    await this.letGo();
    await this.gpio.shell(gpiodPulses(this.gpio.chip(this.pin), this.pin.line, level, count, widthS, gapS), wallBound(count * (widthS + gapS)), this.pin);
    await this.hold((1 - level) as Level);
  }

  async release(): Promise<void> {
    this.gpio.forget(this);
    await this.letGo();
  }
}

/** An input pin claimed in the guest. */
export class GuestInput implements Claim {
  private readonly watches = new Set<EdgeWatch>();

  constructor(private readonly gpio: GuestGpio, readonly pin: ProfilePin) {}

  /** The pin's name: what a capture calls its channel. */
  get name(): string {
    return this.pin.name;
  }

  /** Whether a watch of this input runs (the line is then held: nothing else can watch or answer it). */
  get watching(): boolean {
    return this.watches.size > 0;
  }

  async get(): Promise<Level> {
    return readLevel(await this.gpio.shell(gpiodGet(this.gpio.chip(this.pin), this.pin.line), 10_000, this.pin), this.gpio.where(this.pin));
  }

  /**
   * Starts watching edges (gpiomon); resolves once the guest is listening, so an edge driven after it is seen.
   * With `count`, the watch ends by itself after that many edges.
   */
  async watch(options: { edge?: EdgeFilter; count?: number } = {}): Promise<EdgeWatch> {
    const files = await this.gpio.files('watch');
    const chip = this.gpio.chip(this.pin);
    await this.gpio.shell(clearStaleEdge(chip, this.pin.line), 10_000, this.pin);
    const pid = Number((await this.gpio.shell(gpiodWatch(chip, this.pin.line, options.edge ?? 'both', files.data, options.count), 10_000, this.pin)).trim());
    if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`${this.gpio.where(this.pin)}: gpiomon did not start`);
    const watch = new EdgeWatch(this.gpio, this.pin, pid, files.data, options.count, () => this.watches.delete(watch));
    this.watches.add(watch);
    await this.gpio.shell(waitUntilUsed(chip, this.pin.line, 'gpiomon'), 10_000, this.pin).catch(async (error: Error) => {
      await watch.stop().catch(() => {});
      throw new Error(`${this.gpio.where(this.pin)}: gpiomon did not start listening within 3 s: ${error.message}`);
    });
    return watch;
  }

  async release(): Promise<void> {
    this.gpio.forget(this);
    for (const watch of [...this.watches]) await watch.stop();
  }
}

/** Edges the guest is watching for on an input. */
export class EdgeWatch {
  private ended = false;

  constructor(
    private readonly gpio: GuestGpio,
    readonly pin: ProfilePin,
    private readonly pid: number,
    private readonly file: string,
    private readonly count: number | undefined,
    private readonly onEnd: () => void,
  ) {}

  /**
   * Ends the watch and returns the edges it saw. A watch with a count first waits for that many (at most `timeout`
   * of guest time, default 5 s); fewer is then for the caller's assertion to judge.
   */
  async edges(options: { timeout?: Duration } = {}): Promise<GuestEdge[]> {
    if (this.count !== undefined) {
      const timeoutS = parseTime(options.timeout ?? 5, `${this.gpio.where(this.pin)} edge watch timeout`);
      await this.gpio.shell(waitWhileRunning(this.pid, timeoutS), wallBound(timeoutS), this.pin);
    }
    await this.stop();
    // At most 1 MiB of events: a line flapping without end cannot fill the host's memory.
    const text = await this.gpio.shell(`head -c 1048576 ${this.file}`, 10_000, this.pin);
    return parseGpiomon(text, `${this.gpio.where(this.pin)} gpiomon output`);
  }

  async stop(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    await this.gpio.shell(stopProcess(this.pid), 10_000, this.pin);
  }
}

/** A guest loop answering edges on an input with pulses on an output. */
export class Answering implements Claim {
  private stopped = false;

  constructor(private readonly gpio: GuestGpio, private readonly input: GuestInput, private readonly pgid: number, private readonly counter: string) {}

  get pin(): ProfilePin {
    return this.input.pin;
  }

  /** Resolves once the guest listens for the next edge (bounded, 3 s in the guest). */
  async armed(): Promise<void> {
    await this.gpio.shell(waitUntilUsed(this.gpio.chip(this.pin), this.pin.line, 'gpiomon', this.pgid), 10_000, this.pin);
  }

  /** Stops the loop; returns how many edges it answered. */
  async stop(): Promise<number> {
    if (!this.stopped) {
      this.stopped = true;
      this.gpio.forget(this);
      await this.gpio.shell(stopProcess(this.pgid, true), 10_000, this.pin);
    }
    return Number((await this.gpio.shell(`wc -l < ${this.counter} 2>/dev/null || echo 0`, 10_000, this.pin)).trim()) || 0;
  }

  async release(): Promise<void> {
    await this.stop();
  }
}

function readLevel(text: string, where: string): Level {
  const value = text.trim();
  if (value !== '0' && value !== '1') throw new InputError(where, `expected the level 0 or 1, the guest printed ${JSON.stringify(value.slice(0, 80))}`);
  return value === '1' ? 1 : 0;
}
