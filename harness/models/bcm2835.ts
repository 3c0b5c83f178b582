/**
 * The BCM2835 GPIO block (Raspberry Pi 1-3, QEMU raspi3b) and its BCM2711 variant (Raspberry Pi 4).
 * Both share the registers up to GPAFEN1; the BCM2711 has 58 pins and sets pulls through GPIO_PUP_PDN_CNTRL_REG0..3
 * where the BCM2835 has GPPUD/GPPUDCLK, so the two are told apart by what a pull write does, not by a reported name.
 */
import { Controller, unmapped, type Outcome, type Pull } from './controller.js';
import { hex, highLow, labelled, mask, pinList } from './text.js';
import type { Direction, Level, PinChange } from './types.js';

export type BcmChip = 'bcm2835' | 'bcm2711';

const CHIPS = {
  bcm2835: { label: 'BCM2835', pins: 54, window: 0xb4 },
  bcm2711: { label: 'BCM2711', pins: 58, window: 0xf4 },
} as const;

/** GPFSEL field values: 0 input, 1 output, 4-7 alt0-3, 3 alt4, 2 alt5. */
const FUNCTIONS = ['input', 'output', 'alt5', 'alt4', 'alt0', 'alt1', 'alt2', 'alt3'] as const;
export type PinFunction = (typeof FUNCTIONS)[number];

/** One bit per pin: bank 0 (GPIO0-31) at the offset, bank 1 (GPIO32 on) four bytes further. */
const BANKED = [
  ['GPSET', 0x1c], ['GPCLR', 0x28], ['GPLEV', 0x34], ['GPEDS', 0x40], ['GPREN', 0x4c],
  ['GPFEN', 0x58], ['GPHEN', 0x64], ['GPLEN', 0x70], ['GPAREN', 0x7c], ['GPAFEN', 0x88],
] as const;
type Detect = 'GPREN' | 'GPFEN' | 'GPHEN' | 'GPLEN' | 'GPAREN' | 'GPAFEN';

const DETECT_TEXT: Record<Detect, string> = {
  GPREN: 'rising-edge detect', GPFEN: 'falling-edge detect', GPHEN: 'high-level detect',
  GPLEN: 'low-level detect', GPAREN: 'async rising-edge detect', GPAFEN: 'async falling-edge detect',
};

const GPPUD = 0x94;
const GPPUDCLK = 0x98;
const PUP_PDN = 0xe4;

/** Pull codes as GPIO_PUP_PDN_CNTRL_REGn holds them, 2 bits a pin; 3 is reserved and taken as no pull. */
const CODE_PULL: readonly Pull[] = ['none', 'up', 'down', 'none'];
const CODE_TEXT = ['no pull', 'pull-up', 'pull-down', 'reserved'];
/** GPPUD's control values (0 off, 1 down, 2 up) as pull codes. */
const GPPUD_CODE = [0, 2, 1];
/** Reset pulls: the BCM2711 GPIO_PUP_PDN_CNTRL_REG0..3 reset values; the BCM2835 datasheet gives the same for 0-53. */
const RESET_PUP_PDN = [0xaaa95555, 0xa0aaaaaa, 0x50aaa95a, 0x00055555];

/** A register and its number: GPFSEL1 is { kind: 'GPFSEL', n: 1 }, GPSET1 (bank 1) is { kind: 'GPSET', n: 1 }. */
interface Register {
  readonly kind: 'GPFSEL' | (typeof BANKED)[number][0] | 'GPPUD' | 'GPPUDCLK' | 'PUP_PDN';
  readonly n: number;
}

function registerName({ kind, n }: Register): string {
  if (kind === 'GPPUD') return kind;
  return kind === 'PUP_PDN' ? `GPIO_PUP_PDN_CNTRL_REG${n}` : `${kind}${n}`;
}

export class Bcm2835Gpio extends Controller {
  private readonly fsel: Uint8Array;
  private readonly pullCode: Uint8Array;
  private readonly latch = [0, 0];
  private readonly events = [0, 0];
  private readonly enables: Record<Detect, number[]> = {
    GPREN: [0, 0], GPFEN: [0, 0], GPHEN: [0, 0], GPLEN: [0, 0], GPAREN: [0, 0], GPAFEN: [0, 0],
  };
  private gppud = 0;
  private readonly gppudclk = [0, 0];

