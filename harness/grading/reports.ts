/**
 * The class's outputs for the teacher: grades.csv (student, score, max, one column per criterion) and the summary the
 * CLI prints (JUnit comes from the runner: a testcase per submission).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SubmissionResult } from './results.js';
import type { RefusedFolder } from './submissions.js';
import type { Assignment } from './rubric.js';

export function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function gradesCsv(results: readonly SubmissionResult[], assignment: Assignment<unknown>): string {
  const header = ['student', 'score', 'max', ...assignment.criteria.map((c) => `${c.name} (${c.points})`)];
  const rows = results.map((r) => {
    // A harness error has no grade: empty cells, never a zero the student did not earn.
    if (r.status === 'error') return [r.student, '', r.max, ...assignment.criteria.map(() => '')];
    return [r.student, r.score, r.max, ...assignment.criteria.map((c) => r.criteria.find((x) => x.id === c.id)?.earned ?? 0)];
  });
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}


export async function writeReports(results: readonly SubmissionResult[], assignment: Assignment<unknown>, outDir: string): Promise<{ csv: string }> {
  const csv = path.join(outDir, 'grades.csv');
  await writeFile(csv, gradesCsv(results, assignment));
  return { csv };
}

/** The first reason a submission lost points, in one line. */
export function headline(result: SubmissionResult): string {
  if (result.status === 'error') return `harness error: ${result.error ?? ''}`;
  if (!result.build.ok) return `did not build: ${buildReason(result.build.errors ?? '')}`;
  if (result.ended) return `stopped: ${result.ended}`;
  const lost = result.criteria.find((c) => !c.passed);
  return lost ? `${lost.name}: ${lost.observed}` : 'full marks';
}

/** The compiler's first error line, else the build log's last line (pinrig's own reason: no .c file, too large...). */
function buildReason(log: string): string {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\berror\b/i.test(l)) ?? lines.at(-1) ?? 'the build failed without a message';
}

export function summaryText(outcome: { assignment: string; max: number; results: readonly SubmissionResult[]; cached: ReadonlySet<string>; refused: readonly RefusedFolder[]; ms: number; files: { csv: string; junit: string; feedbackDir: string; classPage?: string } }): string {
  const { results } = outcome;
  const graded = results.filter((r) => r.status === 'graded');
  const errors = results.length - graded.length;
  const width = Math.max(7, ...results.map((r) => r.student.length));
  const lines = results.map((r) => {
    const score = r.status === 'error' ? '  error' : `${String(r.score).padStart(3)}/${r.max}`;
    const from = outcome.cached.has(r.student) ? ' (cached)' : '';
    const why = headline(r).split('\n')[0]!;
    return `${r.student.padEnd(width)}  ${score}${from.padEnd(9)}  ${why.length > 110 ? `${why.slice(0, 109)}…` : why}`;
  });
  const scores = graded.map((r) => r.score).sort((a, b) => a - b);
  const median = scores.length ? (scores.length % 2 ? scores[scores.length >> 1]! : (scores[scores.length / 2 - 1]! + scores[scores.length / 2]!) / 2) : 0;
  return [
    `pinrig grade ${outcome.assignment}: ${results.length} submissions, ${results.length - outcome.cached.size - errors} graded now, ${outcome.cached.size} unchanged (cached), ${errors} harness errors, in ${(outcome.ms / 1000).toFixed(1)} s`,
    '',
    ...lines,
    ...(outcome.refused.length ? ['', `not graded (${outcome.refused.length} folder${outcome.refused.length === 1 ? '' : 's'}: rename or copy them, then grade again):`] : []),
    ...outcome.refused.map((r) => `  ${JSON.stringify(r.folder)} ${r.reason}`),
    '',
    graded.length ? `median ${median}/${outcome.max}; full marks ${graded.filter((r) => r.score === r.max).length}; zero ${graded.filter((r) => r.score === 0).length}` : 'no grades',
    `grades: ${outcome.files.csv}`,
    `junit:  ${outcome.files.junit}`,
    `feedback: ${outcome.files.feedbackDir}/<student>.md and .html`,
    ...(outcome.files.classPage ? [`class page: ${outcome.files.classPage} (score distribution, pass rates, similarity, Gradescope/PrairieLearn/Canvas/Moodle exports)`] : []),
  ].join('\n');
}
