import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { QemuProcess } from '../../harness/targets/qemu-process.js';

test('a QEMU binary that does not exist: the process settles at once, saying why', async () => {
  const qemu = QemuProcess.start('/nonexistent/qemu-system-aarch64', ['-version']);
  const exit = await qemu.exited;
  expect(exit.code).not.toBe(0);
  expect(qemu.describeExit()).toMatch(/qemu-system-aarch64 exited with status \d+: .*nonexistent/);
  await qemu.stop();
});

test('a spawn that fails outright (no setpriv on PATH) still settles, and stop() signals nothing', async () => {
  // Node 20's kill() on a child that never started signals pid 0: the caller's whole process group (the runner, npm,
  // CI's script). Run in a group of its own, where such a kill could only end the script itself, by SIGKILL.
  const script = path.join(import.meta.dirname, 'runs/failed-spawn-stop.ts');
  const run = spawn(process.execPath, ['--import', 'tsx', script], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => run.kill('SIGKILL'), 20_000);
  let out = '';
  run.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  run.stderr.setEncoding('utf8').on('data', (text: string) => (out += text));
  const [code, signal] = await once(run, 'close');
  clearTimeout(timer);
  expect({ code, signal }, out).toEqual({ code: 0, signal: null });
  expect(out).toContain('signals sent to the child that never started: 0');
  expect(out).toMatch(/cannot start qemu-system-aarch64: spawn setpriv ENOENT/);
});
