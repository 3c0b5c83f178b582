/**
 * Grades a folder of submissions: each one in parallel across workers (one guest per worker, a core each), skipping
 * those whose cached result still matches (sources, rubric, harness, guest image) unless forced, then writes the
 * grades, the JUnit XML and one feedback page per student into the output folder.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import { ensureGuestImage } from '../guest/image.js';
import { loadAssignment } from './assignments.js';
import { gradingKey, harnessVersion, ResultCache } from './cache.js';
import { writeFeedback } from './feedback.js';
import { buildSubmission, gradeSubmission, type Phase } from './grade-submission.js';
import { ensureBuildToolchain, type ModuleBuild } from './kbuild.js';
import { writeClassOutputs } from './class-outputs.js';
import { writeReports } from './reports.js';
import type { SubmissionResult } from './results.js';
import { maxPoints } from './rubric.js';
import { hostPathScrubber } from './scrub.js';
import { findSubmissions, sourceHash, type RefusedFolder, type Submission } from './submissions.js';

export interface BatchOptions {
  readonly submissionsDir: string;
  readonly assignment: string;
  readonly outDir: string;
  readonly workers: number;
  readonly force: boolean;
  readonly onEvent?: (event: BatchEvent) => void;
  /** Another QEMU binary, as for the scenarios (PINRIG_QEMU). */
  readonly qemu?: string;
  /** Similarity (0–1) at or above which a pair is flagged in the similarity report; it never changes a grade. */
  readonly similarityThreshold?: number;
}

export type BatchEvent =
  | { readonly kind: 'preparing'; readonly what: string }
  | { readonly kind: 'start'; readonly total: number; readonly cached: number }
  | { readonly kind: 'phase'; readonly student: string; readonly phase: Phase }
  | { readonly kind: 'done'; readonly result: SubmissionResult; readonly cached: boolean };

export interface BatchOutcome {
  readonly assignment: string;
  readonly max: number;
  /** In the order of the submissions folder. */
  readonly results: readonly SubmissionResult[];
  readonly cached: ReadonlySet<string>;
  /** Folders that could not be graded (an unsafe name, a symbolic link), with the reason. */
  readonly refused: readonly RefusedFolder[];
  readonly files: { readonly csv: string; readonly junit: string; readonly feedbackDir: string; readonly classPage: string };
  readonly ms: number;
}

export const MAX_WORKERS = 16;

export async function gradeBatch(options: BatchOptions): Promise<BatchOutcome> {
  const started = performance.now();
  if (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > MAX_WORKERS) {
    throw new InputError('--workers', `must be a whole number from 1 to ${MAX_WORKERS}, got ${options.workers}`);
  }
  const threshold = options.similarityThreshold;
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) {
    throw new InputError('--similarity-threshold', `must be a number above 0 and at most 1 (a share of matching code), got ${threshold}`);
  }
  const emit = options.onEvent ?? (() => {});
  const loaded = await loadAssignment(options.assignment);
  const { submissions, refused } = await findSubmissions(path.resolve(options.submissionsDir));
  const outDir = path.resolve(options.outDir);
  const feedbackDir = path.join(outDir, 'feedback');
  await mkdir(feedbackDir, { recursive: true });

  emit({ kind: 'preparing', what: 'guest image and kernel headers' });
  const image = await ensureGuestImage({ progress: (what) => emit({ kind: 'preparing', what }) });
  const headers = await ensureBuildToolchain({ progress: (what) => emit({ kind: 'preparing', what }) });
  const harness = await harnessVersion();
  const cache = new ResultCache(outDir);
  const keys = new Map<string, string>();
  const results = new Map<string, SubmissionResult>();
  for (const submission of submissions) {
    const key = gradingKey({ assignment: loaded.assignment.name, sources: await sourceHash(submission), rubric: loaded.rubricHash, harness, image: image.key });
    keys.set(submission.student, key);
    const hit = options.force ? undefined : await cache.get(submission.student, key);
    if (hit) results.set(submission.student, hit);
  }
  const cached = new Set(results.keys());
  emit({ kind: 'start', total: submissions.length, cached: cached.size });
  for (const student of cached) emit({ kind: 'done', result: results.get(student)!, cached: true });

  const queue: Submission[] = submissions.filter((s) => !cached.has(s.student));
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-grade-'));
  // A worker whose guest runs its rubric (mostly waiting on timers) builds the next submission meanwhile.
  const builds = new Map<string, Promise<ModuleBuild>>();
  const buildOf = (submission: Submission): Promise<ModuleBuild> => {
    if (!builds.has(submission.student)) {
      const build = buildSubmission(submission, { workDir, headers, loaded });
      build.catch(() => {}); // awaited (and reported) by the worker that grades it
      builds.set(submission.student, build);
    }
    return builds.get(submission.student)!;
  };
  try {
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const submission = next;
        const result = await gradeSubmission(submission, {
          loaded, image, headers, workDir, feedbackDir,
          key: keys.get(submission.student)!,
          build: buildOf(submission),
          onPhase: (phase) => {
            emit({ kind: 'phase', student: submission.student, phase });
            if (phase === 'rubric' && queue[0]) buildOf(queue[0]);
          },
          ...(options.qemu ? { qemu: options.qemu } : {}),
        }).catch((error: unknown) => harnessFailure(submission, loaded.assignment.name, maxPoints(loaded.assignment), keys.get(submission.student)!, error));
        await cache.put(result);
        results.set(submission.student, result);
        emit({ kind: 'done', result, cached: false });
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.workers, queue.length) }, worker));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const ordered = submissions.map((s) => results.get(s.student)!);
  const files = await writeReports(ordered, loaded.assignment, outDir);
  for (const result of ordered) await writeFeedback(result, loaded, feedbackDir);
  const max = maxPoints(loaded.assignment);
  const { classPage } = await writeClassOutputs({ results: ordered, assignment: loaded.assignment, max, submissions, refused, outDir, feedbackDir, ...(threshold === undefined ? {} : { similarityThreshold: threshold }) });
  return { assignment: loaded.assignment.name, max, results: ordered, cached, refused, files: { ...files, feedbackDir, classPage }, ms: performance.now() - started };
}

/** A failure the harness did not foresee ends this submission as an error for the teacher, never the batch. */
function harnessFailure(submission: Submission, assignment: string, max: number, key: string, error: unknown): SubmissionResult {
  return {
    student: submission.student, assignment, status: 'error', score: 0, max, criteria: [], build: { ok: false },
    error: hostPathScrubber({ [submission.dir]: 'submission' })(`the harness failed: ${error instanceof Error ? error.message : String(error)}`),
    timings: { buildMs: 0, bootMs: 0, rubricMs: 0, totalMs: 0 }, key, gradedAt: new Date().toISOString(),
  };
}
