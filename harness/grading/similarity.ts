/**
 * Which submissions of a class look alike, from Dolos (@dodona/dolos-lib: winnowed k-gram fingerprints over the
 * tree-sitter tokens of C, so renamed variables and moved whitespace do not hide a copy). Each student's .c/.h files
 * are joined into one text (Dolos compares files, a submission may have several); matching fragments are mapped
 * back to the student's own file and lines. A pair at or above the threshold is flagged for the teacher to look at:
 * it is a hint, never a verdict, and nothing here touches a grade.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Submission } from './submissions.js';

/** Pairs at or above this share of matched tokens are flagged (Dolos's similarity, 0–1). */
export const DEFAULT_THRESHOLD = 0.75;
/** Pairs kept in the report, most similar first. */
export const DEFAULT_TOP_PAIRS = 25;
const FRAGMENTS_PER_PAIR = 5;
/** Bounds on what a student's text can make us hold or show. */
const MAX_SUBMISSION_BYTES = 512 * 1024;
const MAX_EXCERPT_LINES = 40;
const MAX_LINE_CHARS = 160;

export interface Excerpt {
  /** The student's file, by its name in the submission. */
  readonly file: string;
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  /** The matched lines (bounded: at most MAX_EXCERPT_LINES lines of MAX_LINE_CHARS). */
  readonly text: string;
}

export interface MatchingFragment {
  /** Matched k-grams in a row: the fragment's length in Dolos's terms. */
  readonly kgrams: number;
  readonly left: Excerpt;
  readonly right: Excerpt;
}

export interface SimilarPair {
  readonly left: string;
  readonly right: string;
  /** Dolos's similarity: the share of both submissions' fingerprints they have in common (0–1). */
  readonly similarity: number;
  /** The longest run of matching k-grams. */
  readonly longest: number;
  readonly flagged: boolean;
  readonly fragments: readonly MatchingFragment[];
}

export interface SimilarityReport {
  readonly tool: string;
  readonly threshold: number;
  /** Students whose sources were compared. */
  readonly compared: readonly string[];
  /** Students left out, with why (nothing to compare, too large). */
  readonly skipped: ReadonlyArray<{ readonly student: string; readonly reason: string }>;
  /** The most similar pairs, most similar first. */
  readonly pairs: readonly SimilarPair[];
  readonly flagged: number;
}

/** A submission's sources as one text, and where each file starts in it. */
interface Joined {
  readonly student: string;
  readonly text: string;
  /** 0-based line where each file starts in `text`, in order. */
  readonly files: ReadonlyArray<{ readonly name: string; readonly firstLine: number; readonly lines: readonly string[] }>;
}

async function join(submission: Submission): Promise<Joined | { student: string; skipped: string }> {
  const files: Array<{ name: string; firstLine: number; lines: string[] }> = [];
  let text = '';
  let bytes = 0;
  for (const name of submission.sources) {
    const content = await readFile(path.join(submission.dir, name), 'utf8');
    bytes += Buffer.byteLength(content);
    if (bytes > MAX_SUBMISSION_BYTES) return { student: submission.student, skipped: `its sources exceed ${MAX_SUBMISSION_BYTES / 1024} KiB` };
    const lines = content.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
    files.push({ name, firstLine: text ? text.split('\n').length : 0, lines });
    text += (text ? '\n' : '') + lines.join('\n');
  }
  if (!text.trim()) return { student: submission.student, skipped: 'it has no .c or .h source' };
  return { student: submission.student, text, files };
}

/** Row numbers (0-based, of the joined text) back to the student's file and 1-based lines, with the lines. */
function excerpt(joined: Joined, startRow: number, endRow: number): Excerpt {
  const file = [...joined.files].reverse().find((f) => f.firstLine <= startRow) ?? joined.files[0]!;
  const first = startRow - file.firstLine;
  // A fragment can run across the join into the next file; the excerpt stops at the end of the first.
  const last = Math.min(endRow - file.firstLine, file.lines.length - 1);
  const shown = file.lines.slice(first, Math.min(last + 1, first + MAX_EXCERPT_LINES)).map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS - 1)}…` : l));
  if (last + 1 - first > MAX_EXCERPT_LINES) shown.push(`… ${last + 1 - first - MAX_EXCERPT_LINES} more lines`);
  return { file: file.name, startLine: first + 1, endLine: last + 1, text: shown.join('\n') };
}

export async function compareSubmissions(
  submissions: readonly Submission[],
  options: { threshold?: number; topPairs?: number } = {},
): Promise<SimilarityReport> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`similarity threshold must be above 0 and at most 1, got ${threshold}`);
  const joined: Joined[] = [];
  const skipped: Array<{ student: string; reason: string }> = [];
  for (const submission of submissions) {
    const one = await join(submission);
    if ('skipped' in one) skipped.push({ student: one.student, reason: one.skipped });
    else joined.push(one);
  }
  const tool = 'Dolos (@dodona/dolos-lib)';
  if (joined.length < 2) return { tool, threshold, compared: joined.map((j) => j.student), skipped, pairs: [], flagged: 0 };

  // Loaded here, not at the top: grading never depends on the native tree-sitter parsers being there.
  const { Dolos, File } = await import('@dodona/dolos-lib');
  const byPath = new Map(joined.map((j) => [`${j.student}.c`, j]));
  const dolos = new Dolos({ language: 'c' });
  const report = await dolos.analyze([...byPath].map(([name, j]) => new File(name, j.text)));
  const all = report.allPairs().sort((a, b) => b.similarity - a.similarity || b.longest - a.longest);
  const pairs = all.slice(0, options.topPairs ?? DEFAULT_TOP_PAIRS).map((pair): SimilarPair => {
    const left = byPath.get(pair.leftFile.path)!;
    const right = byPath.get(pair.rightFile.path)!;
    const fragments = pair.buildFragments()
      .sort((a, b) => b.pairs.length - a.pairs.length)
      .slice(0, FRAGMENTS_PER_PAIR)
      .map((f) => ({
        kgrams: f.pairs.length,
        left: excerpt(left, f.leftSelection.startRow, f.leftSelection.endRow),
        right: excerpt(right, f.rightSelection.startRow, f.rightSelection.endRow),
      }));
    return { left: left.student, right: right.student, similarity: pair.similarity, longest: pair.longest, flagged: pair.similarity >= threshold, fragments };
  });
  return { tool, threshold, compared: joined.map((j) => j.student), skipped, pairs, flagged: all.filter((p) => p.similarity >= threshold).length };
}
