/**
 * The import formats of the platforms teachers grade on, written down from each platform's own documentation as zod
 * schemas (zod turns them into JSON Schema for anyone who wants that). The exporters check what they write against
 * these before writing, and the tests check the files on disk against them again.
 */
import { z } from 'zod';

/**
 * Gradescope autograder results.json.
 * https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format"): a top-level score is optional when
 * every test has one; tests carry score, max_score, status ("passed"/"failed"), name, number, output, tags,
 * visibility, extra_data; visibility is one of hidden, after_due_date, after_published, visible; output_format one of
 * text, html, simple_format, md, ansi.
 */
const gradescopeVisibility = z.enum(['hidden', 'after_due_date', 'after_published', 'visible']);
const gradescopeFormat = z.enum(['text', 'html', 'simple_format', 'md', 'ansi']);
export const gradescopeTest = z.strictObject({
  score: z.number().optional(),
  max_score: z.number().optional(),
  status: z.enum(['passed', 'failed']).optional(),
  name: z.string().optional(),
  name_format: gradescopeFormat.optional(),
  number: z.string().optional(),
  output: z.string().optional(),
  output_format: gradescopeFormat.optional(),
  tags: z.array(z.string()).optional(),
  visibility: gradescopeVisibility.optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
});
export const gradescopeResults = z
  .strictObject({
    score: z.number().optional(),
    execution_time: z.number().optional(),
    output: z.string().optional(),
    output_format: gradescopeFormat.optional(),
    test_output_format: gradescopeFormat.optional(),
    test_name_format: gradescopeFormat.optional(),
    visibility: gradescopeVisibility.optional(),
    stdout_visibility: gradescopeVisibility.optional(),
    extra_data: z.record(z.string(), z.unknown()).optional(),
    tests: z.array(gradescopeTest).optional(),
    leaderboard: z.array(z.strictObject({ name: z.string(), value: z.union([z.number(), z.string()]), order: z.enum(['asc', 'desc']).optional() })).optional(),
  })
  .refine((r) => r.score !== undefined || (r.tests?.length && r.tests.every((t) => t.score !== undefined)), {
    message: 'a score is required at the top level or on every test',
  });
export type GradescopeResults = z.infer<typeof gradescopeResults>;

/**
 * PrairieLearn external grader results.json.
 * https://prairielearn.readthedocs.io/en/latest/externalGrading/ ("Grading results"): score in [0, 1], required unless
 * `gradable` is false (a submission that does not compile); format_errors a string or strings; images as
 * { label?, url } (or a bare URL string) with the URL a data URI, "data:[mimetype];base64,[contents]"; tests with name,
 * description, points, max_points, message, output, images; other fields are allowed; the file is limited to 1 MB.
 */
export const PRAIRIELEARN_MAX_BYTES = 1_000_000;
const dataUri = z.string().regex(/^data:[\w.+-]+\/[\w.+-]+;base64,[A-Za-z0-9+/]+=*$/, 'a base64 data URI');
const prairielearnImage = z.union([z.strictObject({ label: z.string().optional(), url: dataUri }), dataUri]);
export const prairielearnResults = z
  .looseObject({
    gradable: z.boolean().optional(),
    score: z.number().min(0).max(1).optional(),
    format_errors: z.union([z.string(), z.array(z.string())]).optional(),
    message: z.string().optional(),
    output: z.string().optional(),
    images: z.array(prairielearnImage).optional(),
    tests: z.array(z.looseObject({
      name: z.string(),
      description: z.string().optional(),
      points: z.number(),
      max_points: z.number(),
      message: z.string().optional(),
      output: z.string().optional(),
      images: z.array(prairielearnImage).optional(),
    })).optional(),
  })
  .refine((r) => r.gradable === false || r.score !== undefined, { message: 'a gradable result needs a score' });
export type PrairieLearnResults = z.infer<typeof prairielearnResults>;

/** A grade cell: a number, or empty for "no grade" (a harness error), never a zero the student did not earn. */
const gradeCell = z.string().regex(/^(\d+(\.\d+)?)?$/, 'a number or empty');

/**
 * Canvas gradebook import CSV, as Canvas's own gradebook export lays it out (import takes the same file):
 * https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807 — the columns
 * Student, ID, SIS User ID, SIS Login ID and Section identify the student (Canvas matches on ID, then SIS User ID,
 * then SIS Login ID); every further column is an assignment, a new name creating a new assignment; an optional
 * "Points Possible" row gives each assignment's maximum.
 */
export const CANVAS_ID_COLUMNS = ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section'] as const;
export const canvasRow = z.looseObject({
  Student: z.string().min(1),
  ID: z.string(),
  'SIS User ID': z.string(),
  'SIS Login ID': z.string(),
  Section: z.string(),
});
export const canvasCsv = z.object({
  header: z.array(z.string()).refine((h) => CANVAS_ID_COLUMNS.every((c, i) => h[i] === c) && h.length > CANVAS_ID_COLUMNS.length, 'Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment'),
  rows: z.array(canvasRow).min(1),
}).superRefine(({ header, rows }, ctx) => {
  const assignments = header.slice(CANVAS_ID_COLUMNS.length);
  rows.forEach((row, i) => {
    for (const a of assignments) {
      const cell = (row as Record<string, unknown>)[a];
      if (!gradeCell.safeParse(cell).success) ctx.addIssue({ code: 'custom', path: ['rows', i, a], message: `${JSON.stringify(cell)} is not a number or empty` });
    }
    if (row['SIS User ID'] === '' && row.ID === '' && row['SIS Login ID'] === '' && !/Points Possible/.test(row.Student)) {
      ctx.addIssue({ code: 'custom', path: ['rows', i], message: 'no column Canvas matches a student on' });
    }
  });
});

/**
 * Moodle grade import CSV: https://docs.moodle.org/en/Grade_import — a header row, a column the teacher maps to a
 * user field (ID number, email, username) and one column per grade item (mapped to an existing item or a new one);
 * values are numbers.
 */
export const MOODLE_ID_COLUMN = 'ID number';
export const moodleCsv = z.object({
  header: z.array(z.string()).refine((h) => h[0] === MOODLE_ID_COLUMN && h.length > 1 && new Set(h).size === h.length, 'ID number, then one distinct column per grade item'),
  rows: z.array(z.record(z.string(), z.string())).min(1),
}).superRefine(({ header, rows }, ctx) => {
  rows.forEach((row, i) => {
    if (!row[MOODLE_ID_COLUMN]) ctx.addIssue({ code: 'custom', path: ['rows', i, MOODLE_ID_COLUMN], message: 'empty user identifier' });
    for (const item of header.slice(1)) {
      if (!gradeCell.safeParse(row[item]).success) ctx.addIssue({ code: 'custom', path: ['rows', i, item], message: `${JSON.stringify(row[item])} is not a number or empty` });
    }
  });
});
