import { defineConfig, type Project } from '@playwright/test';
import { boardProjectsLeftOut, chosenBoardProjects, type BoardProject } from './fixtures/board-projects.js';
import type { TargetName } from './fixtures/targets.js';
import { claimReportFolder, isPlaywrightWorker, reportFolder } from './harness/report/report-folder.js';
import { reporters } from './harness/report/reporters.js';
import { gradingRunFromEnv } from './harness/grading/grading-run.js';

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
  if (note && !gradingRunFromEnv()) process.stderr.write(`${note}\n`);
}
const boards = (process.env.PINRIG_BOARD_PROJECTS ?? '').split(',').filter(Boolean) as BoardProject[];
// On CI a scenario's infrastructure failure is retried once (pinrig's fixtures refuse to retry a scenario's own
// failure, fixtures/pinrig.ts), and a test that needed it shows as flaky in the report and in JUnit. The harness's own
// tests are not retried.
const scenarioRetries = process.env.CI ? 1 : 0;
type PinrigProject = Project<object, { targetName: TargetName }>;

/** A project running the shared scenarios on one target (a board's needs its profile check first). */
const scenarios = (targetName: TargetName, extra: Partial<PinrigProject> = {}): PinrigProject => ({
  name: targetName,
  testDir: 'scenarios',
  testIgnore: ['**/orin-passthrough/**', '**/grading/**'],
  timeout: 60_000,
  retries: scenarioRetries,
  use: { targetName },
  ...extra,
});

/**
 * A board project, when this run includes it: first a setup project that checks its profile once
 * (fixtures/board-profile.setup.ts; a bad one stops the project), then the scenarios.
 */
const board = (name: BoardProject, extra: Partial<PinrigProject> = {}): PinrigProject[] => {
  if (!boards.includes(name)) return [];
  const check = `${name} profile`;
  return [
    { name: check, testDir: 'fixtures', testMatch: 'board-profile.setup.ts', grep: new RegExp(`${name}: the board profile`) },
    scenarios(name, { dependencies: [check], ...extra }),
  ];
};

// A class being graded (`pinrig grade` sets the run in the environment): one test per submission, spread over the
// workers submission by submission. No retries: Playwright schedules one for every failing test, and a submission
// that lost points is one; the retry stops at once (fixtures/retry-only-infrastructure.ts) but costs two worker starts.
// A guest that does not come up is tried again inside the test (grade-submission.ts); a harness error met later shows
// as such, and running `pinrig grade` again grades only it.
const grading = gradingRunFromEnv() !== undefined;
const gradingProject: PinrigProject = { name: 'grading', testDir: 'scenarios/grading', testMatch: 'submissions.spec.ts', fullyParallel: true, timeout: 600_000, retries: 0 };

// One runner for everything: the harness's own tests are the `harness` project; each target is a project of its own,
// running the scenarios with a worker-scoped `targetName` option.
export default defineConfig<object, { targetName: TargetName }>({
  outputDir: `${reports}/test-results`,
  reporter: listing ? [['list']] : reporters(reports, { grading }),
  projects: [
    { name: 'harness', testDir: 'tests', timeout: 60_000 },
    scenarios('qemu-raspi3b'),
    scenarios('qemu-raspi4b'),
    // The interrupt-capable emulated target: the same scenarios, with the pins its profile gives each role.
    scenarios('qemu-virt'),
    // Board projects: configured from a profile path in PINRIG_RPI_PROFILE / PINRIG_ORIN_PROFILE.
    ...board('rpi'),
    ...board('orin-passthrough', { testDir: 'scenarios/orin-passthrough', testIgnore: [], timeout: 90_000 }),
    ...(grading ? [gradingProject] : []),
  ],
});
