import { QemuProcess } from '../../harness/targets/qemu-process.js';
import { QmpLink } from '../../harness/links/qmp.js';
import { QtestLink } from '../../harness/links/qtest.js';

/** QEMU with its CPU stopped: qtest reaches the device models directly, no guest needed. */
export async function stoppedQemu(machine: 'virt' | 'raspi3b') {
  const qemu = QemuProcess.start('qemu-system-aarch64', [
    '-M', machine, '-nodefaults', '-S', '-accel', 'tcg', '-display', 'none',
    '-qmp', 'unix:{dir}/qmp.sock,server=on,wait=off',
    '-qtest', 'unix:{dir}/qtest.sock,server=on,wait=off', '-qtest-log', '/dev/null',
  ]);
  try {
    const qmp = await QmpLink.connect(`${qemu.dir}/qmp.sock`);
    const qtest = await QtestLink.connect(`${qemu.dir}/qtest.sock`);
    return { qemu, qmp, qtest, close: async () => { qtest.close(); qmp.close(); await qemu.stop(); } };
  } catch (error) {
    await qemu.stop();
    throw error;
  }
}