  /** base: 0x20200000 on BCM2835, 0x3f200000 on BCM2837 (QEMU raspi3b), 0xfe200000 on BCM2711. */
  constructor(
    readonly chip: BcmChip,
    base: number,
  ) {
    const { label, pins, window } = CHIPS[chip];
    super(`${label} GPIO at ${hex(base, 8)}`, base, window, pins, [4]);
    this.fsel = new Uint8Array(pins);
    this.pullCode = Uint8Array.from({ length: pins }, (_, pin) => (RESET_PUP_PDN[pin >> 4]! >>> (2 * (pin & 15))) & 3);
  }

  direction(pin: number): Direction {
    this.checkPin(pin);
    const code = this.fsel[pin];
    return code === 0 ? 'in' : code === 1 ? 'out' : 'alt';
  }

  interrupt(): boolean {
    return this.events.some((bits) => bits !== 0);
  }

  pinName(pin: number): string {
    return `GPIO${pin}`;
  }

  /** The address of a register by its datasheet name: GPFSEL0..5 and the banked ones (GPSET0, GPLEV1, ...). */
  address(name: string): number {
    const fsel = /^GPFSEL([0-5])$/.exec(name);
    if (fsel) return this.base + 4 * Number(fsel[1]);
    const banked = /^([A-Z]+)([01])$/.exec(name);
    const offset = banked && BANKED.find(([kind]) => kind === banked[1])?.[1];
    if (offset === undefined || offset === null) throw new Error(`${this.name} has no register ${JSON.stringify(name)}`);
    return this.base + offset + 4 * Number(banked![2]);
  }

  /** The name of the register at a 4-byte aligned offset ('GPSET0' at 0x1c), or undefined where none is. */
  registerAt(offset: number): string | undefined {
    const reg = offset % 4 === 0 && offset >= 0 && offset < this.size ? this.decode(offset) : undefined;
    return reg && registerName(reg);
  }

  /** Registers where writing 1 acts and 0 does nothing (GPSET, GPCLR, GPEDS): a write touches only the pins it names. */
  isWriteOne(name: string): boolean {
    return /^(GPSET|GPCLR|GPEDS)[01]$/.test(name);
  }

  /**
   * The GPFSEL field that selects a pin's function: the register, the field's mask and the value that selects `fn`,
   * for a read-modify-write (`(old & ~mask) | value`).
   */
  functionField(pin: number, fn: PinFunction): { register: string; mask: number; value: number } {
    this.checkPin(pin);
    const code = FUNCTIONS.indexOf(fn);
    if (code < 0) throw new Error(`${this.name}: no pin function ${JSON.stringify(fn)} (${FUNCTIONS.join(', ')})`);
    const shift = 3 * (pin % 10);
    return { register: `GPFSEL${Math.floor(pin / 10)}`, mask: (7 << shift) >>> 0, value: (code << shift) >>> 0 };
  }

  /** The GPSET or GPCLR write that sets or clears one pin's latch (on QEMU's BCM2835, how the host drives an input). */
  latchWrite(pin: number, level: Level): { addr: number; value: number } {
    this.checkPin(pin);
    return { addr: this.address(`${level ? 'GPSET' : 'GPCLR'}${pin >> 5}`), value: (1 << (pin & 31)) >>> 0 };
  }

  protected apply(offset: number, value: number): Outcome {
    const reg = this.decode(offset);
    if (!reg) return { ignored: unmapped(offset) };
    const name = registerName(reg);
    const bits = (value & this.bankMask(reg.n)) >>> 0;
    switch (reg.kind) {
      case 'GPFSEL': {
        const warning = this.lostReadModifyWrite(reg.n, value);
        this.pinsOf(reg.n, 10).forEach((pin, i) => (this.fsel[pin] = (value >>> (3 * i)) & 7));
        return { cause: (pin, level) => `${name}: ${this.functionChange(pin, level)}`, ...(warning ? { warning } : {}) };
      }
      case 'GPSET':
        this.latch[reg.n] = (this.latch[reg.n]! | bits) >>> 0;
        return { cause: (pin) => `${name} bit ${pin & 31}` };
      case 'GPCLR':
        this.latch[reg.n] = (this.latch[reg.n]! & ~bits) >>> 0;
        return { cause: (pin) => `${name} bit ${pin & 31}` };
      case 'GPLEV':
        return { ignored: `${name} is read-only` };
      case 'GPEDS':
        this.events[reg.n] = (this.events[reg.n]! & ~bits) >>> 0;
        return { cause: () => name };
      case 'GPPUD':
        if ((value & 3) === 3) return { ignored: 'GPPUD ← 3 is reserved (0 off, 1 pull-down, 2 pull-up)' };
        this.gppud = value & 3;
        return { cause: () => name };
      case 'GPPUDCLK':
        // The datasheet's 150-cycle set-up and hold have no time here: a pad takes GPPUD when its clock bit is written 1.
        this.gppudclk[reg.n] = bits;
        this.pinsOf(reg.n, 32).forEach((pin, i) => {
          if ((bits >>> i) & 1) this.pullCode[pin] = GPPUD_CODE[this.gppud]!;
        });
        return { cause: (pin) => `${name} bit ${pin & 31} clocked GPPUD into the pad: ${this.inputSource(pin)}` };
      case 'PUP_PDN':
        this.pinsOf(reg.n, 16).forEach((pin, i) => (this.pullCode[pin] = (value >>> (2 * i)) & 3));
        return { cause: (pin) => `${name}: GPIO${pin} ${this.inputSource(pin)}` };
      default:
        this.enables[reg.kind][reg.n] = bits;
        return { cause: () => name };
    }
  }

