/**
 * A QEMU machine as a Target. It composes: QEMU under icount (virtual time that does not follow the host) with the
 * gpio-stores plugin, QMP and qtest beside the guest; the console on a Unix socket (with a watch for kernel panics); the GPIO block found by QOM type; the QEMU
 * probe (harness/instruments/qemu/) as the analyzer. What differs between machines is a QemuMachine.
 */
import path from 'node:path';
import type { GuestImage } from '../guest/image.js';
import { ensureGpioStoresPlugin } from '../guest/qemu-plugin.js';
import { QmpLink, type QomDevice } from '../links/qmp.js';
import { QtestLink } from '../links/qtest.js';
import { SocketConsole } from '../links/socket-console.js';
import { Shell } from '../links/shell.js';
import { modelFor } from '../models/index.js';
import type { Level, RegisterModel, RegisterWrite } from '../models/types.js';
import { QemuProbe } from '../instruments/qemu/probe.js';
import { drivePulseTrain } from '../instruments/qemu/pulse-train.js';
import { StoreStream } from '../instruments/qemu/store-stream.js';
import { TimedInputs, type ArmedChanges, type LevelChange } from '../instruments/qemu/timed-inputs.js';
import { ensureTimedInputsPlugin } from '../instruments/qemu/timed-inputs-plugin.js';
import { NANOSECONDS } from '../signals/waveform.js';
import { loadBoardProfile, resolvePin, rolePin, type BoardProfile, type PinRef, type ProfilePin } from './board-profile.js';
import { joinStreams } from './machine-stream.js';
import { watchForKernelFault } from './kernel-fault-watch.js';
import { gpiochipBase } from './gpio-sysfs.js';
import { GuestRun } from './guest-run.js';
import { QemuProcess } from './qemu-process.js';
import type { Capabilities, Recording, Target } from './target.js';

/** What the machine-specific code may use to drive an input. */
export interface QemuIo {
  readonly qtest: QtestLink;
  readonly gpio: QomDevice;
  readonly model: RegisterModel;
}

export interface QemuMachine {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** Board profile (YAML) describing the pins. */
  readonly profile: string;
  /** QOM type of the GPIO block. */
  readonly gpioType: string;
  /**
   * The machine's hardware and console; the common arguments (icount, plugin, QMP, qtest) are added by QemuTarget.
   * `console` is the chardev to give the console's -serial.
   */
  args(console: string): string[];
  /**
   * What boots the guest (kernel, device tree, initramfs, command line). Left out when a saved guest is restored: its
   * memory already holds them, and loading them only to be overwritten cost a restore a third of its CPU.
   */
  bootArgs(image: GuestImage, append: string): string[];
  /** Applies an input level from the host (called with the VM stopped). */
  drive(io: QemuIo, line: number, level: Level): Promise<void>;
  /** Registers whose value QEMU and the model must agree on, with the bits that count. */
  consistency(model: RegisterModel): Array<{ name: string; addr: number; mask: number }>;
  /**
   * Interrupts pending now (VM stopped) that QEMU's migration would not carry into a saved guest, one line each; empty
   * when a save now loses nothing. Machines whose interrupt controller migrates its input levels (a GIC) leave it out.
   */
  unsavedInterrupts?(io: QemuIo): Promise<string[]>;
}

export interface QemuTargetOptions {
  readonly image: GuestImage;
  readonly profile?: BoardProfile;
  /** Boot to shell prompt, bounded in wall-clock time. */
  readonly bootTimeoutMs?: number;
  /** Extra kernel command line. */
  readonly append?: string;
  /** The QEMU binary (default qemu-system-aarch64 on PATH). */
  readonly qemu?: string;
  /** Extra QEMU arguments (e.g. networking). */
  readonly extraArgs?: readonly string[];
  /** The gpio-stores plugin (default: the one setup builds). */
  readonly plugin?: string;
  /**
   * A kernel oops ends the machine at once, naming the oops line (default). Grading turns this off: its watchdog
   * attributes an oops to the rubric criterion that caused it.
   */
  readonly endOnOops?: boolean;
  /** Start from a saved, booted guest (saveSnapshot) instead of booting: the machine's command line plus -incoming. */
  readonly restore?: GuestSnapshot;
  /** With restore: leave the guest paused once loaded; resume() lets it run. */
  readonly paused?: boolean;
}

