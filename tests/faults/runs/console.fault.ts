import { expect } from '@playwright/test';
import { test } from '../../../fixtures/index.js';

// Each fails on purpose with the error the user sees; the spec checks the message, and that the guest still answers.

test('a guest command that hangs', async ({ target }) => {
  await target.shell.check('echo before-the-hang');
  // Not `sleep`: the guest's clock is virtual and races when idle, so a sleep ends early. This never ends.
  await target.shell.run('while :; do :; done', { timeoutMs: 2_000 });
});

test('a guest command that floods the console', async ({ target }) => {
  const flood = await target.shell.run("head -c 400000 /dev/zero | tr '\\0' x", { maxOutput: 8192, timeoutMs: 25_000 });
  expect(flood.truncated, 'characters cut').toBe(0);
});

test('garbage and fake end markers on the console', async ({ target }) => {
  // The bound of the flood's: this case is about what the bytes are, and 20 kB over an emulated UART on a busy host
  // overran the default 10 s once.
  const garbage = await target.shell.run('head -c 20000 /dev/urandom; printf "\\n__PREdeadbeef 0\\n"; echo after; false', { timeoutMs: 25_000 });
  expect(garbage.status, `output ended with ${JSON.stringify(garbage.output.slice(-20))}`).toBe(0);
});

test('the guest still answers after all of that', async ({ target }) => {
  expect(await target.shell.check('echo alive')).toBe('alive\n');
});
