/**
 * One submission, start to end: build (sandboxed, never run on the host) → a fresh guest holding only this module →
 * the rubric's criteria in order → a result with the reason for every lost point. A fault in the guest (oops, panic,
 * hung insmod, flood, imitated markers, the time limit) ends only this submission; a failure of the harness itself
 * gives status 'error', never a grade.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GuestImage } from '../guest/image.js';
import { ShellError } from '../links/shell.js';
import { waveformSvg } from '../signals/svg.js';
import { TargetStartError, type QemuTarget } from '../targets/qemu-target.js';
import type { LoadedAssignment } from './assignments.js';
import { buildModule, type KernelHeaders, type ModuleBuild } from './kbuild.js';
import type { CriterionResult, SubmissionResult } from './results.js';
import { maxPoints, type Criterion, type Verdict } from './rubric.js';
import { hostPathScrubber, type Scrub } from './scrub.js';
import { GradingSession, SubmissionEnded } from './session.js';
import type { Submission } from './submissions.js';

/** Runs one part of the grading as a named step (a Playwright test.step when grading runs as tests). */
export type Step = <T>(title: string, body: () => Promise<T>) => Promise<T>;
const plainStep: Step = (_title, body) => body();

/** The titles of the steps before the rubric's own (one per criterion). */
export const STEPS = { build: 'build the module in the sandbox', guest: 'a clean guest with the module' } as const;

export interface GradeEnvironment {
  readonly loaded: LoadedAssignment;
  readonly image: GuestImage;
  /** The guest kernel's headers, prepared once per batch. */
  readonly headers: KernelHeaders;
  /** Scratch space for this batch; the submission gets a folder of its own inside. */
  readonly workDir: string;
  /** out/feedback: the submission's diagrams go to <feedbackDir>/<student>/. */
  readonly feedbackDir: string;
  readonly key: string;
  readonly step?: Step;
  /** The submission's build, when the batch started it ahead of time; by default built here. */
  readonly build?: Promise<ModuleBuild>;
  readonly qemu?: string;
}

const BUILD_TIMEOUT_MS = 120_000;
const BOOT_ATTEMPTS = 2;
/** How long a check interrupted by a fault gets to give its own reading of it. */
const OWN_READING_MS = 200;

/** Where a submission's scratch files go (its build among them); gradeSubmission removes it when done. */
function scratchDir(submission: Submission, env: Pick<GradeEnvironment, 'workDir'>): string {
  return path.join(env.workDir, submission.student);
}

/** Builds the submission's module in the sandbox: never runs anything of the student's on the host. */
export function buildSubmission(submission: Submission, env: Pick<GradeEnvironment, 'workDir' | 'headers' | 'loaded'>): Promise<ModuleBuild> {
  const workDir = path.join(scratchDir(submission, env), 'build');
  return buildModule(submission.dir, { moduleName: env.loaded.assignment.moduleName, workDir, timeoutMs: BUILD_TIMEOUT_MS, headers: env.headers });
}

export async function gradeSubmission(submission: Submission, env: GradeEnvironment): Promise<SubmissionResult> {
  const started = performance.now();
  const { assignment } = env.loaded;
  const work = scratchDir(submission, env);
  const diagramsDir = path.join(env.feedbackDir, submission.student);
  const scrub = hostPathScrubber({ [submission.dir]: 'submission', [work]: '<scratch>', [env.feedbackDir]: '<feedback>' });
  await rm(diagramsDir, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const timings = { buildMs: 0, bootMs: 0, rubricMs: 0 };
  const result = (fields: Omit<SubmissionResult, 'student' | 'assignment' | 'max' | 'timings' | 'key' | 'gradedAt'>): SubmissionResult => ({
    student: submission.student,
    assignment: assignment.name,
    max: maxPoints(assignment),
    ...fields,
    timings: { ...timings, totalMs: performance.now() - started },
    key: env.key,
    gradedAt: new Date().toISOString(),
  });

  const guest = { machine: assignment.machine, image: env.image, ...(env.qemu ? { qemu: env.qemu } : {}) };
  // The clean guest is restored beside the build: they meet only when the module is copied in.
  let restoring: Promise<QemuTarget> | undefined = GradingSession.restore(guest);
  restoring.catch(() => {}); // met by the first boot attempt
  try {
    const step = env.step ?? plainStep;
    const build = await step(STEPS.build, () => env.build ?? buildSubmission(submission, env));
    timings.buildMs = build.ms;
    if (!build.ok || !build.module) {
      const errors = scrub(build.errors.trim() || 'the build failed without a compiler error (see the statement for what to hand in)');
      const criteria = assignment.criteria.map((c) => notChecked(c, 'not checked: the module did not build (see the compiler errors above)'));
      return result({ status: 'graded', score: 0, criteria, ended: 'the module did not build', build: { ok: false, errors } });
    }

    const bootStarted = performance.now();
    const session = await step(STEPS.guest, () => bootWithRetry(() => {
      const restored = restoring;
      restoring = undefined;
      return GradingSession.start({ ...guest, moduleName: assignment.moduleName, moduleFile: build.module! }, restored);
    }));
    timings.bootMs = performance.now() - bootStarted;
    const rubricStarted = performance.now();
    try {
      const { criteria, ended } = await runCriteria(session, env.loaded, diagramsDir, scrub, step);
      timings.rubricMs = performance.now() - rubricStarted;
      const score = criteria.reduce((sum, c) => sum + c.earned, 0);
      return result({ status: 'graded', score, criteria, ended, build: { ok: true } });
    } finally {
      await session.close();
    }
  } catch (error) {
    if (error instanceof GradingInfrastructureError || error instanceof TargetStartError) {
      return result({ status: 'error', score: 0, criteria: [], build: { ok: true }, error: scrub((error as Error).message) });
    }
    throw error;
  } finally {
    // A guest restored for a submission that never got to it (its build failed).
    await restoring?.then((target) => target.close(), () => {});
    await rm(work, { recursive: true, force: true });
  }
}

/** The harness failed while grading (not the student's module): reported to the teacher, never cached as a grade. */
export class GradingInfrastructureError extends Error {
  override name = 'GradingInfrastructureError';
}

async function bootWithRetry(boot: () => Promise<GradingSession>): Promise<GradingSession> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await boot();
    } catch (error) {
      if (!(error instanceof TargetStartError) || attempt >= BOOT_ATTEMPTS) throw error;
    }
  }
}

