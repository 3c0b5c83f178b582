/**
 * One test per submission of the class `pinrig grade` was given; each reads: build, a clean guest, the rubric's
 * criteria. Outside a grading run this file has no tests.
 */
import { test } from '../../fixtures/grading.js';
import { gradingRunFromEnv } from '../../harness/grading/grading-run.js';
import { findSubmissions } from '../../harness/grading/submissions.js';

const run = gradingRunFromEnv();
const { submissions } = run ? await findSubmissions(run.submissionsDir) : { submissions: [] };

for (const submission of submissions) {
  test(submission.student, async ({ grader }) => {
    await grader.grade(submission);
  });
}
