/**
 * PrairieLearn's external-grader results.json for one submission: score as a fraction of the maximum, a test per
 * criterion with its timing diagrams (the SVG of the feedback page, as data URIs), and `gradable: false` for a module
 * that did not compile, so the student loses no attempt and sees the compiler's errors. The whole file stays under
 * PrairieLearn's 1 MB: diagrams that would not fit are left out, and the message says so. A harness error has no
 * results.json (PrairieLearn then reports the grading job as failed, not a grade).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SubmissionResult } from '../results.js';
import { headline } from '../reports.js';
import { PRAIRIELEARN_MAX_BYTES, prairielearnResults, type PrairieLearnResults } from './formats.js';
import { bounded, criterionText } from './text.js';

const OUTPUT_CHARS = 20_000;
/** Room kept for the JSON around the images and its escaping. */
const MARGIN_BYTES = 20_000;

export async function prairielearnResultsOf(result: SubmissionResult, feedbackDir: string): Promise<PrairieLearnResults | undefined> {
  if (result.status === 'error') return undefined;
  if (!result.build.ok) {
    return prairielearnResults.parse({
      gradable: false,
      message: 'The module did not compile; this submission was not graded and costs no attempt.',
      format_errors: [bounded(result.build.errors || 'the build failed without a message', OUTPUT_CHARS)],
    });
  }
  const tests = result.criteria.map((c) => ({
    name: c.name, description: `Expected: ${c.expected}`, points: c.earned, max_points: c.points,
    message: c.passed ? 'Passed.' : `Observed: ${c.observed}`, output: bounded(criterionText(c), OUTPUT_CHARS),
    images: [] as Array<{ label: string; url: string }>,
  }));
  const base = { gradable: true, score: result.max > 0 ? result.score / result.max : 0, message: bounded(headline(result), 2000), tests };
  let budget = PRAIRIELEARN_MAX_BYTES - MARGIN_BYTES - Buffer.byteLength(JSON.stringify(base));
  let left = 0;
  result.criteria.forEach((c, i) => c.diagrams.forEach((d) => tests[i]!.images.push({ label: d.title, url: d.file })));
  for (const test of tests) {
    const kept: typeof test.images = [];
    for (const image of test.images) {
      const svg = await readFile(path.join(feedbackDir, result.student, image.url));
      const url = `data:image/svg+xml;base64,${svg.toString('base64')}`;
      const cost = url.length + image.label.length + 32;
      if (cost > budget) left += 1;
      else {
        kept.push({ label: image.label, url });
        budget -= cost;
      }
    }
    test.images = kept;
  }
  const message = left ? `${base.message} (${left} timing diagram${left === 1 ? '' : 's'} left out to keep the result under 1 MB: see the feedback page)` : base.message;
  const json = prairielearnResults.parse({ ...base, message, tests: tests.map((t) => (t.images.length ? t : { ...t, images: undefined })) });
  const bytes = Buffer.byteLength(JSON.stringify(json));
  if (bytes > PRAIRIELEARN_MAX_BYTES) throw new Error(`PrairieLearn results for ${result.student} would be ${bytes} bytes, over PrairieLearn's 1 MB`);
  return json;
}

/** <dir>/<student>/results.json per submission that was graded or did not build; returns the files written. */
export async function writePrairielearnResults(results: readonly SubmissionResult[], feedbackDir: string, dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const result of results) {
    const json = await prairielearnResultsOf(result, feedbackDir);
    const file = path.join(dir, result.student, 'results.json');
    if (!json) {
      await rm(file, { force: true }); // an earlier run's file must not stand for this one
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(json) + '\n');
    written.push(file);
  }
  return written;
}