async function runCriteria(
  session: GradingSession,
  loaded: LoadedAssignment,
  diagramsDir: string,
  scrub: Scrub,
  step: Step,
): Promise<{ criteria: CriterionResult[]; ended?: string }> {
  const { assignment } = loaded;
  const state = assignment.initialState();
  const results: CriterionResult[] = [];
  const passed = new Set<string>();
  let ended: string | undefined;
  const limit = setTimeout(() => session.end(`the time limit of ${assignment.timeLimitMs / 1000} s for one submission was reached`), assignment.timeLimitMs);
  try {
    for (const criterion of assignment.criteria) {
      const started = performance.now();
      if (ended !== undefined) {
        results.push(notChecked(criterion, `not checked: grading stopped earlier (${ended})`));
        continue;
      }
      const missing = (criterion.requires ?? []).filter((id) => !passed.has(id));
      if (missing.length) {
        const names = missing.map((id) => `"${assignment.criteria.find((c) => c.id === id)!.name}"`).join(', ');
        results.push(notChecked(criterion, `not checked: it needs ${names}, which did not pass`));
        continue;
      }
      const verdict = await step(`${criterion.name} (${criterion.points} points)`, async (): Promise<Verdict> => {
        const checking = criterion.check(session, state);
        try {
          const verdict = await session.guard(checking);
          const reason = session.endReason();
          if (reason !== undefined) throw new SubmissionEnded(reason);
          return verdict;
        } catch (caught) {
          const error = await ownReading(checking, caught);
          const reason = error instanceof SubmissionEnded ? error.reason : session.endReason();
          if (reason !== undefined) {
            ended = scrub(reason);
            const trace = scrub(await session.faultExcerpt());
            return { passed: false, expected: criterion.name, observed: ended, ...(trace ? { note: `Kernel messages:\n${trace}` } : {}) };
          } else if (error instanceof ShellError) {
            const first = error.message.split('\n')[0]!;
            if (/did not recover|console closed/.test(first)) ended = scrub(`the guest stopped answering: ${first}`);
            return { passed: false, expected: criterion.name, observed: `the guest did not answer in time: ${first}` };
          } else {
            throw new GradingInfrastructureError(`${criterion.id}: ${(error as Error).message}`);
          }
        }
      });
      if (verdict.passed) passed.add(criterion.id);
      results.push({
        id: criterion.id,
        name: criterion.name,
        points: criterion.points,
        earned: verdict.passed ? criterion.points : 0,
        passed: verdict.passed,
        expected: scrub(verdict.expected),
        observed: scrub(verdict.observed),
        ...(verdict.note ? { note: scrub(verdict.note) } : {}),
        diagrams: await saveDiagrams(criterion.id, verdict, diagramsDir),
        ms: performance.now() - started,
      });
    }
  } finally {
    clearTimeout(limit);
  }
  return ended === undefined ? { criteria: results } : { criteria: results, ended };
}

/**
 * A check cut short by a fault may explain it in its own terms (what it was doing when the kernel crashed) a moment
 * later, when its own guarded step rejects: prefer that to the bare fault.
 */
async function ownReading(checking: Promise<Verdict>, caught: unknown): Promise<unknown> {
  if (!(caught instanceof SubmissionEnded)) return caught;
  const settled = await Promise.race([checking.then(() => undefined, (e: unknown) => e), new Promise((r) => setTimeout(r, OWN_READING_MS))]);
  return settled instanceof SubmissionEnded ? settled : caught;
}

async function saveDiagrams(id: string, verdict: Verdict, dir: string): Promise<CriterionResult['diagrams']> {
  const saved = [];
  for (const [index, evidence] of (verdict.evidence ?? []).entries()) {
    const file = `${id}-${index + 1}.svg`;
    await mkdir(dir, { recursive: true });
    const { predicted, markers, title } = evidence;
    await writeFile(path.join(dir, file), waveformSvg(evidence.observed, { title, width: 900, ...(predicted ? { predicted } : {}), ...(markers ? { markers } : {}) }));
    saved.push({ title, file });
  }
  return saved;
}

function notChecked(criterion: Criterion<unknown>, why: string): CriterionResult {
  return { id: criterion.id, name: criterion.name, points: criterion.points, earned: 0, passed: false, expected: criterion.name, observed: why, diagrams: [], ms: 0 };
}
