/**
 * The submissions folder: one subfolder per student, named by the student's id. The .c and .h files at the top of a
 * folder are the submission (what the cache hashes; the build decides which of them it takes, kbuild-sources.ts);
 * anything else (a Makefile, a binary) is ignored, and a symbolic link is never followed.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';

export interface Submission {
  /** The student's id: the folder's name. */
  readonly student: string;
  readonly dir: string;
  /** The .c/.h files, by name, sorted. */
  readonly sources: readonly string[];
  /** Names of what lies there and is not part of the submission (shown to the teacher, not graded). */
  readonly ignored: readonly string[];
}

/** Letters, digits, '.', '_' and '-', starting with a letter or digit: safe as a file name, a CSV cell and in XML. */
const STUDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SOURCE = /\.[ch]$/;

const STUDENT_ID_RULE = "is not a usable student id (letters, digits, '.', '_', '-'; at most 64; starting with a letter or digit)";

export function checkStudentId(id: string, where: string): string {
  if (!STUDENT_ID.test(id)) throw new InputError(where, `${JSON.stringify(id)} ${STUDENT_ID_RULE}`);
  return id;
}

/** A folder in the submissions folder that is not graded, and why (shown to the teacher; the others are graded). */
export interface RefusedFolder {
  /** The folder's name as it is, for display only (it may hold anything a file name can). */
  readonly folder: string;
  readonly reason: string;
}

/**
 * The submissions under `root`. A folder that cannot be a submission (an unsafe name, a symbolic link) is refused
 * with its reason and the rest are still graded; only a root with nothing gradable is an error.
 */
export async function findSubmissions(root: string): Promise<{ submissions: Submission[]; refused: RefusedFolder[] }> {
  const info = await lstat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(root, 'is not a folder of submissions (one subfolder per student)');
  const submissions: Submission[] = [];
  const refused: RefusedFolder[] = [];
  for (const name of (await readdir(root)).sort()) {
    const dir = path.join(root, name);
    const entry = await lstat(dir);
    if (entry.isSymbolicLink()) {
      refused.push({ folder: name, reason: 'is a symbolic link: a submission must be a folder of its own' });
      continue;
    }
    if (!entry.isDirectory()) continue;
    if (!STUDENT_ID.test(name)) {
      refused.push({ folder: name, reason: STUDENT_ID_RULE });
      continue;
    }
    const sources: string[] = [];
    const ignored: string[] = [];
    for (const file of (await readdir(dir)).sort()) {
      const stat = await lstat(path.join(dir, file));
      (stat.isFile() && SOURCE.test(file) ? sources : ignored).push(file);
    }
    submissions.push({ student: name, dir, sources, ignored });
  }
  if (submissions.length === 0) {
    const why = refused.map((r) => `${JSON.stringify(r.folder)} ${r.reason}`).join('; ');
    throw new InputError(root, `holds no gradable submission folders${why ? ` (refused: ${why})` : ''}`);
  }
  return { submissions, refused };
}

/** A hash of the submission's sources: names and contents, in order. */
export async function sourceHash(submission: Submission): Promise<string> {
  const hash = createHash('sha256');
  for (const file of submission.sources) {
    hash.update(`${file}\0`);
    hash.update(await readFile(path.join(submission.dir, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}
