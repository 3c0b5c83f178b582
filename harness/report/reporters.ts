/** What every pinrig run writes into its report folder: JSON, the HTML report and JUnit (interruption included). */
import type { ReporterDescription } from '@playwright/test';

export function reporters(folder: string): ReporterDescription[] {
  return [
    ['list'],
    ['json', { outputFile: `${folder}/results.json` }],
    // After the JSON reporter (which keeps Playwright's `interrupted`), before HTML and JUnit: the tests an
    // interrupted run did not finish become errors there.
    [`${import.meta.dirname}/interrupted-run.ts`],
    ['html', { outputFolder: `${folder}/html`, open: 'never' }],
    // includeRetries: a test that passed on its retry is listed with its flaky attempt.
    ['junit', { outputFile: `${folder}/junit.xml`, includeRetries: true }],
  ];
}
