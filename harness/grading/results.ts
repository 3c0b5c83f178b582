/**
 * What grading one submission produced: kept in the cache as JSON and turned into the CSV, JUnit and feedback pages.
 */

export interface CriterionResult {
  readonly id: string;
  readonly name: string;
  readonly points: number;
  readonly earned: number;
  readonly passed: boolean;
  readonly expected: string;
  readonly observed: string;
  readonly note?: string;
  /** Timing diagrams, as file names relative to the student's feedback folder. */
  readonly diagrams: ReadonlyArray<{ readonly title: string; readonly file: string }>;
  readonly ms: number;
}

export interface Timings {
  readonly buildMs: number;
  readonly bootMs: number;
  readonly rubricMs: number;
  readonly totalMs: number;
}

export interface SubmissionResult {
  readonly student: string;
  readonly assignment: string;
  /** 'error': the harness failed (not the student's doing); no grade is given and nothing is cached. */
  readonly status: 'graded' | 'error';
  readonly score: number;
  readonly max: number;
  readonly criteria: readonly CriterionResult[];
  /** Why grading stopped early (a kernel oops, a hung insmod, a console flood...), in the student's terms. */
  readonly ended?: string;
  readonly build: { readonly ok: boolean; readonly errors?: string };
  /** The infrastructure failure, for the teacher, when status is 'error'. */
  readonly error?: string;
  readonly timings: Timings;
  /** The cache key the result was graded under (submission, rubric, harness). */
  readonly key: string;
  readonly gradedAt: string;
}

/** A submission the harness could not grade (not the student's doing): no grade, the reason for the teacher. */
export function harnessError(fields: { student: string; assignment: string; max: number; key: string; error: string }): SubmissionResult {
  return {
    ...fields, status: 'error', score: 0, criteria: [], build: { ok: false },
    timings: { buildMs: 0, bootMs: 0, rubricMs: 0, totalMs: 0 }, gradedAt: new Date().toISOString(),
  };
}
