/** What every pinrig run writes into its report folder: JSON, the HTML report and JUnit (interruption included). */
import type { ReporterDescription } from '@playwright/test';

/**
 * `grading`: a class graded by `pinrig grade`: its progress display instead of the list, and a blob report for
 * joining slices graded on several machines.
 */
export function reporters(folder: string, options: { grading?: boolean } = {}): ReporterDescription[] {
  return [
    options.grading ? [`${import.meta.dirname}/../grading/progress-reporter.ts`] : ['list'],
    ...(options.grading ? [['blob', { outputDir: `${folder}/blob-report` }] as ReporterDescription] : []),
    ['json', { outputFile: `${folder}/results.json` }],
    // After the JSON reporter (which keeps Playwright's `interrupted`), before HTML and JUnit: the tests an
    // interrupted run did not finish become errors there.
    [`${import.meta.dirname}/interrupted-run.ts`],
    ['html', { outputFolder: `${folder}/html`, open: 'never' }],
    // includeRetries: a test that passed on its retry is listed with its flaky attempt.
    ['junit', { outputFile: `${folder}/junit.xml`, includeRetries: true }],
  ];
}
