/**
 * `pinrig grade`: a class graded by the Playwright runner (each submission a test: fixtures/grading.ts), then the
 * class's files written from the tests' results: grades.csv, the runner's JUnit, the class page and the exports
 * (feedback pages are written by each test). A class spread over machines is graded in slices (`shard: 'i/n'`) and
 * joined by mergeClass, which merges the slices' blob reports as `playwright merge-reports` does for the nightly.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import { ensureGuestImage } from '../guest/image.js';
import { REPO_ROOT } from '../repo-root.js';
import { loadAssignment, type LoadedAssignment } from './assignments.js';
import { writeClassOutputs } from './class-outputs.js';
import { harnessVersion } from './cache.js';
import { gradingRunEnv } from './grading-run.js';
import { ensureBuildToolchain } from './kbuild.js';
import type { GradingEvent } from './progress.js';
import { writeReports } from './reports.js';
import { harnessError, type SubmissionResult } from './results.js';
import { maxPoints } from './rubric.js';
import { findSubmissions, type RefusedFolder, type Submission } from './submissions.js';

const PLAYWRIGHT = path.join(REPO_ROOT, 'node_modules', 'playwright', 'cli.js');
const RESULT_ATTACHMENT = 'grade.json';
export const MAX_WORKERS = 16;

export interface ClassOptions {
  readonly submissionsDir: string;
  readonly assignment: string;
  readonly outDir: string;
  readonly workers: number;
  readonly force: boolean;
  /** 'i/n': grade only the i-th of n slices of the class (one machine's share); mergeClass joins the slices. */
  readonly shard?: string;
  /** Similarity (0–1) at or above which a pair is flagged in the similarity report; it never changes a grade. */
  readonly similarityThreshold?: number;
  readonly onEvent?: (event: GradingEvent) => void;
}

export interface ClassOutcome {
  readonly assignment: string;
  readonly max: number;
  /** In the order of the submissions folder (a slice's own, for a shard). */
  readonly results: readonly SubmissionResult[];
  readonly cached: ReadonlySet<string>;
  /** Folders that could not be graded (an unsafe name, a symbolic link), with the reason. */
  readonly refused: readonly RefusedFolder[];
  readonly files: { readonly csv: string; readonly junit: string; readonly feedbackDir: string; readonly classPage: string };
  readonly ms: number;
}

export async function gradeClass(options: ClassOptions): Promise<ClassOutcome> {
  const started = performance.now();
  if (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > MAX_WORKERS) {
    throw new InputError('--workers', `must be a whole number from 1 to ${MAX_WORKERS}, got ${options.workers}`);
  }
  const shard = options.shard === undefined ? undefined : checkShard(options.shard);
  checkThreshold(options.similarityThreshold);
  const emit = options.onEvent ?? (() => {});
  const loaded = await loadAssignment(options.assignment);
  const submissionsDir = path.resolve(options.submissionsDir);
  const found = await findSubmissions(submissionsDir);
  const outDir = path.resolve(options.outDir);
  await mkdir(outDir, { recursive: true });

  // Made once here rather than by every worker at once.
  emit({ kind: 'preparing', what: 'guest image and kernel headers' });
  await ensureGuestImage({ progress: (what) => emit({ kind: 'preparing', what }) });
  await ensureBuildToolchain({ progress: (what) => emit({ kind: 'preparing', what }) });

  const runDir = path.join(outDir, 'run');
  await rm(runDir, { recursive: true, force: true });
  const args = ['test', '--project=grading', `--workers=${options.workers}`, ...(shard ? [`--shard=${shard}`] : [])];
  // The runner's own output (its reporters' notes) goes to stderr: stdout is the summary alone.
  const runner = spawn(process.execPath, [PLAYWRIGHT, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, ...gradingRunEnv({ submissionsDir, assignment: options.assignment, outDir, force: options.force, harness: await harnessVersion() }), PINRIG_REPORTS: runDir },
  });
  const [code, signal] = (await once(runner, 'exit')) as [number | null, NodeJS.Signals | null];
  if (signal) throw new Error(`the grading run was ended by ${signal}; what was graded so far is in ${outDir}/.cache and is reused next time`);
  return writeClass({ loaded, ...found, outDir, runDir, started, runnerExit: code, similarityThreshold: options.similarityThreshold });
}

/**
 * Joins slices graded on several machines (`--shard i/n`, each into its own folder) into one set of outputs, as if
 * the class had been graded at once: their blob reports merged by `playwright merge-reports`, their feedback and
 * cached results copied.
 */
