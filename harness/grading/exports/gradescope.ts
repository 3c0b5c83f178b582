/**
 * Gradescope's results.json for one submission: a test per rubric criterion with its points, status and what was
 * expected and observed; the compiler's errors or why grading stopped as the submission's output. A harness error
 * has no results.json: Gradescope then shows the run as failed, for the teacher to run again, instead of a zero.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SubmissionResult } from '../results.js';
import { headline } from '../reports.js';
import { gradescopeResults, type GradescopeResults } from './formats.js';
import { bounded, criterionText } from './text.js';

/** Per field: Gradescope shows outputs in a collapsed <pre>; a flood of kernel messages need not reach it whole. */
const OUTPUT_CHARS = 20_000;

export function gradescopeResultsOf(result: SubmissionResult): GradescopeResults | undefined {
  if (result.status === 'error') return undefined;
  const output = [
    `Score: ${result.score} / ${result.max}. ${headline(result)}`,
    ...(!result.build.ok && result.build.errors ? ['', 'The module did not compile. The compiler said:', result.build.errors] : []),
    ...(result.ended && result.build.ok ? ['', `Grading stopped early: ${result.ended}.`] : []),
  ].join('\n');
  const results = {
    score: result.score,
    execution_time: Math.round(result.timings.totalMs / 1000),
    output: bounded(output, OUTPUT_CHARS),
    output_format: 'text' as const,
    tests: result.criteria.map((c, i) => ({
      name: c.name,
      number: String(i + 1),
      score: c.earned,
      max_score: c.points,
      status: c.passed ? ('passed' as const) : ('failed' as const),
      output: bounded(criterionText(c), OUTPUT_CHARS),
      output_format: 'text' as const,
    })),
    extra_data: { pinrig: { assignment: result.assignment, student: result.student, gradedAt: result.gradedAt, key: result.key } },
  };
  return gradescopeResults.parse(results);
}

/** <dir>/<student>/results.json per graded submission; returns the files written. */
export async function writeGradescopeResults(results: readonly SubmissionResult[], dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const result of results) {
    const json = gradescopeResultsOf(result);
    const file = path.join(dir, result.student, 'results.json');
    if (!json) {
      await rm(file, { force: true }); // an earlier run's file must not stand for this one
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(json, null, 2) + '\n');
    written.push(file);
  }
  return written;
}
