import { chmod, writeFile } from 'node:fs/promises';
import { expect, test } from './fixtures.js';
import { runFaults } from './runs/run-faults.js';

test('with retries, an infrastructure failure is retried and shows as flaky; a scenario\'s own failure is not retried', async () => {
  test.setTimeout(240_000);
  // A QEMU that fails to start the first time it is asked, then is the real one.
  const flag = test.info().outputPath('failed-once');
  const qemu = test.info().outputPath('qemu-fails-once');
  await writeFile(qemu, `#!/bin/sh\nif [ ! -e '${flag}' ]; then : > '${flag}'; echo 'qemu: simulated start failure' >&2; exit 1; fi\nexec qemu-system-aarch64 "$@"\n`);
  await chmod(qemu, 0o755);
  const { tests, junit } = await runFaults('retry.fault.ts', { env: { PINRIG_QEMU: qemu }, args: ['--retries=1'] });
  const [flaky, own] = tests;
  expect(flaky!.status).toBe('passed');
  expect(flaky!.attempts).toEqual(['failed', 'passed']);
  expect(flaky!.annotations).toContainEqual({ type: 'retried', description: 'attempt 2, after an infrastructure failure' });
  expect(own!.attempts).toEqual(['failed', 'failed']);
  expect(own!.error).toMatch(/^Error: not run again: the previous attempt failed on its own verdict, and only infrastructure failures are retried:\nError: the guest says 2/);
  // JUnit lists the flaky test as passed with its failed attempt, and the scenario's failure as a failure.
  expect(junit).toMatch(/<testcase name="a scenario whose machine fails to start once"[^>]*>[\s\S]*?<flakyError message="infrastructure failure: qemu-raspi3b did not come up/);
  expect(junit).toMatch(/<testsuites [^>]*\bfailures="1"/);
});
