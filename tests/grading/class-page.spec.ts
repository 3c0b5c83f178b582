/**
 * The class page's rules on results that the sample class does not produce: a harness error (no grade, listed apart),
 * hostile text from a student or a folder name (escaped, bounded), and where scores fall in the histogram.
 */
import { expect, test } from '@playwright/test';
import { classPageHtml, criterionRates } from '../../harness/grading/class-page.js';
import type { SubmissionResult } from '../../harness/grading/results.js';
import { defineAssignment, pass } from '../../harness/grading/rubric.js';
import { scoreBins } from '../../harness/grading/score-histogram.js';

const assignment = defineAssignment({
  name: 'demo', title: 'A demo', machine: 'qemu-virt', moduleName: 'demo', timeLimitMs: 1000, initialState: () => ({}),
  criteria: [
    { id: 'loads', name: 'loads', points: 40, check: async () => pass('', '') },
    { id: 'works', name: 'works <b>well</b>', points: 60, check: async () => pass('', '') },
  ],
});

const base = { assignment: 'demo', max: 100, key: 'k', gradedAt: '2026-01-01T00:00:00.000Z', timings: { buildMs: 1, bootMs: 1, rubricMs: 1, totalMs: 3 } };
const criterion = (id: string, points: number, passed: boolean) => ({ id, name: id, points, earned: passed ? points : 0, passed, expected: 'e', observed: 'o', diagrams: [], ms: 1 });
const results: SubmissionResult[] = [
  { ...base, student: 'ann', status: 'graded', score: 100, criteria: [criterion('loads', 40, true), criterion('works', 60, true)], build: { ok: true } },
  { ...base, student: 'ben', status: 'graded', score: 40, criteria: [criterion('loads', 40, true), criterion('works', 60, false)], build: { ok: true } },
  { ...base, student: 'cy', status: 'graded', score: 0, criteria: [], build: { ok: false, errors: 'cy.c:1:1: error: <script>alert("x")</script>' }, ended: 'the module did not build' },
  { ...base, student: 'dee', status: 'error', score: 0, criteria: [], build: { ok: true }, error: `the harness failed: QEMU exited <b>${'x'.repeat(5000)}` },
];

test('a harness error has no grade and is listed apart with its reason; a build failure is apart but keeps its zero', () => {
  const html = classPageHtml(results, assignment, 100, []);
  const errors = html.slice(html.indexOf('<h2>Submissions in error</h2>'));
  expect(errors).toMatch(/data-student="dee" data-kind="harness-error">.*none: grade again.*QEMU exited/);
  expect(errors).toMatch(/data-student="cy" data-kind="did-not-build">.*0 \/ 100.*error: &lt;script&gt;/);
  expect(html.match(/<tr class="student" /g)).toHaveLength(2);
  // The distribution has the three grades (the build failure's 0 included), not the harness error.
  expect(html).toContain('aria-label="Score distribution of 3 graded submissions"');
  expect(criterionRates(results, assignment).map((r) => [r.id, r.passed, r.of])).toEqual([['loads', 2, 2], ['works', 1, 2]]);
});

test('text from students and folder names is escaped and bounded', () => {
  const html = classPageHtml(results, assignment, 100, [{ folder: '<img src=x onerror=alert(1)>', reason: 'is a symbolic link' }]);
  expect(html).not.toMatch(/<script>|<img |<b>/);
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(html).toContain('works &lt;b&gt;well&lt;/b&gt;');
  // A 5000-character message is cut in the table.
  expect(html).not.toContain('x'.repeat(400));
});

test('every score lands in one bin of ten; full marks in the last, zero in the first', () => {
  const bins = scoreBins([0, 9.9, 10, 55, 99, 100], 100);
  expect(bins.map((b) => b.count)).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
  expect(scoreBins([7], 7).map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
});
