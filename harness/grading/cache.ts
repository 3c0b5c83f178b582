/**
 * Re-running grades only what changed: a result is reused while its key matches, the key being a hash of the
 * submission's .c/.h files, the rubric, the grading harness's own code and the guest image. Results live in the
 * output folder (.cache/<student>.json), beside the feedback they produced.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SubmissionResult } from './results.js';
import { REPO_ROOT } from '../repo-root.js';

const HARNESS_DIR = path.join(REPO_ROOT, 'harness');
const PACKAGE_JSON = path.resolve(HARNESS_DIR, '../package.json');

/** pinrig's version and a hash of the grading code: a fix to the grader regrades everyone. */
export async function harnessVersion(): Promise<string> {
  const { version } = JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string };
  const hash = createHash('sha256');
  // Every harness source counts: a verdict depends on the measurements, models, targets and links as much as on the
  // grader itself, so a fix anywhere regrades everyone.
  const files = (await readdir(HARNESS_DIR, { recursive: true })).filter((f) => f.endsWith('.ts')).sort();
  for (const file of files) hash.update(`${file}\0`).update(await readFile(path.join(HARNESS_DIR, file)));
  return `${version}+${hash.digest('hex').slice(0, 12)}`;
}

export function gradingKey(parts: { assignment: string; sources: string; rubric: string; harness: string; image: string }): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export class ResultCache {
  private readonly dir: string;

  constructor(private readonly outDir: string) {
    this.dir = path.join(outDir, '.cache');
  }

  /** The stored result if it was graded under `key` and its feedback files are still there. */
  async get(student: string, key: string): Promise<SubmissionResult | undefined> {
    try {
      const result = JSON.parse(await readFile(this.file(student), 'utf8')) as SubmissionResult;
      if (result.key !== key || result.status !== 'graded') return undefined;
      const diagrams = result.criteria.flatMap((c) => c.diagrams.map((d) => path.join(this.outDir, 'feedback', student, d.file)));
      await Promise.all(diagrams.map((file) => access(file)));
      return result;
    } catch {
      return undefined;
    }
  }

  /** Only grades are kept: a harness failure is tried again next time. */
  async put(result: SubmissionResult): Promise<void> {
    if (result.status !== 'graded') return;
    await mkdir(this.dir, { recursive: true });
    const partial = `${this.file(result.student)}.partial`;
    await writeFile(partial, JSON.stringify(result, null, 2));
    await rename(partial, this.file(result.student));
  }

  private file(student: string): string {
    return path.join(this.dir, `${student}.json`);
  }
}
