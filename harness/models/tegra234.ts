/**
 * A GPIO controller with the gpio-tegra186 layout (Tegra234 on the Jetson AGX Orin), built from its list of ports.
 * Each pin has a 0x20-byte block at base + bank*0x1000 + port*0x200 + pin*0x20; a line number is the pin's place in
 * the port list, as gpiochip numbers it.
 *
 * Interrupt status: INTERRUPT_STATUS(x) at port base + 0x100 + 4*x is one register per interrupt route. Linux routes
 * every pin to its bank's first interrupt and reads INTERRUPT_STATUS(1) (port base + 0x104), so the model reports
 * every pin there and maps no other status register (route maps are not modelled). A pin latches status only while
 * ENABLE and INTERRUPT are set. Debounce is stored, not applied (no clock here). An undriven pad reads low: pulls
 * belong to the pinmux, which is not modelled.
 */
import { InputError } from '../errors.js';
import { Controller, unmapped, type Outcome, type Pull } from './controller.js';
import { hex, highLow } from './text.js';
import type { TegraLayout, TegraPort } from './tegra234-ports.js';
import type { Direction, Level, PinChange } from './types.js';

const PIN_REGISTERS = ['ENABLE_CONFIG', 'DEBOUNCE_THRESHOLD', 'INPUT', 'OUTPUT_CONTROL', 'OUTPUT_VALUE', 'INTERRUPT_CLEAR'] as const;
const ENABLE = 1 << 0;
const OUT = 1 << 1;
const TRIGGER_LEVEL = 1 << 4;
const FLAGS = [[1 << 5, 'debounce'], [1 << 6, 'interrupt enabled'], [1 << 7, 'timestamp']] as const;
const INTERRUPT = 1 << 6;
const STATUS = 0x104;

/** A port with the line number of its pin 0. */
interface PortBlock extends TegraPort {
  readonly first: number;
}

type Register = { kind: (typeof PIN_REGISTERS)[number]; line: number } | { kind: 'INTERRUPT_STATUS'; block: PortBlock };

function portBlocks(layout: TegraLayout): PortBlock[] {
  let first = 0;
  return layout.ports.map((port, i) => {
    const where = `${layout.label} port ${i} (${JSON.stringify(port.name)})`;
    if (!/^[A-Z]{1,2}$/.test(port.name)) throw new InputError(where, 'a port name is one or two capital letters');
    if (!Number.isInteger(port.bank) || port.bank < 0 || port.bank > 15) throw new InputError(where, `bank must be 0-15, got ${port.bank}`);
    if (!Number.isInteger(port.port) || port.port < 0 || port.port > 7) throw new InputError(where, `port must be 0-7, got ${port.port}`);
    if (!Number.isInteger(port.pins) || port.pins < 1 || port.pins > 8) throw new InputError(where, `pins must be 1-8, got ${port.pins}`);
    const clash = layout.ports.slice(0, i).find((p) => p.name === port.name || (p.bank === port.bank && p.port === port.port));
    if (clash) throw new InputError(where, `clashes with port ${clash.name} (same name, or same bank ${port.bank} and port ${port.port})`);
    const block = { ...port, first };
    first += port.pins;
    return block;
  });
}

export class Tegra234Gpio extends Controller {
  private readonly blocks: readonly PortBlock[];
  private readonly config: Uint8Array;
  private readonly debounce: Uint8Array;
  private readonly floated: Uint8Array;
  private readonly value: Uint8Array;
  private readonly status: Uint8Array;

  constructor(layout: TegraLayout, base = layout.base) {
    const blocks = portBlocks(layout);
    const pins = blocks.reduce((n, b) => n + b.pins, 0);
    const banks = Math.max(...blocks.map((b) => b.bank)) + 1;
    super(`${layout.label} at ${hex(base, 8)}`, base, banks * 0x1000, pins, [4]);
    this.blocks = blocks;
    this.config = new Uint8Array(pins);
    this.debounce = new Uint8Array(pins);
    this.floated = new Uint8Array(pins);
    this.value = new Uint8Array(pins);
    this.status = new Uint8Array(pins);
  }

