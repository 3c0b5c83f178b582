/**
 * Everything written for the class once every submission has its result: the platform exports (Gradescope and
 * PrairieLearn per submission, one Canvas and one Moodle CSV), the similarity report and the class page linking
 * them. The similarity check is advisory: when it fails, the class page says why and every grade is still written.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { classPageHtml, type ClassPageLinks } from './class-page.js';
import { writeGradescopeResults } from './exports/gradescope.js';
import { writeLmsCsv } from './exports/lms-csv.js';
import { writePrairielearnResults } from './exports/prairielearn.js';
import type { SubmissionResult } from './results.js';
import type { Assignment } from './rubric.js';
import { compareSubmissions, type SimilarityReport } from './similarity.js';
import { similarityHtml } from './similarity-page.js';
import type { RefusedFolder, Submission } from './submissions.js';

export interface ClassOutputs {
  readonly classPage: string;
  readonly gradescopeDir: string;
  readonly prairielearnDir: string;
  readonly canvasCsv: string;
  readonly moodleCsv: string;
  /** similarity.html and .json, or why there is no report. */
  readonly similarity: { readonly html: string; readonly json: string; readonly report: SimilarityReport } | { readonly error: string };
}

export async function writeClassOutputs(options: {
  readonly results: readonly SubmissionResult[];
  readonly assignment: Assignment<unknown>;
  readonly max: number;
  readonly submissions: readonly Submission[];
  readonly refused: readonly RefusedFolder[];
  readonly outDir: string;
  readonly feedbackDir: string;
  readonly similarityThreshold?: number;
}): Promise<ClassOutputs> {
  const { results, assignment, max, outDir } = options;
  const gradescopeDir = path.join(outDir, 'gradescope');
  const prairielearnDir = path.join(outDir, 'prairielearn');
  await writeGradescopeResults(results, gradescopeDir);
  await writePrairielearnResults(results, options.feedbackDir, prairielearnDir);
  const lms = await writeLmsCsv([{ assignment: assignment.name, max, results }], path.join(outDir, 'lms'));

  let similarity: ClassOutputs['similarity'];
  try {
    const report = await compareSubmissions(options.submissions, options.similarityThreshold === undefined ? {} : { threshold: options.similarityThreshold });
    const html = path.join(outDir, 'similarity.html');
    const json = path.join(outDir, 'similarity.json');
    await writeFile(html, similarityHtml(report, assignment.name));
    await writeFile(json, JSON.stringify(report, null, 2) + '\n');
    similarity = { html, json, report };
  } catch (error) {
    similarity = { error: `the similarity check failed: ${error instanceof Error ? error.message : String(error)}` };
  }

  const links: ClassPageLinks = {
    similarity: 'error' in similarity ? similarity : { href: 'similarity.html', flagged: similarity.report.flagged, compared: similarity.report.compared.length },
    files: [
      { label: 'grades.csv', href: 'grades.csv' },
      { label: 'junit.xml', href: 'junit.xml' },
      { label: 'Canvas CSV', href: 'lms/canvas.csv' },
      { label: 'Moodle CSV', href: 'lms/moodle.csv' },
    ],
  };
  const classPage = path.join(outDir, 'index.html');
  await writeFile(classPage, classPageHtml(results, assignment, max, options.refused, links));
  return { classPage, gradescopeDir, prairielearnDir, canvasCsv: lms.canvas, moodleCsv: lms.moodle, similarity };
}
