/**
 * The emulated Raspberry Pi 4B: QEMU 10's raspi4b (BCM2711 GPIO, QOM type bcm2838-gpio) booting the Debian-built
 * guest with Debian's device tree, the blocks QEMU lacks disabled (guest/contents.ts). Console: the PL011 (ttyAMA0,
 * the first -serial), freed from Bluetooth; it came up in every boot where the mini-UART hung in some (qemu.md).
 * Inputs and fidelity as on raspi3b: GPSET/GPCLR from the host, no edge detection.
 */
import path from 'node:path';
import { bcmMachine } from './qemu-raspi3b.js';
import { QemuTarget, type QemuMachine, type QemuTargetOptions } from './qemu-target.js';
import { REPO_ROOT } from '../repo-root.js';

export const raspi4b: QemuMachine = {
  name: 'qemu-raspi4b',
  capabilities: { inputs: true, interrupts: false, registerLog: true },
  profile: path.join(REPO_ROOT, 'fixtures/boards/rpi4b.yaml'),
  gpioType: 'bcm2838-gpio',
  args: (console) => ['-M', 'raspi4b', '-accel', 'tcg,thread=single', '-serial', console],
  bootArgs: (image, append) => [
    '-kernel', image.kernel, '-dtb', image.raspi4bDtb, '-initrd', image.initrd,
    '-append', `console=ttyAMA0,115200 rdinit=/init quiet ${append}`.trim(),
  ],
  ...bcmMachine,
};

export function bootRaspi4b(options: QemuTargetOptions): Promise<QemuTarget> {
  return QemuTarget.boot(raspi4b, options);
}