  protected load(offset: number): number | undefined {
    const reg = this.decode(offset);
    if (!reg) return undefined;
    switch (reg.kind) {
      case 'GPFSEL':
        return this.pinsOf(reg.n, 10).reduce((v, pin, i) => v | (this.fsel[pin]! << (3 * i)), 0);
      case 'GPSET':
      case 'GPCLR':
        return 0; // write-only: QEMU reads 0 there too
      case 'GPLEV':
        return this.levelBits(reg.n);
      case 'GPEDS':
        return this.events[reg.n];
      case 'GPPUD':
        return this.gppud;
      case 'GPPUDCLK':
        return this.gppudclk[reg.n];
      case 'PUP_PDN':
        return this.pinsOf(reg.n, 16).reduce((v, pin, i) => v | (this.pullCode[pin]! << (2 * i)), 0);
      default:
        return this.enables[reg.kind][reg.n];
    }
  }

  protected explain(offset: number, value: number): string {
    const reg = this.decode(offset);
    if (!reg) return `${hex(this.base + offset, 8)} ← ${hex(value)}: ${unmapped(offset)}`;
    const name = registerName(reg);
    const set = this.pinsOf(reg.n, 32).filter((_, i) => (value >>> i) & 1);
    const list = set.length > 0 ? pinList(set, 'GPIO') : 'no pins';
    switch (reg.kind) {
      case 'GPFSEL': {
        const pins = this.pinsOf(reg.n, 10);
        const field = (pin: number): number => (value >>> (3 * (pin % 10))) & 7;
        const used = pins.filter((pin) => field(pin) !== 0);
        const what = used.length > 0 ? labelled(used, (pin) => FUNCTIONS[field(pin)]!, 'GPIO') : `${pinList(pins, 'GPIO')} → input`;
        return `${name} ← ${hex(value, 8)}: ${what}`;
      }
      case 'GPSET':
        return `${name} ← ${mask(value)}: ${list} latch high`;
      case 'GPCLR':
        return `${name} ← ${mask(value)}: ${list} latch low`;
      case 'GPLEV':
        return `${name} ← ${mask(value)}: read-only, no effect`;
      case 'GPEDS':
        return `${name} ← ${mask(value)}: clear the events of ${list}`;
      case 'GPPUD':
        return `GPPUD ← ${value}: ${['no pull', 'pull-down', 'pull-up', 'reserved, no effect'][value & 3]} for the pads GPPUDCLK clocks next`;
      case 'GPPUDCLK':
        return `${name} ← ${mask(value)}: ${set.length > 0 ? `clock GPPUD into ${list}` : 'clock off'}`;
      case 'PUP_PDN':
        return `${name} ← ${hex(value, 8)}: ${labelled(this.pinsOf(reg.n, 16), (pin) => CODE_TEXT[(value >>> (2 * (pin & 15))) & 3]!, 'GPIO')}`;
      default:
        return `${name} ← ${mask(value)}: ${DETECT_TEXT[reg.kind]} ${set.length > 0 ? `on ${list} only` : `off for bank ${reg.n}`}`;
    }
  }

  protected output(pin: number): Level | null {
    return this.fsel[pin] === 1 ? (((this.latch[pin >> 5]! >>> (pin & 31)) & 1) as Level) : null;
  }

  protected pull(pin: number): Pull {
    return CODE_PULL[this.pullCode[pin]!]!;
  }

