import { defineConfig, type Project } from '@playwright/test';
import { boardProjectsLeftOut, chosenBoardProjects, type BoardProject } from './fixtures/board-projects.js';
import type { TargetName } from './fixtures/targets.js';
import { claimReportFolder, isPlaywrightWorker, reportFolder } from './harness/report/report-folder.js';
import { reporters } from './harness/report/reporters.js';

const reports = reportFolder(import.meta.dirname);
// A listing run (--list) writes no reports and claims no folder: it must leave the last run's reports as they are.
const listing = process.argv.includes('--list');
if (!isPlaywrightWorker() && !listing) claimReportFolder(reports);

// The runner decides which board projects run (its command line); workers, which load this file too without that
// command line, inherit the decision through the environment.
if (!isPlaywrightWorker()) {
  const chosen = chosenBoardProjects(process.argv, process.env);
  process.env.PINRIG_BOARD_PROJECTS = chosen.join(',');
  const note = boardProjectsLeftOut(chosen);
  if (note) process.stderr.write(`${note}\n`);
}
const boards = (process.env.PINRIG_BOARD_PROJECTS ?? '').split(',').filter(Boolean) as BoardProject[];
// On CI a scenario's infrastructure failure is retried once (pinrig's fixtures refuse to retry a scenario's own
// failure, fixtures/pinrig.ts), and a test that needed it shows as flaky in the report and in JUnit. The harness's own
// tests are not retried.
const scenarioRetries = process.env.CI ? 1 : 0;
const ifChosen = (board: BoardProject, projects: Project[]): Project[] => (boards.includes(board) ? projects : []);

// One runner for everything: the harness's own tests are the `harness` project; each target is a project of its own,
// running the scenarios with a worker-scoped `targetName` option.
export default defineConfig<object, { targetName: TargetName }>({
  outputDir: `${reports}/test-results`,
  reporter: listing ? [['list']] : reporters(reports),
  projects: [
    { name: 'harness', testDir: 'tests', timeout: 60_000 },
    {
      name: 'qemu-raspi3b',
      testDir: 'scenarios',
      testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
      timeout: 60_000,
      retries: scenarioRetries,
      use: { targetName: 'qemu-raspi3b' satisfies TargetName },
    },
    {
      name: 'qemu-raspi4b',
      testDir: 'scenarios',
      testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
      timeout: 60_000,
      retries: scenarioRetries,
      use: { targetName: 'qemu-raspi4b' satisfies TargetName },
    },
    {
      // The interrupt-capable emulated target: the same scenarios, with the pins its profile gives each role.
      name: 'qemu-virt',
      testDir: 'scenarios',
      testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
      timeout: 60_000,
      retries: scenarioRetries,
      use: { targetName: 'qemu-virt' satisfies TargetName },
    },
    // Board projects: configured from a profile path in PINRIG_RPI_PROFILE / PINRIG_ORIN_PROFILE. Each first checks its
    // profile once (fixtures/board-profile.setup.ts); a bad one stops the project.
    ...ifChosen('rpi', [
      { name: 'rpi profile', testDir: 'fixtures', testMatch: 'board-profile.setup.ts', grep: /rpi: the board profile/ },
      {
        name: 'rpi',
        dependencies: ['rpi profile'],
        testDir: 'scenarios',
        testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
        timeout: 60_000,
        retries: scenarioRetries,
        use: { targetName: 'rpi' satisfies TargetName },
      },
    ]),
    ...ifChosen('orin-passthrough', [
      { name: 'orin-passthrough profile', testDir: 'fixtures', testMatch: 'board-profile.setup.ts', grep: /orin-passthrough: the board profile/ },
      {
        name: 'orin-passthrough',
        dependencies: ['orin-passthrough profile'],
        testDir: 'scenarios/orin-passthrough',
        timeout: 90_000,
        retries: scenarioRetries,
        use: { targetName: 'orin-passthrough' satisfies TargetName },
      },
    ]),
  ],
});
