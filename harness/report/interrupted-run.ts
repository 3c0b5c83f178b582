/**
 * A Playwright reporter, listed after the JUnit reporter: when a run is interrupted (Ctrl-C, SIGTERM) or hits the
 * global timeout, Playwright's JUnit file counts the tests that did not finish as skipped, so a CI reading JUnit sees
 * green. This adds a test suite "run interrupted" with one error per test that did not finish, so the file says so.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { FullResult, Reporter, Suite, TestCase } from '@playwright/test/reporter';

export default class InterruptedRun implements Reporter {
  private suite: Suite | undefined;

  constructor(private readonly options: { outputFile: string }) {}

  onBegin(_config: unknown, suite: Suite): void {
    this.suite = suite;
  }

  async onEnd(result: FullResult): Promise<void> {
    if (result.status !== 'interrupted' && result.status !== 'timedout') return;
    const unfinished = (this.suite?.allTests() ?? []).filter(didNotFinish);
    const cause = result.status === 'interrupted' ? 'the run was interrupted' : 'the run hit its global timeout';
    let xml: string;
    try {
      xml = await readFile(this.options.outputFile, 'utf8');
    } catch {
      return; // No JUnit file was written (e.g. a listing run): nothing to correct.
    }
    const cases = (unfinished.length ? unfinished : [undefined]).map((test) => {
      const name = test ? test.titlePath().slice(1).filter(Boolean).join(' › ') : 'the run';
      const message = `${cause} before ${test ? 'this test finished' : 'it finished'}`;
      return `<testcase name="${escape(name)}" classname="run interrupted"><error message="${escape(message)}" type="${result.status}"/></testcase>`;
    });
    const suite = `<testsuite name="run interrupted" tests="${cases.length}" failures="0" skipped="0" errors="${cases.length}" time="0">\n${cases.join('\n')}\n</testsuite>`;
    const corrected = xml
      .replace(/<testsuites\b[^>]*>/, (tag) => tag
        .replace(/\btests="(\d+)"/, (_m, n) => `tests="${Number(n) + cases.length}"`)
        .replace(/\berrors="(\d+)"/, (_m, n) => `errors="${Number(n) + cases.length}"`))
      .replace(/<\/testsuites>\s*$/, `${suite}\n</testsuites>`);
    await writeFile(this.options.outputFile, corrected);
  }

  printsToStdio(): boolean {
    return false;
  }
}

/** A test that was running when the run stopped, or never started. */
function didNotFinish(test: TestCase): boolean {
  const last = test.results.at(-1);
  if (test.expectedStatus === 'skipped') return false;
  return !last || last.status === 'interrupted';
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
