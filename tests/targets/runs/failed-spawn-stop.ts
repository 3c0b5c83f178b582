// Run by qemu-process.spec.ts in a process group of its own: starts QEMU with setpriv not on PATH, stops it, and says
// whether anything tried to signal the child that never started (what pid is signalled then depends on the heap, so
// the attempt is what is checked, not its damage).
import { ChildProcess } from 'node:child_process';
import { QemuProcess } from '../../../harness/targets/qemu-process.js';

const kill = ChildProcess.prototype.kill;
let unstartedSignalled = 0;
ChildProcess.prototype.kill = function (this: ChildProcess, signal?: NodeJS.Signals | number) {
  if (this.pid === undefined) unstartedSignalled++;
  return kill.call(this, signal);
};
process.env.PATH = '/nonexistent';
const qemu = QemuProcess.start('qemu-system-aarch64', ['-version']);
await qemu.stop();
process.stdout.write(`signals sent to the child that never started: ${unstartedSignalled}\n${qemu.describeExit()}\n`);