/** A booted guest saved by QEMU's migration to a file, with the register writes its model needs replayed. */
export interface GuestSnapshot {
  readonly stateFile: string;
  readonly writes: readonly RegisterWrite[];
  /**
   * Where the machine's GPIO block is in QEMU's object tree. Finding it walks the tree (0.25 s of QEMU's CPU on raspi3b,
   * most of a restore's cost); a restore of the same command line has the same tree, so it only checks the path.
   */
  readonly gpio: QomDevice;
}

/**
 * Virtual time: one instruction is one nanosecond (shift=0), and idle stretches are skipped (sleep=off) rather than
 * slept through in host time, so nothing the host does changes the guest's clock. Never shift=auto: it follows the host.
 */
export const ICOUNT = ['-icount', 'shift=0,sleep=off'];

/**
 * The guest kernel keeps its periodic tick (nohz=off). With the tick stopped in idle, a timer armed by the first
 * interrupt after a long idle could be queued against a stale timer-wheel clock and fire up to 32 ms late; how long the
 * guest had idled depends on how fast the host answered, so a correct debounce lost a press on a busy host (the button
 * reference: 2 of 24 gradings under load lost one, 0 of 47 with the tick kept).
 */
const KERNEL_TICK = 'nohz=off';

/** The guest kernel's extra command line: the tick, then the caller's arguments. */
export function kernelArguments(options: Pick<QemuTargetOptions, 'append'>): string {
  return [KERNEL_TICK, options.append].filter(Boolean).join(' ');
}

/** An infrastructure failure: the machine could not be brought up. Never a scenario's pass or fail. */
export class TargetStartError extends Error {
  override name = 'TargetStartError';
}

export class QemuTarget implements Target {
  private sysfsBase: number | undefined;

  private constructor(
    readonly machine: QemuMachine,
    readonly profile: BoardProfile,
    readonly qemu: QemuProcess,
    readonly shell: Shell,
    readonly model: RegisterModel,
    readonly probe: QemuProbe,
    /** The guest runs only while the host waits on it. */
    readonly run: GuestRun,
    private readonly serial: SocketConsole,
    private readonly qmp: QmpLink,
    readonly qtest: QtestLink,
    private readonly stores: StoreStream,
    readonly gpio: QomDevice,
    private readonly inputs: TimedInputs,
  ) {}

  get name(): string {
    return this.machine.name;
  }

  get capabilities(): Capabilities {
    return this.machine.capabilities;
  }

