/**
 * The emulated Raspberry Pi 3B: QEMU raspi3b (BCM2835 GPIO) booting the Debian-built guest.
 * Link: the mini-UART console (the SECOND -serial; the first is the PL011, taken by Bluetooth) on a pty.
 * Pins observed by the virtual analyzer (MMIO trace → BCM2835 model), cross-checked by qtest output events.
 * Inputs driven by qtest GPSET/GPCLR writes (the device has no input lines). No edge interrupts: QEMU lacks them.
 */
import path from 'node:path';
import type { GuestImage } from '../guest/image.js';
import { QmpLink, type QomDevice } from '../links/qmp.js';
import { QtestLink, type IrqEvent } from '../links/qtest.js';
import { SerialConsole } from '../links/serial.js';
import { Shell } from '../links/shell.js';
import { modelFor } from '../models/index.js';
import type { RegisterModel } from '../models/types.js';
import { MmioTrace } from '../instruments/mmio-trace.js';
import { VirtualAnalyzer } from '../instruments/virtual-analyzer.js';
import { loadBoardProfile, resolvePin, type BoardProfile, type PinRef, type ProfilePin } from './board-profile.js';
import { QemuProcess } from './qemu-process.js';
import type { Capabilities, Recording, Target } from './target.js';
import type { Capture } from '../signals/capture.js';
import { makeWaveform } from '../signals/waveform.js';
import { joinStreams } from './machine-stream.js';

export const RPI3B_PROFILE = path.resolve(import.meta.dirname, '../../fixtures/boards/rpi3b.yaml');

const GPSET0 = 0x1c;
const GPCLR0 = 0x28;

export interface Raspi3bOptions {
  readonly image: GuestImage;
  readonly profile?: BoardProfile;
  /** Boot to shell prompt, bounded. */
  readonly bootTimeoutMs?: number;
  /** Extra kernel command line. */
  readonly append?: string;
  /** The QEMU binary (default qemu-system-aarch64 on PATH). */
  readonly qemu?: string;
}

/** An infrastructure failure: the machine could not be brought up. Never a scenario's pass or fail. */
export class TargetStartError extends Error {
  override name = 'TargetStartError';
}

export class QemuRaspi3b implements Target {
  readonly name = 'qemu-raspi3b';
  readonly capabilities: Capabilities = { inputs: true, interrupts: false, registerLog: true };
  readonly irqEvents: IrqEvent[] = [];
  private sysfsBase: number | undefined;
  /** Host time of the last fence write: where a recording's sample 0 lies on the qtest event clock. */
  private lastFenceAt = 0n;
  /** QEMU's output lines as its events left them. */
  private readonly lineLevels = new Map<number, 0 | 1>();

  private constructor(
    readonly profile: BoardProfile,
    readonly qemu: QemuProcess,
    readonly shell: Shell,
    readonly model: RegisterModel,
    private readonly serial: SerialConsole,
    private readonly qmp: QmpLink,
    private readonly qtest: QtestLink,
    private readonly gpio: QomDevice,
    private readonly trace: MmioTrace,
    private readonly analyzer: VirtualAnalyzer,
  ) {}