  /** 'PN.01' → its gpiochip line number. */
  line(pad: string): number {
    const m = /^P([A-Z]{1,2})\.(\d{2})$/.exec(pad);
    const block = m ? this.blocks.find((b) => b.name === m[1]) : undefined;
    const pin = m ? Number(m[2]) : Number.NaN;
    if (!block || pin >= block.pins) {
      throw new InputError(this.name, `no pad ${JSON.stringify(pad)} (pads are named like PN.01; ports ${this.blocks.map((b) => b.name).join(', ')})`);
    }
    return block.first + pin;
  }

  /** Address of a pad's register block (its ENABLE_CONFIG). */
  pinBase(pad: string): number {
    const line = this.line(pad);
    const block = this.blockOf(line);
    return this.base + block.bank * 0x1000 + block.port * 0x200 + (line - block.first) * 0x20;
  }

  direction(line: number): Direction {
    this.checkPin(line);
    if (!(this.config[line]! & ENABLE)) return 'alt';
    return this.output(line) === null ? 'in' : 'out';
  }

  interrupt(): boolean {
    return this.status.some((s) => s !== 0);
  }

  pinName(line: number): string {
    const block = this.blockOf(line);
    return `P${block.name}.${String(line - block.first).padStart(2, '0')}`;
  }

  protected apply(offset: number, value: number): Outcome {
    const reg = this.decode(offset);
    if (!reg) return { ignored: unmapped(offset) };
    if (reg.kind === 'INTERRUPT_STATUS') return { ignored: `port ${reg.block.name} INTERRUPT_STATUS(1) is read-only` };
    const { line } = reg;
    const name = `${this.pinName(line)} ${reg.kind}`;
    switch (reg.kind) {
      case 'ENABLE_CONFIG':
        this.config[line] = value & 0xff;
        break;
      case 'DEBOUNCE_THRESHOLD':
        this.debounce[line] = value & 0xff;
        break;
      case 'INPUT':
        return { ignored: `${name} is read-only` };
      case 'OUTPUT_CONTROL':
        this.floated[line] = value & 1;
        break;
      case 'OUTPUT_VALUE':
        this.value[line] = value & 1;
        break;
      case 'INTERRUPT_CLEAR':
        if (value & 1) this.status[line] = 0;
        break;
    }
    return { cause: (pin, level) => `${name}: ${this.pinState(pin, level)}` };
  }

  protected load(offset: number): number | undefined {
    const reg = this.decode(offset);
    if (!reg) return undefined;
    if (reg.kind === 'INTERRUPT_STATUS') {
      const { first, pins } = reg.block;
      return Array.from(this.status.subarray(first, first + pins)).reduce((bits, s, pin) => bits | (s << pin), 0);
    }
    const { line } = reg;
    switch (reg.kind) {
      case 'ENABLE_CONFIG':
        return this.config[line];
      case 'DEBOUNCE_THRESHOLD':
        return this.debounce[line];
      case 'INPUT':
        return this.level(line);
      case 'OUTPUT_CONTROL':
        return this.floated[line];
      case 'OUTPUT_VALUE':
        return this.value[line];
      case 'INTERRUPT_CLEAR':
        return 0; // write-only
    }
  }

