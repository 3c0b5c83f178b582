/** What every pinrig run writes into its report folder: the HTML report, JUnit (interruption included) and JSON. */
import type { ReporterDescription } from '@playwright/test';

export function reporters(folder: string): ReporterDescription[] {
  return [
    ['list'],
    ['html', { outputFolder: `${folder}/html`, open: 'never' }],
    ['junit', { outputFile: `${folder}/junit.xml` }],
    // After the JUnit reporter: marks the tests an interrupted run did not finish as errors in junit.xml.
    [`${import.meta.dirname}/interrupted-run.ts`, { outputFile: `${folder}/junit.xml` }],
    ['json', { outputFile: `${folder}/results.json` }],
  ];
}
