import { test } from '../../../fixtures/index.js';
import type { QemuTarget } from '../../../harness/targets/qemu-target.js';

test('the guest kernel panics while a step runs', async ({ target }) => {
  test.info().annotations.push({ type: 'qemu pid', description: String((target as QemuTarget).qemu.pid) });
  // A long command timeout: only noticing the panic on the console can end this step early.
  await test.step('crash the kernel', () => target.shell.run('echo c > /proc/sysrq-trigger', { timeoutMs: 120_000 }));
});

test('the next test gets a fresh guest', async ({ target }) => {
  test.info().annotations.push({ type: 'qemu pid', description: String((target as QemuTarget).qemu.pid) });
  await target.shell.check('uname -r');
});
