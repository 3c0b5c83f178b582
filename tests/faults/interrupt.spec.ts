import { expect, test } from './fixtures.js';
import { runFaults } from './runs/run-faults.js';

test('an interrupted run (Ctrl-C) is an error in junit.xml for each test that did not finish, and in results.json', async () => {
  const { exitCode, tests, junit } = await runFaults('interrupted.fault.ts', { interruptOn: 'interrupt me now' });
  expect(exitCode).not.toBe(0);
  expect(tests.map((t) => t.status)).toEqual(['interrupted', 'not run']);
  // Playwright's own JUnit counts both as skipped; the interrupted-run reporter adds them as errors.
  expect(junit).toMatch(/<testsuites [^>]*\btests="4"[^>]*\berrors="2"/);
  expect(junit).toContain('<testsuite name="run interrupted" tests="2" failures="0" skipped="0" errors="2"');
  expect(junit).toMatch(/<testcase name="[^"]*a test that is running when the run is interrupted" classname="run interrupted"><error message="the run was interrupted before this test finished" type="interrupted"\/>/);
  expect(junit).toMatch(/<testcase name="[^"]*a test the interrupted run never reaches" classname="run interrupted"><error /);
});