  static async boot(machine: QemuMachine, options: QemuTargetOptions): Promise<QemuTarget> {
    const profile = options.profile ?? loadBoardProfile(machine.profile);
    const model = modelFor(profile.controller.model, { base: profile.controller.base });
    const plugin = options.plugin ?? await ensureGpioStoresPlugin();
    const inputsPlugin = await ensureTimedInputsPlugin();
    const dir = QemuProcess.makeDir();
    const stores = await StoreStream.listen(path.join(dir, 'stores.sock'));
    const inputs = await TimedInputs.listen(path.join(dir, 'inputs.sock'));
    const qemu = QemuProcess.start(options.qemu ?? 'qemu-system-aarch64', [
      ...machine.args('unix:{dir}/console.sock,server=on,wait=off'),
      ...(options.restore ? [] : machine.bootArgs(options.image, kernelArguments(options))),
      ...ICOUNT,
      '-plugin', `${plugin},base=0x${model.base.toString(16)},size=0x${model.size.toString(16)},socket=${stores.socketPath}`,
      '-plugin', `${inputsPlugin},socket=${inputs.socketPath}`,
      '-display', 'none', '-monitor', 'none',
      '-qmp', 'unix:{dir}/qmp.sock,server=on,wait=off',
      '-qtest', 'unix:{dir}/qtest.sock,server=on,wait=off', '-qtest-log', '/dev/null',
      ...(options.extraArgs ?? []),
      // Paused once loaded (-S), then continued: a guest let run straight from -incoming under icount sleep=off
      // never skipped its idle time again (a usleep did not end, then the clock jumped by hours).
      ...(options.restore ? ['-S', '-incoming', `file:${options.restore.stateFile}`] : []),
    ], { dir });
    // The restored guest's registers are those the boot left: the model takes the same writes.
    for (const write of options.restore?.writes ?? []) model.write(write);
    const opened: Array<{ close(): unknown }> = [stores, inputs];
    try {
      await qemu.unlessExited(stores.connected(10_000));
      await qemu.unlessExited(inputs.connected(10_000));
      // The plugin's changes reach the model at their virtual times (open recordings do not see them).
      inputs.onChange((line, level, ns) => model.drive(line, level, ns / NANOSECONDS));
      const serial = await qemu.unlessExited(SocketConsole.connect(path.join(qemu.dir, 'console.sock')));
      opened.push(serial);
      const ending = options.endOnOops === false ? (['panicked'] as const) : (['panicked', 'oopsed'] as const);
      watchForKernelFault(serial, ending, (fault, line) => qemu.kill(`the guest kernel ${fault}: ${line}`));
      const qmp = await qemu.unlessExited(QmpLink.connect(path.join(qemu.dir, 'qmp.sock')));
      opened.push(qmp);
      const qtest = await qemu.unlessExited(QtestLink.connect(path.join(qemu.dir, 'qtest.sock')));
      opened.push(qtest);
      const gpio = options.restore ? await qmp.device(options.restore.gpio.path, machine.gpioType) : await qmp.findDevice(machine.gpioType);
      const run = new GuestRun({
        stop: async () => {
          await qmp.stop();
          await qtest.readl(model.base); // its answer follows every output event QEMU raised before the stop
        },
        cont: async () => void (await qmp.cont()),
      }, !options.restore);
      const probe = new QemuProbe(model, stores, run);
      await qtest.interceptOutputs(gpio);
      qtest.onIrq((event) => probe.onQemuEvent(event.line, event.level));
      const shell = new Shell(joinStreams(serial, qemu), undefined, undefined, (work) => run.running(work));
      const target = new QemuTarget(machine, profile, qemu, shell, model, probe, run, serial, qmp, qtest, stores, gpio, inputs);
      if (options.restore) {
        await target.untilLoaded(options.bootTimeoutMs ?? 30_000);
        // Kept paused (costing no CPU) until resume(): a spare guest, ready the moment a test asks for one.
        if (options.paused) return target;
        await target.resume();
        return target;
      }
      await target.shell.waitForText(new RegExp(escapeRegExp(options.image.prompt)), options.bootTimeoutMs ?? 30_000);
      await target.shell.sync();
      return target;
    } catch (error) {
      for (const resource of opened.reverse()) await resource.close();
      const exit = await Promise.race([qemu.exited.then(() => qemu.describeExit()), new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]);
      await qemu.stop();
      throw new TargetStartError(`${machine.name} did not come up: ${(error as Error).message}${exit ? `\n(${exit})` : ''}`);
    }
  }

  pin(ref: PinRef): ProfilePin {
    return resolvePin(this.profile, ref);
  }

  role(role: string): ProfilePin {
    return rolePin(this.profile, role);
  }

  /** Legacy GPIO number = the chip's base (read from the guest's sysfs) + the line. */
  async sysfsNumber(ref: PinRef): Promise<number> {
    this.sysfsBase ??= await gpiochipBase(this.shell, this.profile.controller.chip);
    return this.sysfsBase + this.pin(ref).line;
  }

  async drive(ref: PinRef, level: Level): Promise<void> {
    const pin = await this.inputPin(ref);
    await this.probe.drive(pin.line, level, () => this.machine.drive(this.io(), pin.line, level));
  }