  /** Edges set GPEDS where GPREN/GPAREN (rising) or GPFEN/GPAFEN (falling) enable them; levels set it while present. */
  protected detect(changes: readonly PinChange[]): void {
    for (const { pin, level } of changes) {
      const bank = pin >> 5;
      const enabled = level ? this.enables.GPREN[bank]! | this.enables.GPAREN[bank]! : this.enables.GPFEN[bank]! | this.enables.GPAFEN[bank]!;
      this.events[bank] = (this.events[bank]! | (enabled & (1 << (pin & 31)))) >>> 0;
    }
    for (const bank of [0, 1]) {
      const high = this.levelBits(bank);
      const present = (this.enables.GPHEN[bank]! & high) | (this.enables.GPLEN[bank]! & ~high & this.bankMask(bank));
      this.events[bank] = (this.events[bank]! | present) >>> 0;
    }
  }

  /**
   * The seed's bug, a lost read-modify-write: a GPFSEL value built without the register's previous value
   * (`GPFSEL1 = 1 << 21`, or a mask that clears the neighbours too) gives the pin it was meant for its function and
   * returns every other pin of the register to input. The rule: a write that gives at least one pin a new function
   * other than input is taken to mean those pins; if the same write returns another pin from output or an alternate
   * function to input, that pin was not meant, and the write is flagged, with the value a read-modify-write of the
   * previous value would have written. Not flagged: a write that only returns pins to input (a release), one that
   * changes nothing else, and one whose other pins were inputs already (nothing was lost). A deliberate swap (one pin
   * to input, another to output, in one write) is flagged too: make it two writes.
   */
  private lostReadModifyWrite(n: number, value: number): string | undefined {
    const pins = this.pinsOf(n, 10);
    const field = (pin: number): number => (value >>> (3 * (pin % 10))) & 7;
    const meant = pins.filter((pin) => field(pin) !== 0 && field(pin) !== this.fsel[pin]);
    const clobbered = pins.filter((pin) => field(pin) === 0 && this.fsel[pin] !== 0);
    if (meant.length === 0 || clobbered.length === 0) return undefined;
    const previous = pins.reduce((v, pin) => v | (this.fsel[pin]! << (3 * (pin % 10))), 0) >>> 0;
    const meantMask = meant.reduce((m, pin) => m | (7 << (3 * (pin % 10))), 0) >>> 0;
    const intended = ((previous & ~meantMask) | (value & meantMask)) >>> 0;
    const lost = labelled(clobbered, (pin) => `input (was ${FUNCTIONS[this.fsel[pin]!]})`, 'GPIO');
    const given = labelled(meant, (pin) => FUNCTIONS[field(pin)]!, 'GPIO');
    return `GPFSEL${n} ← ${hex(value, 8)} sets ${given} but also changes ${lost}, pins it did not mean to touch: ` +
      `a lost read-modify-write? (GPFSEL${n} held ${hex(previous, 8)}; a read-modify-write would write ${hex(intended, 8)})`;
  }

  /** 'GPIO17 became an output with latch high', 'GPIO17 became an input, driven low from outside'. */
  private functionChange(pin: number, level: Level): string {
    const fn = FUNCTIONS[this.fsel[pin]!]!;
    if (fn === 'output') return `GPIO${pin} became an output with latch ${highLow(level)}`;
    return `GPIO${pin} became ${fn === 'input' ? 'an input' : fn}, ${this.inputSource(pin)}`;
  }

  private decode(offset: number): Register | undefined {
    if (offset <= 0x14) return { kind: 'GPFSEL', n: offset / 4 };
    for (const [kind, start] of BANKED) {
      if (offset === start || offset === start + 4) return { kind, n: (offset - start) / 4 };
    }
    if (this.chip === 'bcm2835') {
      if (offset === GPPUD) return { kind: 'GPPUD', n: 0 };
      if (offset === GPPUDCLK || offset === GPPUDCLK + 4) return { kind: 'GPPUDCLK', n: (offset - GPPUDCLK) / 4 };
    } else if (offset >= PUP_PDN && offset < PUP_PDN + 16) {
      return { kind: 'PUP_PDN', n: (offset - PUP_PDN) / 4 };
    }
    return undefined;
  }

  /** The pins register number n covers when it holds `perRegister` pins, leaving out those the chip lacks. */
  private pinsOf(n: number, perRegister: number): number[] {
    return Array.from({ length: perRegister }, (_, i) => n * perRegister + i).filter((pin) => pin < this.pinCount);
  }

  private bankMask(bank: number): number {
    return this.pinsOf(bank, 32).reduce((m, _, i) => (m | (1 << i)) >>> 0, 0);
  }

  private levelBits(bank: number): number {
    return this.pinsOf(bank, 32).reduce((v, pin, i) => (v | (this.level(pin) << i)) >>> 0, 0);
  }
}
