/**
 * The emulated Raspberry Pi 3B: QEMU raspi3b (BCM2835 GPIO) booting the Debian-built guest.
 * Console: the mini-UART (the SECOND -serial; the first is the PL011, which the device tree gives to Bluetooth).
 * Inputs are driven by qtest GPSET/GPCLR writes: QEMU's bcm2835_gpio has no input lines. No edge interrupts: QEMU
 * does not model edge detection, so interrupt scenarios skip here and run on qemu-virt.
 */
import path from 'node:path';
import { Bcm2835Gpio } from '../models/bcm2835.js';
import type { RegisterModel } from '../models/types.js';
import { outputMask, QemuTarget, type QemuMachine, type QemuTargetOptions } from './qemu-target.js';
import { REPO_ROOT } from '../repo-root.js';

function bcm(model: RegisterModel): Bcm2835Gpio {
  if (!(model instanceof Bcm2835Gpio)) throw new Error(`a QEMU raspi machine needs a BCM2835/BCM2711 model, not ${model.name}`);
  return model;
}

/** What QEMU's raspi3b and raspi4b share: inputs by GPSET/GPCLR, and which registers QEMU models faithfully. */
export const bcmMachine: Pick<QemuMachine, 'drive' | 'consistency'> = {
  drive: ({ qtest, model }, line, level) => {
    const { addr, value } = bcm(model).latchWrite(line, level);
    return qtest.writel(addr, value);
  },
  // GPLEV only for output pins: QEMU's GPLEV keeps a latch for inputs.
  consistency: (model) => [
    ...[0, 1, 2, 3, 4, 5].map((n) => ({ name: `GPFSEL${n}`, addr: bcm(model).address(`GPFSEL${n}`), mask: 0xffffffff })),
    ...[0, 1].map((bank) => ({ name: `GPLEV${bank} (output pins)`, addr: bcm(model).address(`GPLEV${bank}`), mask: outputMask(model, 32 * bank, 32) })),
  ],
};

export const raspi3b: QemuMachine = {
  name: 'qemu-raspi3b',
  capabilities: { inputs: true, interrupts: false, registerLog: true },
  profile: path.join(REPO_ROOT, 'fixtures/boards/rpi3b.yaml'),
  gpioType: 'bcm2835_gpio',
  args: (console) => ['-M', 'raspi3b', '-accel', 'tcg,thread=single', '-serial', 'null', '-serial', console],
  bootArgs: (image, append) => [
    '-kernel', image.kernel, '-dtb', image.raspi3bDtb, '-initrd', image.initrd,
    '-append', `console=ttyS1,115200 rdinit=/init quiet ${append}`.trim(),
  ],
  ...bcmMachine,
  // QEMU's BCM2836 local interrupt controller (hw/intc/bcm2836_control.c) migrates neither the levels of its inputs
  // (each core's timer lines, the GPU interrupt) nor its pending registers: a timer that had fired when the guest was
  // saved reaches its core never again after a restore (that core's clock events stop; a sleep there never ends).
  // What is pending shows in the cores' IRQ/FIQ pending registers (0x40000060 + 4n, 0x40000070 + 4n).
  unsavedInterrupts: async ({ qtest }) => {
    const pending: string[] = [];
    for (let core = 0; core < 4; core++) {
      const [irq, fiq] = [await qtest.readl(0x40000060 + 4 * core), await qtest.readl(0x40000070 + 4 * core)];
      if (irq || fiq) pending.push(`core ${core}: IRQ pending 0x${irq.toString(16)}, FIQ pending 0x${fiq.toString(16)}`);
    }
    return pending;
  },
};

export function bootRaspi3b(options: QemuTargetOptions): Promise<QemuTarget> {
  return QemuTarget.boot(raspi3b, options);
}
