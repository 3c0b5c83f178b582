/**
 * One CSV for the class that Canvas imports and one that Moodle imports: the student's id (the submission folder's
 * name, which the teacher names after the id the LMS knows: Canvas's SIS User ID, Moodle's ID number) and one column
 * per assignment with the score. A harness error leaves the cell empty: no grade, never a zero the student did not
 * earn (both platforms leave an empty cell's grade as it was).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { csvCell } from '../reports.js';
import type { SubmissionResult } from '../results.js';
import { CANVAS_ID_COLUMNS, MOODLE_ID_COLUMN } from './formats.js';

export interface AssignmentColumn {
  /** The column's title: the assignment's name in the LMS (a new name makes a new assignment or grade item). */
  readonly assignment: string;
  readonly max: number;
  readonly results: readonly SubmissionResult[];
}

/** Students in the order they first appear, and each one's grade cell per assignment. */
function table(columns: readonly AssignmentColumn[]): { students: string[]; cell: (student: string, column: AssignmentColumn) => string } {
  const students = [...new Set(columns.flatMap((c) => c.results.map((r) => r.student)))];
  const cell = (student: string, column: AssignmentColumn): string => {
    const r = column.results.find((x) => x.student === student);
    return r && r.status === 'graded' ? String(r.score) : '';
  };
  return { students, cell };
}

const csv = (rows: ReadonlyArray<readonly string[]>): string => rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';

export function canvasCsvText(columns: readonly AssignmentColumn[]): string {
  const { students, cell } = table(columns);
  const blanks = CANVAS_ID_COLUMNS.slice(1).map(() => '');
  return csv([
    [...CANVAS_ID_COLUMNS, ...columns.map((c) => c.assignment)],
    // Canvas's own export has this row; on import it sets a new assignment's points possible.
    ['    Points Possible', ...blanks, ...columns.map((c) => String(c.max))],
    // Student (a display name) and SIS User ID (what Canvas matches on) both carry the id: it is all we know.
    ...students.map((s) => [s, '', s, '', '', ...columns.map((c) => cell(s, c))]),
  ]);
}

export function moodleCsvText(columns: readonly AssignmentColumn[]): string {
  const { students, cell } = table(columns);
  return csv([[MOODLE_ID_COLUMN, ...columns.map((c) => c.assignment)], ...students.map((s) => [s, ...columns.map((c) => cell(s, c))])]);
}

export async function writeLmsCsv(columns: readonly AssignmentColumn[], dir: string): Promise<{ canvas: string; moodle: string }> {
  await mkdir(dir, { recursive: true });
  const canvas = path.join(dir, 'canvas.csv');
  const moodle = path.join(dir, 'moodle.csv');
  await writeFile(canvas, canvasCsvText(columns));
  await writeFile(moodle, moodleCsvText(columns));
  return { canvas, moodle };
}
