import { test, expect } from '@playwright/test';
import { QemuProcess } from '../../harness/targets/qemu-process.js';

test('a QEMU binary that does not exist: the process settles at once, saying why', async () => {
  const qemu = QemuProcess.start('/nonexistent/qemu-system-aarch64', ['-version']);
  const exit = await qemu.exited;
  expect(exit.code).not.toBe(0);
  expect(qemu.describeExit()).toMatch(/qemu-system-aarch64 exited with status \d+: .*nonexistent/);
  await qemu.stop();
});

test('a spawn that fails outright (no setpriv on PATH) still settles, and stop() returns', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  let qemu: QemuProcess;
  try {
    qemu = QemuProcess.start('qemu-system-aarch64', ['-version']);
  } finally {
    process.env.PATH = path;
  }
  await qemu.stop();
  expect(qemu.exitStatus).toBeDefined();
  expect(qemu.describeExit()).toMatch(/cannot start qemu-system-aarch64: spawn setpriv ENOENT/);
});
