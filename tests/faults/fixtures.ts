/**
 * The fault matrix's test: after every case, no process the case started is left (QEMU, sigrok-cli, dropbear, bwrap,
 * a child Playwright run...). Counted among this worker's own descendants, not by name: the descendants are sampled
 * while the case runs, so a process orphaned by a crash (re-parented away from us) is still checked.
 */
import { readFile } from 'node:fs/promises';
import { test as base, expect } from '@playwright/test';
import { descendants, type ProcessInfo } from '../support/descendants.js';

export const test = base.extend<{ noProcessLeft: void }>({
  noProcessLeft: [async ({}, use) => {
    const before = new Set((await descendants()).map((p) => p.pid));
    const seen = new Map<number, ProcessInfo>();
    const sample = async () => {
      for (const p of await descendants()) if (!before.has(p.pid)) seen.set(p.pid, p);
    };
    const sampler = setInterval(() => void sample(), 200);
    try {
      await use();
    } finally {
      clearInterval(sampler);
    }
    await sample();
    const left = async () => {
      const alive: string[] = [];
      for (const p of seen.values()) if (await stillRunning(p)) alive.push(`${p.pid} ${p.command}`);
      return alive;
    };
    await expect.poll(left, { timeout: 10_000, message: 'processes the case left behind' }).toEqual([]);
  }, { auto: true }],
});

/** The process is alive and is still the one we saw (not a reused pid), zombies aside. */
async function stillRunning(p: ProcessInfo): Promise<boolean> {
  const stat = await readFile(`/proc/${p.pid}/stat`, 'utf8').catch(() => '');
  if (!stat || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
  const cmdline = await readFile(`/proc/${p.pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').filter(Boolean).join(' ').slice(0, 200) === p.command;
}

export { expect };