export async function mergeClass(options: { submissionsDir: string; assignment: string; outDir: string; slices: readonly string[]; similarityThreshold?: number }): Promise<ClassOutcome> {
  const started = performance.now();
  checkThreshold(options.similarityThreshold);
  if (options.slices.length === 0) throw new InputError('grade merge', 'name the folders of the graded slices (their --out)');
  const loaded = await loadAssignment(options.assignment);
  const found = await findSubmissions(path.resolve(options.submissionsDir));
  const outDir = path.resolve(options.outDir);
  const runDir = path.join(outDir, 'run');
  const blobs = await mkdtemp(path.join(os.tmpdir(), 'pinrig-grade-blobs-'));
  try {
    for (const [i, slice] of options.slices.entries()) {
      const blobDir = path.join(path.resolve(slice), 'run', 'blob-report');
      const zips = (await readdir(blobDir).catch(() => [] as string[])).filter((f) => f.endsWith('.zip'));
      if (zips.length === 0) throw new InputError(slice, `no blob report in ${blobDir}: is it the --out of a \`pinrig grade --shard\` run?`);
      for (const zip of zips) await copyFile(path.join(blobDir, zip), path.join(blobs, `slice-${i + 1}-${zip}`));
      for (const part of ['feedback', '.cache']) {
        await cp(path.join(path.resolve(slice), part), path.join(outDir, part), { recursive: true, force: true }).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
      }
    }
    await rm(runDir, { recursive: true, force: true });
    const merge = spawn(process.execPath, [PLAYWRIGHT, 'merge-reports', '--reporter=json,junit,html', blobs], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 2, 2],
      env: {
        ...process.env,
        PINRIG_REPORTS: path.join(blobs, 'merge'),
        PLAYWRIGHT_JSON_OUTPUT_FILE: path.join(runDir, 'results.json'),
        PLAYWRIGHT_JUNIT_OUTPUT_FILE: path.join(runDir, 'junit.xml'),
        PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(runDir, 'html'),
        PLAYWRIGHT_HTML_OPEN: 'never',
      },
    });
    const [code] = (await once(merge, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`playwright merge-reports failed (exit ${code}) on the slices' blob reports`);
  } finally {
    await rm(blobs, { recursive: true, force: true });
  }
  return writeClass({ loaded, ...found, outDir, runDir, started, runnerExit: 0, similarityThreshold: options.similarityThreshold });
}

/** The class's files from a run's results.json (each test's result attachment). */
async function writeClass(ctx: {
  loaded: LoadedAssignment; submissions: readonly Submission[]; refused: readonly RefusedFolder[];
  outDir: string; runDir: string; started: number; runnerExit: number | null; similarityThreshold: number | undefined;
}): Promise<ClassOutcome> {
  const { loaded, outDir, runDir } = ctx;
  const report = await readFile(path.join(runDir, 'results.json'), 'utf8').then((t) => JSON.parse(t) as JsonReport, () => {
    throw new Error(`the grading run (exit ${ctx.runnerExit}) left no report at ${path.join(runDir, 'results.json')}; its output above says why`);
  });
  const max = maxPoints(loaded.assignment);
  const ran = testsByTitle(report);
  const cached = new Set<string>();
  const results: SubmissionResult[] = [];
  for (const submission of ctx.submissions) {
    const test = ran.get(submission.student);
    if (!test) continue; // another slice's
    // The last attempt that produced a result. Grading runs no retries, but a run started by hand may: a retry stops
    // at once unless the failure was the harness's (fixtures/retry-only-infrastructure.ts), and then carries no result.
    const last = test.results.at(-1);
    const graded = test.results.findLast((r) => r.attachments?.some((a) => a.name === RESULT_ATTACHMENT));
    const body = graded?.attachments?.find((a) => a.name === RESULT_ATTACHMENT)?.body;
    if (body) {
      results.push(JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as SubmissionResult);
      if ([...(test.annotations ?? []), ...(graded?.annotations ?? [])].some((a) => a.type === 'cached')) cached.add(submission.student);
    } else {
      const why = last?.error?.message?.split('\n')[0] ?? `the test ${last?.status ?? 'did not run'}`;
      results.push(harnessError({ student: submission.student, assignment: loaded.assignment.name, max, key: '', error: `the grading run ended before this submission had a result: ${why}` }));
    }
  }
  const feedbackDir = path.join(outDir, 'feedback');
  await mkdir(feedbackDir, { recursive: true });
  const { csv } = await writeReports(results, loaded.assignment, outDir);
  const junit = path.join(outDir, 'junit.xml');
  await copyFile(path.join(runDir, 'junit.xml'), junit);
  const { classPage } = await writeClassOutputs({
    results, assignment: loaded.assignment, max, submissions: ctx.submissions, refused: ctx.refused, outDir, feedbackDir,
    ...(ctx.similarityThreshold === undefined ? {} : { similarityThreshold: ctx.similarityThreshold }),
  });
  return { assignment: loaded.assignment.name, max, results, cached, refused: ctx.refused, files: { csv, junit, feedbackDir, classPage }, ms: performance.now() - ctx.started };
}

interface JsonTest {
  annotations?: Array<{ type: string }>;
  results: Array<{ status?: string; error?: { message?: string }; annotations?: Array<{ type: string }>; attachments?: Array<{ name: string; body?: string }> }>;
}
interface JsonSuite { specs?: Array<{ title: string; tests: JsonTest[] }>; suites?: JsonSuite[] }
interface JsonReport { suites: JsonSuite[] }

function testsByTitle(report: JsonReport): Map<string, JsonTest> {
  const tests = new Map<string, JsonTest>();
  const walk = (suite: JsonSuite) => {
    for (const spec of suite.specs ?? []) for (const test of spec.tests) tests.set(spec.title, test);
    for (const child of suite.suites ?? []) walk(child);
  };
  report.suites.forEach(walk);
  return tests;
}

function checkShard(shard: string): string {
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new InputError('--shard', `must be i/n with 1 ≤ i ≤ n (this machine's slice of n), got ${JSON.stringify(shard)}`);
  return shard;
}

function checkThreshold(threshold: number | undefined): void {
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) {
    throw new InputError('--similarity-threshold', `must be a number above 0 and at most 1 (a share of matching code), got ${threshold}`);
  }
}
