/**
 * The fault matrix's test: after every case, no process the case started is left (QEMU, sigrok-cli, dropbear, bwrap,
 * a child Playwright run...). Counted among this worker's own descendants, not by name, so a leak of any kind shows.
 */
import { test as base, expect } from '@playwright/test';
import { descendants } from '../support/descendants.js';

export const test = base.extend<{ noProcessLeft: void }>({
  noProcessLeft: [async ({}, use) => {
    const before = new Set((await descendants()).map((p) => p.pid));
    await use();
    const left = async () => (await descendants()).filter((p) => !before.has(p.pid)).map((p) => `${p.pid} ${p.command}`);
    await expect.poll(left, { timeout: 10_000, message: 'processes the case left behind' }).toEqual([]);
  }, { auto: true }],
});

export { expect };
