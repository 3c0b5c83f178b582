import { expect, test } from './fixtures.js';
import { runFaults } from './runs/run-faults.js';

test('an interrupted run (Ctrl-C): each test that did not finish is an error in junit.xml and the HTML report', async () => {
  const { exitCode, tests, junit, html } = await runFaults('interrupted.fault.ts', { interruptOn: 'interrupt me now', renderHtml: true });
  expect(exitCode).not.toBe(0);
  // results.json keeps Playwright's own account.
  expect(tests.map((t) => t.status)).toEqual(['interrupted', 'not run']);
  // Playwright alone counts both as skipped (failures=0 errors=0: green to a CI); pinrig's reporter makes them errors.
  expect(junit).toMatch(/<testsuites [^>]*\btests="2" failures="0" skipped="0" errors="2"/);
  expect(junit).toMatch(/<testcase name="a test that is running when the run is interrupted"[\s\S]*?<error message="the run was interrupted before this test finished" type="Error">/);
  expect(junit).toMatch(/<testcase name="a test the interrupted run never reaches"[\s\S]*?<error message="the run was interrupted before this test started" type="Error">/);
  // The HTML report, rendered by chromium: both under Failed, none hidden as skipped.
  expect(html).toMatch(/All ?2 Passed ?0 Failed ?2 Flaky ?0 Skipped ?0/);
  expect(html).toContain('a test that is running when the run is interrupted');
  expect(html).toContain('a test the interrupted run never reaches');
});
