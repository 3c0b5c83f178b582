/**
 * A Playwright reporter, listed before the HTML and JUnit reporters: when a run is interrupted (Ctrl-C, SIGTERM) or
 * hits its global timeout, Playwright reports the tests that did not finish as skipped, so the HTML report shows
 * "All 0" and a CI reading JUnit sees green. This turns each of them into an error saying the run was interrupted
 * before it finished (or started), so both reports show it as one. results.json, written before, keeps Playwright's
 * own `interrupted` status.
 */
import type { FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';

export default class InterruptedRun implements Reporter {
  private suite: Suite | undefined;

  onBegin(_config: unknown, suite: Suite): void {
    this.suite = suite;
  }

  onEnd(result: FullResult): void {
    if (result.status !== 'interrupted' && result.status !== 'timedout') return;
    const cause = result.status === 'interrupted' ? 'the run was interrupted' : 'the run hit its global timeout';
    for (const test of this.suite?.allTests() ?? []) {
      const last = test.results.at(-1);
      if (test.expectedStatus === 'skipped' || (last && last.status !== 'interrupted')) continue;
      const message = `${cause} before this test ${last ? 'finished' : 'started'}`;
      const marked = last ?? newResult(test);
      marked.status = 'failed';
      marked.error = { message };
      marked.errors.push({ message });
      test.annotations.push({ type: 'interrupted', description: message });
    }
  }

  printsToStdio(): boolean {
    return false;
  }
}

/** The result of a test that never started, as Playwright records one (TestResult's documented fields). */
function newResult(test: TestCase): TestResult {
  const result: TestResult = {
    retry: test.results.length, parallelIndex: -1, workerIndex: -1, duration: 0, startTime: new Date(), stdout: [],
    stderr: [], attachments: [], annotations: [], status: 'skipped', steps: [], errors: [],
  };
  test.results.push(result);
  return result;
}
