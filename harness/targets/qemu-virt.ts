/**
 * QEMU's virt machine with a PL061: the interrupt-capable emulated target. Inputs are driven with qtest set_irq_in
 * (the PL061 has real input lines) and the guest gets edge interrupts. Single-threaded TCG under icount, like every
 * emulated target: virtual time is what the verdicts stand on (KVM has no icount and loads no TCG plugin).
 */
import path from 'node:path';
import { Pl061Gpio } from '../models/pl061.js';
import type { RegisterModel } from '../models/types.js';
import { outputMask, QemuTarget, type QemuMachine, type QemuTargetOptions } from './qemu-target.js';
import { REPO_ROOT } from '../repo-root.js';

function pl061(model: RegisterModel): Pl061Gpio {
  if (!(model instanceof Pl061Gpio)) throw new Error(`QEMU virt needs a PL061 model, not ${model.name}`);
  return model;
}

export const virt: QemuMachine = {
  name: 'qemu-virt',
  capabilities: { inputs: true, interrupts: true, registerLog: true },
  profile: path.join(REPO_ROOT, 'fixtures/boards/qemu-virt.yaml'),
  gpioType: 'pl061',
  // Two CPUs: a module spinning in init freezes a one-CPU guest entirely (kernel-modules.md).
  args: (console) => ['-M', 'virt', '-accel', 'tcg,thread=single', '-cpu', 'cortex-a53', '-smp', '2', '-m', '512', '-nodefaults', '-serial', console],
  bootArgs: (image, append) => ['-kernel', image.kernel, '-initrd', image.initrd, '-append', `console=ttyAMA0 rdinit=/init quiet ${append}`.trim()],
  drive: ({ qtest, gpio }, line, level) => qtest.setInput(gpio, line, level),
  consistency: (model) => [
    { name: 'DIR', addr: pl061(model).address('DIR'), mask: 0xff },
    { name: 'DATA (output lines)', addr: pl061(model).address('DATA'), mask: outputMask(model, 0, 8) },
  ],
};

export function bootVirt(options: QemuTargetOptions): Promise<QemuTarget> {
  return QemuTarget.boot(virt, options);
}
