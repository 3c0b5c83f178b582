/**
 * QEMU's virt machine with a PL061: the interrupt-capable emulated target. Inputs are driven with qtest set_irq_in
 * (the PL061 has real input lines) and the guest gets edge interrupts. KVM with the host's CPU where /dev/kvm works
 * on an arm64 host (a Jetson AGX Orin), else single-threaded TCG.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { outputMask, QemuTarget, type QemuMachine, type QemuTargetOptions } from './qemu-target.js';

/** `-accel kvm -cpu host` only where it can work: an arm64 host with a usable /dev/kvm. */
export function virtAcceleration(): string[] {
  try {
    if (process.arch !== 'arm64') throw new Error('not arm64');
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return ['-accel', 'kvm', '-cpu', 'host'];
  } catch {
    return ['-accel', 'tcg,thread=single', '-cpu', 'cortex-a53'];
  }
}

export const virt: QemuMachine = {
  name: 'qemu-virt',
  capabilities: { inputs: true, interrupts: true, registerLog: true },
  profile: path.resolve(import.meta.dirname, '../../fixtures/boards/qemu-virt.yaml'),
  gpioType: 'pl061',
  consoleLabel: 'serial0',
  // Two CPUs: a module spinning in init freezes a one-CPU guest entirely (kernel-modules.md).
  args: (image, append) => [
    '-M', 'virt', ...virtAcceleration(), '-smp', '2', '-m', '512', '-nodefaults',
    '-kernel', image.kernel, '-initrd', image.initrd,
    '-append', `console=ttyAMA0 rdinit=/init quiet ${append}`.trim(),
    '-serial', 'pty',
  ],
  fence: { offset: 0x000, value: 0 }, // DATA with an empty address mask changes no line
  hostWritesDriveInputs: false,
  drive: ({ qtest, gpio, analyzer }, line, level) => analyzer.driveAtFence(line, level, () => qtest.setInput(gpio, line, level)),
  consistency: (model) => [
    { name: 'DIR', offset: 0x400, mask: 0xff },
    { name: 'DATA (output lines)', offset: 0x3fc, mask: outputMask(model, 0, 8) },
  ],
};

export function bootVirt(options: QemuTargetOptions): Promise<QemuTarget> {
  return QemuTarget.boot(virt, options);
}
