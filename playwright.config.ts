import { defineConfig } from '@playwright/test';

// One runner for everything: the harness's own tests are the `harness` project; each target is a project of its own.
export default defineConfig({
  outputDir: 'reports/test-results',
  reporter: process.env.CI
    ? [['list'], ['junit', { outputFile: 'reports/junit.xml' }], ['json', { outputFile: 'reports/results.json' }]]
    : [['list']],
  projects: [
    { name: 'harness', testDir: 'tests', timeout: 60_000 },
  ],
});