  /**
   * Drives `count` pulses on an input pin (which must be a low input), paced in the guest's virtual time; returns the
   * spacing between successive rising edges in virtual milliseconds, as the guest saw them.
   */
  async drivePulses(ref: PinRef, count: number, periodMs: number): Promise<{ spacingsMs: number[] }> {
    if (!Number.isInteger(count) || count < 1 || !(periodMs > 0)) throw new Error(`${this.name}: drivePulses needs a pulse count and a period, got ${count} and ${periodMs} ms`);
    const pin = await this.inputPin(ref);
    if (this.model.level(pin.line) !== 0) throw new Error(`${this.name}: ${pin.name} must be low before a pulse train`);
    const rises = await drivePulseTrain({
      drive: (level) => this.probe.drive(pin.line, level, () => this.machine.drive(this.io(), pin.line, level)),
      until: (ns) => this.probe.until(ns),
    }, count, periodMs / 1000);
    return { spacingsMs: rises.slice(1).map((at, i) => ((at - rises[i]!) * 1000) / NANOSECONDS) };
  }

  /**
   * Drives an input pin through `changes` at exact virtual times, however busy the host (bounce bursts tens of
   * microseconds apart): the first, at offset 0, at a fence like drive(); the rest by the timed-inputs plugin's timer
   * on QEMU's virtual clock, armed at that same fence. Resolves once all have happened, with their virtual times (ns).
   * The register model follows every change; a recording open meanwhile sees only the first.
   */
  async driveChanges(ref: PinRef, changes: readonly LevelChange[]): Promise<number[]> {
    const pin = await this.inputPin(ref);
    if (pin.line >= this.gpio.inputs) throw new Error(`${this.name}: ${pin.name} is not an input line of ${this.gpio.type}; timed changes need a GPIO block with input lines (qemu-virt's PL061)`);
    const [first, ...rest] = changes;
    if (first?.afterNs !== 0) throw new Error(`${this.name}: driveChanges needs changes starting at offset 0, got ${first ? `${first.afterNs} ns` : 'none'}`);
    const lastNs = changes[changes.length - 1]!.afterNs;
    let armed: ArmedChanges | undefined;
    const startNs = await this.probe.drive(pin.line, first.level, async () => {
      await this.machine.drive(this.io(), pin.line, first.level);
      // A slow host slows the guest's clock, never the changes' place in it: the wall bound only catches a stuck guest.
      if (rest.length) armed = await this.inputs.arm(this.gpio.path, pin.line, rest, { armWithinMs: 5000, appliedWithinMs: 10_000 + 50 * (lastNs / 1e6) });
    });
    if (!armed) return [startNs];
    if (armed.startNs !== startNs) throw new Error(`${this.name}: the timed changes were armed at ${armed.startNs} ns, not at the fence (${startNs} ns): the VM was running`);
    const applied = armed.applied;
    return [startNs, ...(await this.run.running(() => applied))];
  }

  async record(pins: readonly PinRef[]): Promise<Recording> {
    const channels = Object.fromEntries(pins.map((ref) => {
      const pin = this.pin(ref);
      return [pin.name, pin.line];
    }));
    return this.probe.record(channels);
  }

  async modelDifferences(): Promise<string[]> {
    await this.probe.sync();
    const differences: string[] = [];
    for (const { name, addr, mask } of this.machine.consistency(this.model)) {
      const [machine, model] = [((await this.qtest.readl(addr)) & mask) >>> 0, (this.model.read(addr) & mask) >>> 0];
      if (machine !== model) differences.push(`${name}: QEMU 0x${hex8(machine)}, model 0x${hex8(model)}`);
    }
    return differences;
  }