  static async boot(options: Raspi3bOptions): Promise<QemuRaspi3b> {
    const profile = options.profile ?? loadBoardProfile(RPI3B_PROFILE);
    const { image } = options;
    const qemu = QemuProcess.start(options.qemu ?? 'qemu-system-aarch64', [
      '-M', 'raspi3b', '-accel', 'tcg,thread=single',
      '-kernel', image.kernel, '-dtb', image.raspi3bDtb, '-initrd', image.initrd,
      '-append', `console=ttyS1,115200 rdinit=/init quiet ${options.append ?? ''}`.trim(),
      '-display', 'none', '-monitor', 'none', '-serial', 'null', '-serial', 'pty',
      '-qmp', 'unix:{dir}/qmp.sock,server=on,wait=off',
      '-qtest', 'unix:{dir}/qtest.sock,server=on,wait=off', '-qtest-log', '/dev/null',
      '-trace', 'memory_region_ops_write', '-D', '{dir}/mmio.log', '-msg', 'timestamp=on',
    ]);
    const opened: Array<{ close(): unknown }> = [];
    try {
      const qmp = await qemu.unlessExited(QmpLink.connect(path.join(qemu.dir, 'qmp.sock')));
      opened.push(qmp);
      const qtest = await qemu.unlessExited(QtestLink.connect(path.join(qemu.dir, 'qtest.sock')));
      opened.push(qtest);
      const gpio = await qmp.findDevice('bcm2835_gpio');
      const model = modelFor(profile.controller.model, { base: profile.controller.base });
      let target: QemuRaspi3b | undefined;
      const fence = {
        addr: model.base + GPSET0,
        value: 0,
        write: () => {
          if (target) target.lastFenceAt = process.hrtime.bigint();
          return qtest.writel(model.base + GPSET0, 0);
        },
        poll: () => trace.poll(),
      };
      const analyzer = new VirtualAnalyzer(model, fence, true);
      const trace = new MmioTrace(path.join(qemu.dir, 'mmio.log'), { base: model.base, size: model.size }, (w) => analyzer.onWrite(w));
      trace.start();
      opened.push({ close: () => trace.stop() });
      const serial = await SerialConsole.open(await consolePty(qmp, 'serial1'));
      opened.push(serial);
      const shell = new Shell(joinStreams(serial, qemu));
      target = new QemuRaspi3b(profile, qemu, shell, model, serial, qmp, qtest, gpio, trace, analyzer);
      const events = target.irqEvents;
      await qtest.interceptOutputs(gpio);
      qtest.onIrq((event) => {
        target!.lineLevels.set(event.line, event.level);
        if (events.length >= 100_000) events.splice(0, 50_000);
        events.push(event);
      });
      await shell.waitForText(new RegExp(escapeRegExp(image.prompt)), options.bootTimeoutMs ?? 30_000);
      await shell.sync();
      return target;
    } catch (error) {
      for (const resource of opened.reverse()) await resource.close();
      const exit = await Promise.race([qemu.exited.then(() => qemu.describeExit()), new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]);
      await qemu.stop();
      throw new TargetStartError(`qemu-raspi3b did not come up: ${(error as Error).message}${exit ? `\n(${exit})` : ''}`);
    }
  }

  pin(ref: PinRef): ProfilePin {
    return resolvePin(this.profile, ref);
  }

  /** Legacy GPIO number = the chip's base (read from the guest's sysfs) + the line. */
  async sysfsNumber(ref: PinRef): Promise<number> {
    this.sysfsBase ??= Number(
      (await this.shell.check(`for c in /sys/class/gpio/gpiochip*; do [ "$(cat $c/label)" = '${this.profile.controller.chip}' ] && cat $c/base; done`)).trim(),
    );
    if (!Number.isInteger(this.sysfsBase)) throw new Error(`${this.name}: no gpiochip labelled ${this.profile.controller.chip} in /sys/class/gpio`);
    return this.sysfsBase + this.pin(ref).line;
  }

  async drive(ref: PinRef, level: 0 | 1): Promise<void> {
    const pin = this.pin(ref);
    await this.analyzer.sync(); // the guest's last GPFSEL writes must have reached the model
    if (this.model.direction(pin.line) !== 'in') {
      throw new Error(`${this.name}: ${pin.name} is an ${this.model.direction(pin.line) === 'out' ? 'output' : 'alternate function'} in the guest; driving it from the host would fight the guest`);
    }
    const bank = pin.line >> 5;
    await this.qtest.writel(this.model.base + (level ? GPSET0 : GPCLR0) + 4 * bank, (1 << (pin.line & 31)) >>> 0);
  }

