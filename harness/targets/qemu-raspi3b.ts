/**
 * The emulated Raspberry Pi 3B: QEMU raspi3b (BCM2835 GPIO) booting the Debian-built guest.
 * Console: the mini-UART (the SECOND -serial; the first is the PL011, which the device tree gives to Bluetooth).
 * Inputs are driven by qtest GPSET/GPCLR writes: QEMU's bcm2835_gpio has no input lines. No edge interrupts: QEMU
 * does not model edge detection, so interrupt scenarios skip here and run on qemu-virt.
 */
import path from 'node:path';
import { outputMask, QemuTarget, type QemuMachine, type QemuTargetOptions } from './qemu-target.js';

const GPSET0 = 0x1c;
const GPCLR0 = 0x28;

export const raspi3b: QemuMachine = {
  name: 'qemu-raspi3b',
  capabilities: { inputs: true, interrupts: false, registerLog: true },
  profile: path.resolve(import.meta.dirname, '../../fixtures/boards/rpi3b.yaml'),
  gpioType: 'bcm2835_gpio',
  consoleLabel: 'serial1',
  args: (image, append) => [
    '-M', 'raspi3b', '-accel', 'tcg,thread=single',
    '-kernel', image.kernel, '-dtb', image.raspi3bDtb, '-initrd', image.initrd,
    '-append', `console=ttyS1,115200 rdinit=/init quiet ${append}`.trim(),
    '-serial', 'null', '-serial', 'pty',
  ],
  fence: { offset: GPSET0, value: 0 }, // GPSET0 ← 0 sets nothing
  hostWritesDriveInputs: true,
  drive: ({ qtest, model }, line, level) => qtest.writel(model.base + (level ? GPSET0 : GPCLR0) + 4 * (line >> 5), (1 << (line & 31)) >>> 0),
  // GPLEV only for output pins: QEMU's GPLEV keeps a latch for inputs.
  consistency: (model) => [
    ...[0, 1, 2, 3, 4, 5].map((n) => ({ name: `GPFSEL${n}`, offset: 4 * n, mask: 0xffffffff })),
    ...[0, 1].map((bank) => ({ name: `GPLEV${bank} (output pins)`, offset: 0x34 + 4 * bank, mask: outputMask(model, 32 * bank, 32) })),
  ],
};

export function bootRaspi3b(options: QemuTargetOptions): Promise<QemuTarget> {
  return QemuTarget.boot(raspi3b, options);
}