  /**
   * Saves this booted guest to `stateFile` (QMP migrate to file:, bounded) with its model's writes since boot; the
   * guest is left paused, to be closed. Call it before any recording: the snapshot is of a guest just booted.
   */
  async saveSnapshot(stateFile: string, timeoutMs = 60_000): Promise<GuestSnapshot> {
    const writes = this.probe.takeHistory();
    if (!writes) throw new Error(`${this.name}: too many register writes since boot to snapshot this guest`);
    const deadline = Date.now() + timeoutMs;
    // Saved stopped, with no interrupt pending that the state file would drop (raspi3b: a timer interrupt dropped
    // that way leaves its CPU without timer interrupts after every restore of that file). Checked again once written:
    // a timer already due when the VM stopped can still fire while the state is written (the TCG thread turns the
    // virtual clock back on whenever it wakes), and a level that rose then is in the file.
    for (let attempt = 1; ; attempt++) {
      await this.qmp.stop();
      let lost = (await this.machine.unsavedInterrupts?.(this.io())) ?? [];
      if (!lost.length) {
        await this.migrateTo(stateFile, deadline);
        lost = (await this.machine.unsavedInterrupts?.(this.io())) ?? [];
        if (!lost.length) return { stateFile, writes, gpio: this.gpio };
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: found no moment to save the guest without dropping a pending interrupt within ${timeoutMs} ms (${lost.join('; ')})`);
      await this.run.running(() => new Promise((resolve) => setTimeout(resolve, 10 * attempt)));
    }
  }

  /** QMP migrate to a file, polled (bounded) until it completes; the VM is then stopped (postmigrate). */
  private async migrateTo(stateFile: string, deadline: number): Promise<void> {
    await this.qmp.execute('migrate', { uri: `file:${stateFile}` });
    for (;;) {
      const { status, 'error-desc': error } = await this.qmp.execute<{ status: string; 'error-desc'?: string }>('query-migrate');
      if (status === 'completed') return;
      if (status === 'failed' || status === 'cancelled') throw new Error(`${this.name}: saving the guest to ${stateFile} ${status}: ${error ?? 'no reason given'}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: saving the guest to ${stateFile} did not finish in time (status ${status})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Lets a restored guest (booted with paused: true) run until its shell answers; one that does not is closed. */
  async resume(): Promise<void> {
    try {
      await this.shell.adopt();
    } catch (error) {
      const status = await this.qmp.execute<{ status: string }>('query-status').then((s) => `VM ${s.status}`, (e: Error) => `VM status unknown: ${e.message}`);
      const exited = this.qemu.exitStatus ? `; ${this.qemu.describeExit()}` : '';
      await this.close();
      throw new TargetStartError(`${this.name}: the restored guest's shell did not answer (${status}${exited}): ${(error as Error).message}`);
    }
  }

  /** Waits (bounded) until a restored guest's state has loaded: it is then paused (-S), ready to continue. */
  private async untilLoaded(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status } = await this.qmp.execute<{ status: string }>('query-status');
      if (status === 'paused') return;
      if (status !== 'inmigrate' && status !== 'prelaunch') throw new Error(`${this.name}: the restored guest is ${status}, not loaded and paused`);
      if (Date.now() > deadline) throw new Error(`${this.name}: the restored guest's state did not load within ${timeoutMs} ms (status ${status})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  elapse(ms: number): Promise<void> {
    return this.probe.elapse(ms);
  }

  async health(): Promise<void> {
    if (this.qemu.exitStatus) throw new Error(`${this.name}: ${this.qemu.describeExit()}`);
    await this.shell.run('true', { timeoutMs: 3000 });
  }

  consoleLog(): string {
    return this.shell.log.contents();
  }

  private io(): QemuIo {
    return { qtest: this.qtest, gpio: this.gpio, model: this.model };
  }

  /** The pin, once the guest's latest direction writes have reached the model and it is an input there. */
  private async inputPin(ref: PinRef): Promise<ProfilePin> {
    await this.probe.sync();
    const pin = this.pin(ref);
    const direction = this.model.direction(pin.line);
    if (direction !== 'in') {
      throw new Error(`${this.name}: ${pin.name} is an ${direction === 'out' ? 'output' : 'alternate function'} in the guest; driving it from the host would fight the guest`);
    }
    return pin;
  }

  async close(): Promise<void> {
    this.stores.close();
    this.inputs.close();
    this.qtest.close();
    this.qmp.close();
    await this.serial.close();
    await this.qemu.stop();
  }
}

/** Which bits of a bank are outputs in the model. */
export function outputMask(model: RegisterModel, firstPin: number, count: number): number {
  let mask = 0;
  for (let bit = 0; bit < count && firstPin + bit < model.pinCount; bit++) if (model.direction(firstPin + bit) === 'out') mask |= 1 << bit;
  return mask >>> 0;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
