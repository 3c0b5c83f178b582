import { test } from '../../../fixtures/index.js';
import type { QemuTarget } from '../../../harness/targets/qemu-target.js';

test('QEMU is killed while a step runs', async ({ target, analyzer }) => {
  const qemu = (target as QemuTarget).qemu;
  test.info().annotations.push({ type: 'qemu pid', description: String(qemu.pid) });
  const gpio = await target.sysfsNumber('GPIO17');
  const value = `/sys/class/gpio/gpio${gpio}/value`;
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction`);
  await analyzer.record(['GPIO17'], 'dying');
  await test.step('toggle GPIO17 while QEMU dies', async () => {
    setTimeout(() => process.kill(qemu.pid!, 'SIGKILL'), 300);
    await target.shell.run(`while true; do echo 1 > ${value}; echo 0 > ${value}; done`, { timeoutMs: 20_000 });
  });
});

test('the next test gets a fresh guest', async ({ target }) => {
  test.info().annotations.push({ type: 'qemu pid', description: String((target as QemuTarget).qemu.pid) });
  await target.shell.check('uname -r');
});
