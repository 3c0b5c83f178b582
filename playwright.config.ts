import { defineConfig } from '@playwright/test';
import type { TargetName } from './fixtures/targets.js';
import { claimReportFolder, isPlaywrightWorker, reportFolder } from './harness/report/report-folder.js';
import { reporters } from './harness/report/reporters.js';

const reports = reportFolder(import.meta.dirname);
if (!isPlaywrightWorker()) claimReportFolder(reports);

// One runner for everything: the harness's own tests are the `harness` project; each target is a project of its own,
// running the scenarios with a worker-scoped `targetName` option.
export default defineConfig<object, { targetName: TargetName }>({
  outputDir: `${reports}/test-results`,
  reporter: reporters(reports),
  projects: [
    { name: 'harness', testDir: 'tests', timeout: 60_000 },
    {
      name: 'qemu-raspi3b',
      testDir: 'scenarios',
      testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
      timeout: 60_000,
      use: { targetName: 'qemu-raspi3b' satisfies TargetName },
    },
    {
      name: 'qemu-raspi4b',
      testDir: 'scenarios',
      testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
      timeout: 60_000,
      use: { targetName: 'qemu-raspi4b' satisfies TargetName },
    },
    {
      // The interrupt-capable emulated target: the same scenarios, with the pins its profile gives each role.
      name: 'qemu-virt',
      testDir: 'scenarios',
      testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
      timeout: 60_000,
      use: { targetName: 'qemu-virt' satisfies TargetName },
    },
    // Board projects: configured from a profile path in PINRIG_RPI_PROFILE / PINRIG_ORIN_PROFILE.
    // Each board project first checks its profile once (fixtures/board-profile.setup.ts); a bad one stops the project.
    { name: 'rpi profile', testDir: 'fixtures', testMatch: 'board-profile.setup.ts', grep: /rpi: the board profile/ },
    { name: 'orin-passthrough profile', testDir: 'fixtures', testMatch: 'board-profile.setup.ts', grep: /orin-passthrough: the board profile/ },
    {
      name: 'rpi',
      dependencies: ['rpi profile'],
      testDir: 'scenarios',
      testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
      timeout: 60_000,
      use: { targetName: 'rpi' satisfies TargetName },
    },
    {
      name: 'orin-passthrough',
      dependencies: ['orin-passthrough profile'],
      testDir: 'scenarios/orin-passthrough',
      timeout: 90_000,
      use: { targetName: 'orin-passthrough' satisfies TargetName },
    },
  ],
});
