/**
 * The ARM PrimeCell PL061 (8 lines; QEMU virt at 0x09030000). DATA sits at 0x000-0x3FC with address bits [9:2] as a
 * mask: a write changes only the masked lines, and only those that are outputs (Linux's pl061 driver writes the
 * value again after setting DIR for this reason); a read returns only the masked lines. For an input line DATA holds
 * the level it reads, which is what the line drives when DIR makes it an output (as QEMU's pl061 does).
 * Byte writes are accepted: Linux's driver uses writeb/readb.
 */
import { Controller, unmapped, type Outcome, type Pull } from './controller.js';
import { hex, highLow, mask, pinList } from './text.js';
import type { Direction, Level, PinChange } from './types.js';

const LINES = 8;
const LINE_NUMBERS = Array.from({ length: LINES }, (_, i) => i);
const REGISTERS = { DIR: 0x400, IS: 0x404, IBE: 0x408, IEV: 0x40c, IE: 0x410, RIS: 0x414, MIS: 0x418, IC: 0x41c, AFSEL: 0x420 } as const;
type Name = keyof typeof REGISTERS;
type Stored = Exclude<Name, 'MIS' | 'IC'>;
/** PeriphID0-3 and PCellID0-3 at 0xFE0-0xFFC; 0xFD0-0xFDC read 0 (as QEMU's pl061 has them). */
const IDENTIFICATION = [0, 0, 0, 0, 0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const ID_START = 0xfd0;

/** What a set bit means, and what a zero value means, for describe(). */
const MEANING: Record<Exclude<Name, 'RIS' | 'MIS'>, readonly [string, string]> = {
  DIR: ['output, the rest input', 'all lines input'],
  IS: ['level-sensitive, the rest edge-sensitive', 'all lines edge-sensitive'],
  IBE: ['interrupt on both edges', 'no line interrupts on both edges'],
  IEV: ['on rising edge or high level, the rest on falling edge or low level', 'all lines on falling edge or low level'],
  IE: ['interrupt enabled, the rest masked', 'all interrupts masked'],
  IC: ['interrupt cleared', 'nothing cleared'],
  AFSEL: ['to the alternate function, the rest GPIO', 'all lines GPIO'],
};

export class Pl061Gpio extends Controller {
  private readonly reg: Record<Stored, number> = { DIR: 0, IS: 0, IBE: 0, IEV: 0, IE: 0, RIS: 0, AFSEL: 0 };
  /** The output values behind DATA (an input line's level is copied in when it becomes an output). */
  private data = 0;

  constructor(base = 0x09030000) {
    super(`PL061 GPIO at ${hex(base, 8)}`, base, 0x1000, LINES, [1, 2, 4]);
  }

  direction(line: number): Direction {
    this.checkPin(line);
    return this.bit('AFSEL', line) ? 'alt' : this.bit('DIR', line) ? 'out' : 'in';
  }

  /** GPIOINTR: asserted while MIS (RIS & IE) is not zero. */
  interrupt(): boolean {
    return (this.reg.RIS & this.reg.IE) !== 0;
  }

  pinName(line: number): string {
    return `line ${line}`;
  }

  /** The address of a register by name; DATA is the all-lines window (address mask 0xff). */
  address(name: Name | 'DATA'): number {
    return this.base + (name === 'DATA' ? 0x3fc : REGISTERS[name]);
  }

  protected apply(offset: number, value: number): Outcome {
    const byte = value & 0xff;
    if (offset < REGISTERS.DIR) {
      const writable = (offset >> 2) & this.reg.DIR;
      this.data = (this.data & ~writable) | (byte & writable);
      return { cause: (line) => `DATA bit ${line} (mask ${hex(offset >> 2, 2)})` };
    }
    const name = this.registerAt(offset);
    if (name === undefined) return { ignored: offset >= ID_START ? `identification register at ${hex(offset)} is read-only` : unmapped(offset) };
    switch (name) {
      case 'RIS':
      case 'MIS':
        return { ignored: `${name} is read-only` };
      case 'IC':
        this.reg.RIS &= ~byte;
        return { cause: () => name };
      case 'DIR': {
        // DATA samples an input line's level, so a line that becomes an output first drives the level it last read.
        const becomingOutputs = byte & ~this.reg.DIR;
        this.data = (this.data & ~becomingOutputs) | (this.levelBits() & becomingOutputs);
        this.reg.DIR = byte;
        return { cause: (line, level) => `DIR: ${this.lineState(line, level)}` };
      }
      case 'AFSEL':
        this.reg.AFSEL = byte;
        return { cause: (line, level) => `AFSEL: ${this.lineState(line, level)}` };
      default:
        this.reg[name] = byte;
        return { cause: () => name };
    }
  }

  protected load(offset: number): number | undefined {
    if (offset < REGISTERS.DIR) return this.levelBits() & (offset >> 2);
    if (offset >= ID_START) return IDENTIFICATION[(offset - ID_START) / 4];
    const name = this.registerAt(offset);
    if (name === 'MIS') return this.reg.RIS & this.reg.IE;
    if (name === 'IC') return 0; // write-only
    return name === undefined ? undefined : this.reg[name];
  }

  protected explain(offset: number, value: number): string {
    const byte = value & 0xff;
    if (offset < REGISTERS.DIR) {
      const m = offset >> 2;
      const what = LINE_NUMBERS.filter((i) => (m >> i) & 1).map((i) => `line ${i} ${highLow(((byte >> i) & 1) as Level)}`);
      return `DATA[mask ${hex(m, 2)}] ← ${hex(byte, 2)}: ${what.length > 0 ? `${what.join(', ')} (output lines only)` : 'mask 0, no effect'}`;
    }
    const name = this.registerAt(offset);
    if (name === undefined) {
      return `${hex(this.base + offset, 8)} ← ${hex(value)}: ${offset >= ID_START ? 'identification, read-only' : unmapped(offset)}`;
    }
    if (name === 'RIS' || name === 'MIS') return `${name} ← ${mask(byte, 2)}: read-only, no effect`;
    const [set, none] = MEANING[name];
    const lines = LINE_NUMBERS.filter((i) => (byte >> i) & 1);
    return `${name} ← ${mask(byte, 2)}: ${lines.length > 0 ? `${pinList(lines, 'line ')} ${set}` : none}`;
  }

  protected output(line: number): Level | null {
    return this.bit('DIR', line) && !this.bit('AFSEL', line) ? (((this.data >> line) & 1) as Level) : null;
  }

  /** The PL061 has no pulls; an undriven line reads low (QEMU virt pulls its lines down likewise). */
  protected pull(): Pull {
    return 'none';
  }

  /** RIS latches edges and present levels of input lines, as IS/IBE/IEV select them. */
  protected detect(changes: readonly PinChange[]): void {
    const inputs = ~this.reg.DIR & 0xff;
    for (const { pin, level } of changes) {
      const bit = 1 << pin;
      if (!(inputs & bit) || this.reg.IS & bit) continue;
      if (this.reg.IBE & bit || level === this.bit('IEV', pin)) this.reg.RIS |= bit;
    }
    const matching = ~(this.levelBits() ^ this.reg.IEV);
    this.reg.RIS |= matching & this.reg.IS & inputs;
  }

  private registerAt(offset: number): Name | undefined {
    return (Object.keys(REGISTERS) as Name[]).find((name) => REGISTERS[name] === offset);
  }

  private bit(name: Stored, line: number): Level {
    return ((this.reg[name] >> line) & 1) as Level;
  }

  private levelBits(): number {
    return LINE_NUMBERS.reduce((bits, line) => bits | (this.level(line) << line), 0);
  }

  /** 'line 0 became an output driving high', 'line 2 became an input, driven low from outside'. */
  private lineState(line: number, level: Level): string {
    const state = this.direction(line);
    if (state === 'out') return `line ${line} became an output driving ${highLow(level)}`;
    return `line ${line} became ${state === 'in' ? 'an input' : 'an alternate function line'}, ${this.inputSource(line)}`;
  }
}
