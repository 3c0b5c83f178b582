import { execFileSync } from 'node:child_process';
import { test } from '../../../fixtures/index.js';
import type { QemuTarget } from '../../../harness/targets/qemu-target.js';

/** The worker's QEMU waiting restored and paused for the next test (its spare), once it has started. */
async function spareQemu(current: number): Promise<number> {
  for (let waited = 0; waited < 20_000; waited += 100) {
    const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    const spare = children.split('\n').map((line) => line.trim().split(/\s+/)).find(([pid, binary, ...args]) => Number(pid) !== current && binary?.includes('qemu-system') && args.includes('-incoming'));
    if (spare) return Number(spare[0]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no spare guest was restored within 20 s');
}

test('a test stops the guest restored for the next one, so that it never answers', async ({ target }) => {
  const spare = await spareQemu((target as QemuTarget).qemu.pid!);
  process.kill(spare, 'SIGSTOP');
  test.info().annotations.push({ type: 'stopped qemu', description: String(spare) });
});

test('the next test gets a guest restored again', async ({ target }) => {
  test.info().annotations.push({ type: 'qemu pid', description: String((target as QemuTarget).qemu.pid) });
  await target.shell.check('uname -r');
});
