import { defineConfig } from '@playwright/test';
import type { TargetName } from '../../../fixtures/targets.js';
import { claimReportFolder, isPlaywrightWorker, reportFolder } from '../../../harness/report/report-folder.js';
import { reporters } from '../../../harness/report/reporters.js';

// Scenarios that fail on purpose, run by tests/faults/*.spec.ts in a Playwright run of their own, with the reporters
// of a real run writing to the folder in PINRIG_REPORTS.
const reports = reportFolder(process.cwd());
if (!isPlaywrightWorker()) claimReportFolder(reports);

export default defineConfig<object, { targetName: TargetName }>({
  testDir: '.',
  testMatch: '*.fault.ts',
  workers: 1,
  timeout: 30_000,
  outputDir: `${reports}/test-results`,
  reporter: reporters(reports),
  projects: [{ name: 'qemu-raspi3b', use: { targetName: 'qemu-raspi3b' } }],
});