  async record(pins: readonly PinRef[]): Promise<Recording> {
    const channels = Object.fromEntries(pins.map((ref) => {
      const pin = this.pin(ref);
      return [pin.name, pin.line];
    }));
    const initial = new Map(Object.values(channels).map((line) => [line, this.lineLevels.get(line) ?? 0]));
    const recording = await this.analyzer.record(channels);
    const startAt = this.lastFenceAt;
    return {
      stop: async () => {
        const result = await recording.stop();
        const crossCheck = irqCapture(this.irqEvents, channels, initial, startAt, result.capture.waveform.length);
        return { ...result, crossCheck };
      },
    };
  }

  /** GPFSEL0..5 must equal QEMU's; GPLEV only for output pins (QEMU's GPLEV keeps a latch for inputs). */
  async modelDifferences(): Promise<string[]> {
    await this.analyzer.sync();
    const differences: string[] = [];
    for (let n = 0; n < 6; n++) {
      const addr = this.model.base + 4 * n;
      const [machine, model] = [await this.qtest.readl(addr), this.model.read(addr)];
      if (machine !== model) differences.push(`GPFSEL${n}: QEMU 0x${hex8(machine)}, model 0x${hex8(model)}`);
    }
    for (const bank of [0, 1]) {
      const addr = this.model.base + 0x34 + 4 * bank;
      let outputs = 0;
      for (let bit = 0; bit < 32 && 32 * bank + bit < this.model.pinCount; bit++) if (this.model.direction(32 * bank + bit) === 'out') outputs |= 1 << bit;
      const [machine, model] = [(await this.qtest.readl(addr)) & outputs, this.model.read(addr) & outputs];
      if (machine !== model) differences.push(`GPLEV${bank} (output pins): QEMU 0x${hex8(machine)}, model 0x${hex8(model)}`);
    }
    return differences;
  }

  /** GPFSEL0..5 and GPLEV0/1 as QEMU holds them, read over qtest. */
  async readRegister(offset: number): Promise<number> {
    return this.qtest.readl(this.model.base + offset);
  }

  async health(): Promise<void> {
    if (this.qemu.exitStatus) throw new Error(`${this.name}: ${this.qemu.describeExit()}`);
    await this.shell.run('true', { timeoutMs: 3000 });
  }

  consoleLog(): string {
    return this.shell.log.contents();
  }

  async close(): Promise<void> {
    this.trace.stop();
    this.qtest.close();
    this.qmp.close();
    await this.serial.close();
    await this.qemu.stop();
  }

  /** The QOM path of the GPIO block (looked up, never assumed). */
  get gpioDevice(): QomDevice {
    return this.gpio;
  }
}

async function consolePty(qmp: QmpLink, label: string): Promise<string> {
  const chardevs = await qmp.execute<Array<{ label: string; filename: string }>>('query-chardev');
  const console = chardevs.find((c) => c.label === label);
  if (!console?.filename.startsWith('pty:')) throw new Error(`QEMU has no pty for ${label} (chardevs: ${chardevs.map((c) => `${c.label}=${c.filename}`).join(', ')})`);
  return console.filename.slice('pty:'.length);
}

/** QEMU's output-line events for the recorded pins, as a capture on the virtual analyzer's 1 MHz timebase. */
function irqCapture(events: readonly IrqEvent[], channels: Record<string, number>, initial: Map<number, 0 | 1>, startAt: bigint, length: number): Capture {
  const waveformChannels = Object.entries(channels).map(([name, line]) => {
    const edges: number[] = [];
    let level = initial.get(line)!;
    for (const event of events) {
      if (event.line !== line || event.at < startAt || event.level === level) continue;
      const tick = Number((event.at - startAt) / 1000n);
      if (tick <= 0 || tick >= length) continue;
      if (edges.length && edges[edges.length - 1]! >= tick) edges.pop();
      else edges.push(tick);
      level = event.level;
    }
    return { name, initial: initial.get(line)!, edges };
  });
  return {
    waveform: makeWaveform(1e6, length, waveformChannels, 'qtest output events'),
    source: { instrument: 'qemu-qtest-irq', samplerate: 1e6 },
    pins: Object.fromEntries(Object.entries(channels).map(([name, line]) => [name, `GPIO${line}`])),
    files: {},
  };
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
