import { expect } from '@playwright/test';
import { test } from '../../../fixtures/index.js';

// Run with --retries=1 and a QEMU that fails to start the first time (tests/faults/retries.spec.ts).

test('a scenario whose machine fails to start once', async ({ target }) => {
  expect(await target.shell.check('echo up')).toBe('up\n');
});

test('a scenario whose own check fails', async ({ target }) => {
  expect(await target.shell.check('echo 1'), 'the guest says 2').toBe('2\n');
});