  protected explain(offset: number, value: number): string {
    const reg = this.decode(offset);
    if (!reg) return `${hex(this.base + offset, 8)} ← ${hex(value)}: ${unmapped(offset)}`;
    if (reg.kind === 'INTERRUPT_STATUS') return `port ${reg.block.name} INTERRUPT_STATUS(1) ← ${hex(value)}: read-only, no effect`;
    const head = `${this.pinName(reg.line)} ${reg.kind} ← ${hex(value)}`;
    switch (reg.kind) {
      case 'ENABLE_CONFIG':
        return `${head}: ${configText(value)}`;
      case 'DEBOUNCE_THRESHOLD':
        return `${head}: debounce ${value & 0xff} ms`;
      case 'INPUT':
        return `${head}: read-only, no effect`;
      case 'OUTPUT_CONTROL':
        return `${head}: ${value & 1 ? 'driver off (floated)' : 'driver on'}`;
      case 'OUTPUT_VALUE':
        return `${head}: latch ${highLow((value & 1) as Level)}`;
      case 'INTERRUPT_CLEAR':
        return `${head}: ${value & 1 ? 'clear the interrupt' : 'no effect'}`;
    }
  }

  /** Drives the pad only in GPIO mode (ENABLE), as an output (OUT), with the driver on (FLOATED clear). */
  protected output(line: number): Level | null {
    const cfg = this.config[line]!;
    return cfg & ENABLE && cfg & OUT && !this.floated[line] ? (this.value[line] as Level) : null;
  }

  protected pull(): Pull {
    return 'none';
  }

  /** Single-edge triggers on the edge TRIGGER_LEVEL names (1 rising), double-edge on both, level while it is present. */
  protected detect(changes: readonly PinChange[]): void {
    for (const { pin, level } of changes) {
      const cfg = this.config[pin]!;
      const type = (cfg >> 2) & 3;
      if (armed(cfg) && (type === 3 || (type === 2 && level === triggerLevel(cfg)))) this.status[pin] = 1;
    }
    this.config.forEach((cfg, line) => {
      if (armed(cfg) && ((cfg >> 2) & 3) === 1 && this.level(line) === triggerLevel(cfg)) this.status[line] = 1;
    });
  }

  private decode(offset: number): Register | undefined {
    const block = this.blocks.find((b) => b.bank === offset >> 12 && b.port === ((offset >> 9) & 7));
    if (!block) return undefined;
    const within = offset & 0x1ff;
    if (within === STATUS) return { kind: 'INTERRUPT_STATUS', block };
    const pin = within >> 5;
    const kind = within < 0x100 && pin < block.pins ? PIN_REGISTERS[(within & 0x1f) / 4] : undefined;
    return kind && { kind, line: block.first + pin };
  }

  private blockOf(line: number): PortBlock {
    this.checkPin(line);
    return this.blocks.find((b) => line >= b.first && line < b.first + b.pins)!;
  }

  /** 'driving OUTPUT_VALUE high', 'input, driven low from outside', 'output floated, undriven, reads low'. */
  private pinState(line: number, level: Level): string {
    const cfg = this.config[line]!;
    if (!(cfg & ENABLE)) return `special function (GPIO disabled), ${this.inputSource(line)}`;
    if (!(cfg & OUT)) return `input, ${this.inputSource(line)}`;
    return this.floated[line] ? `output floated, ${this.inputSource(line)}` : `driving OUTPUT_VALUE ${highLow(level)}`;
  }
}

function armed(cfg: number): boolean {
  return (cfg & ENABLE) !== 0 && (cfg & INTERRUPT) !== 0;
}

function triggerLevel(cfg: number): Level {
  return cfg & TRIGGER_LEVEL ? 1 : 0;
}

/** ENABLE_CONFIG in words: 'GPIO output, rising-edge trigger, interrupt enabled'. */
function configText(value: number): string {
  if (!(value & ENABLE)) return 'GPIO disabled (special function)';
  const high = (value & TRIGGER_LEVEL) !== 0;
  const trigger = ['no trigger', `${high ? 'high' : 'low'}-level trigger`, `${high ? 'rising' : 'falling'}-edge trigger`, 'double-edge trigger'][
    (value >> 2) & 3
  ]!;
  const flags = FLAGS.filter(([bit]) => value & bit).map(([, text]) => text);
  return [value & OUT ? 'GPIO output' : 'GPIO input', trigger, ...flags].join(', ');
}
