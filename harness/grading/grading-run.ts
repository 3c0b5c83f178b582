/**
 * What a grading run hands to its Playwright tests (the environment is how a CLI reaches a runner's workers): which
 * submissions, which assignment, where results go, and whether unchanged results may be reused.
 */
import { InputError } from '../errors.js';

export const GRADING_ENV = {
  submissionsDir: 'PINRIG_GRADE_DIR',
  assignment: 'PINRIG_GRADE_ASSIGNMENT',
  outDir: 'PINRIG_GRADE_OUT',
  force: 'PINRIG_GRADE_FORCE',
  harness: 'PINRIG_GRADE_HARNESS',
} as const;

export interface GradingRun {
  readonly submissionsDir: string;
  readonly assignment: string;
  readonly outDir: string;
  readonly force: boolean;
  /** The grading code's version (cache.ts harnessVersion), taken once for the whole run: every worker keys alike. */
  readonly harness: string;
}

/** The grading run this process is part of, or undefined outside one. */
export function gradingRunFromEnv(env: NodeJS.ProcessEnv = process.env): GradingRun | undefined {
  const submissionsDir = env[GRADING_ENV.submissionsDir];
  if (!submissionsDir) return undefined;
  const assignment = env[GRADING_ENV.assignment];
  const outDir = env[GRADING_ENV.outDir];
  const harness = env[GRADING_ENV.harness];
  if (!assignment || !outDir || !harness) {
    throw new InputError('grading run', `${GRADING_ENV.assignment}, ${GRADING_ENV.outDir} and ${GRADING_ENV.harness} must be set with ${GRADING_ENV.submissionsDir} (pinrig grade sets them)`);
  }
  return { submissionsDir, assignment, outDir, force: env[GRADING_ENV.force] === '1', harness };
}

export function gradingRunEnv(run: GradingRun): Record<string, string> {
  return {
    [GRADING_ENV.submissionsDir]: run.submissionsDir,
    [GRADING_ENV.assignment]: run.assignment,
    [GRADING_ENV.outDir]: run.outDir,
    [GRADING_ENV.force]: run.force ? '1' : '0',
    [GRADING_ENV.harness]: run.harness,
  };
}
