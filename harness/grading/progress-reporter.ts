/**
 * The progress of a grading run as `pinrig grade` shows it (harness/grading/progress.ts), told by the Playwright
 * runner that grades: a submission starts, enters a step (the build, the guest, the rubric), ends with its result.
 */
import type { Reporter, Suite, TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import { STEPS } from './grade-submission.js';
import { GradeProgress } from './progress.js';
import type { SubmissionResult } from './results.js';

const RESULT_ATTACHMENT = 'grade.json';

export default class GradeProgressReporter implements Reporter {
  private readonly progress = new GradeProgress(process.stderr);

  onBegin(_config: unknown, suite: Suite): void {
    this.progress.onEvent({ kind: 'start', total: suite.allTests().length });
  }

  onStepBegin(test: TestCase, _result: TestResult, step: TestStep): void {
    if (step.category !== 'test.step') return;
    const phase = step.title === STEPS.build ? 'build' : step.title === STEPS.guest ? 'guest' : 'rubric';
    this.progress.onEvent({ kind: 'phase', student: test.title, phase });
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    const body = result.attachments.find((a) => a.name === RESULT_ATTACHMENT)?.body;
    if (!body) return; // a test cut short without a result: `pinrig grade` reports it as a harness error
    const graded = JSON.parse(body.toString('utf8')) as SubmissionResult;
    this.progress.onEvent({ kind: 'done', result: graded, cached: result.annotations.some((a) => a.type === 'cached') });
  }

  onEnd(): void {
    this.progress.finish();
  }

  printsToStdio(): boolean {
    return true;
  }
}
