/**
 * The similarity check over a small made-up class, with Dolos for real (no guest needed): a copy with renamed
 * identifiers is flagged, a different program is not, fragments point at the student's own file and lines, and the
 * report shows student code escaped.
 */
import { expect, test } from '@playwright/test';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compareSubmissions, type SimilarityReport } from '../../harness/grading/similarity.js';
import { similarityHtml } from '../../harness/grading/similarity-page.js';
import { findSubmissions } from '../../harness/grading/submissions.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HOSTILE = 'static const char *banner = "</pre><script>alert(1)</script>";';

let dir: string;
let report: SimilarityReport;
const files = new Map<string, string>();

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-similarity-test-'));
  const reference = await readFile(path.join(ROOT, 'scenarios/grading/blink/reference/blink.c'), 'utf8');
  const lines = reference.split('\n');
  // The hostile line sits in the middle of code alice and bob share, so it is inside a matching fragment.
  const withBanner = [...lines.slice(0, 30), HOSTILE, ...lines.slice(30)].join('\n');
  const renamed = withBanner.replace(/\bhalf_period_ms\b/g, 'hp').replace(/\btimer\b/g, 'tick').replace(/\bgpio\b/g, 'regs').replace(/ {8}/g, '\t');
  const add = async (student: string, file: string, text: string) => {
    await mkdir(path.join(dir, student), { recursive: true });
    await writeFile(path.join(dir, student, file), text);
    files.set(`${student}/${file}`, text);
  };
  await add('alice', 'blink.c', withBanner);
  await add('bob', 'blink.c', renamed);
  await add('carol', 'counter.c', await readFile(path.join(ROOT, 'scenarios/grading/counter/reference/counter.c'), 'utf8'));
  // dave split the reference over two files: matches must name the right one.
  await add('dave', 'main.c', lines.slice(40).join('\n'));
  await add('dave', 'regs.h', lines.slice(0, 40).join('\n'));
  await mkdir(path.join(dir, 'erin'));
  await writeFile(path.join(dir, 'erin', 'README.txt'), 'no code here');
  const { submissions } = await findSubmissions(dir);
  report = await compareSubmissions(submissions, { threshold: 0.8 });
});

test.afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const pair = (a: string, b: string) => report.pairs.find((p) => (p.left === a && p.right === b) || (p.left === b && p.right === a));

test('a copy with renamed identifiers is flagged; a different program and a split copy are judged on their code', () => {
  expect(report.compared).toEqual(['alice', 'bob', 'carol', 'dave']);
  expect(report.skipped).toEqual([{ student: 'erin', reason: 'it has no .c or .h source' }]);
  expect(pair('alice', 'bob')!.similarity).toBeGreaterThan(0.9);
  expect(pair('alice', 'bob')!.flagged).toBe(true);
  expect(pair('alice', 'carol')!.similarity).toBeLessThan(0.5);
  expect(pair('alice', 'carol')!.flagged).toBe(false);
  expect(pair('alice', 'dave')!.similarity).toBeGreaterThan(0.8);
  expect(report.flagged).toBe(report.pairs.filter((p) => p.similarity >= 0.8).length);
  expect(report.pairs.map((p) => p.similarity)).toEqual(report.pairs.map((p) => p.similarity).sort((a, b) => b - a));
});

test("each fragment names the student's own file and shows exactly its lines there", () => {
  const seen = new Set<string>();
  for (const p of report.pairs) {
    for (const f of p.fragments) {
      for (const [student, side] of [[p.left, f.left], [p.right, f.right]] as const) {
        const text = files.get(`${student}/${side.file}`);
        expect(text, `${student}/${side.file}`).toBeDefined();
        const lines = text!.split('\n').slice(side.startLine - 1, Math.min(side.endLine, side.startLine + 39));
        expect(side.text.split('\n').slice(0, lines.length)).toEqual(lines);
        seen.add(`${student}/${side.file}`);
      }
    }
  }
  // Both of dave's files carry matches with alice's single file.
  expect(seen).toContain('dave/main.c');
  expect(seen).toContain('dave/regs.h');
});

test('the report shows student code escaped, and says a flag changes no grade', () => {
  const html = similarityHtml(report, 'blink');
  expect(html).not.toContain('<script>');
  expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).toContain('it changes no grade');
  expect(html.match(/class="flag">FLAGGED/g)!.length).toBeGreaterThanOrEqual(report.flagged);
});

test('a threshold outside (0, 1] is refused, naming it', async () => {
  await expect(compareSubmissions([], { threshold: 80 })).rejects.toThrow('similarity threshold must be above 0 and at most 1, got 80');
});
