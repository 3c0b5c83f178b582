/**
 * The class outputs of a real `pinrig grade` over sample submissions (built in the sandbox, run in QEMU guests):
 * the class page as a browser shows it, one export of each kind checked against its platform's documented format,
 * and the similarity report linked from the page. One graded class serves every test here (grading boots guests).
 */
import { chromium, expect, test, type Browser } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { canvasCsv, gradescopeResults, moodleCsv, PRAIRIELEARN_MAX_BYTES, prairielearnResults } from '../../harness/grading/exports/formats.js';
import type { SimilarityReport } from '../../harness/grading/similarity.js';
import { pinrig } from '../support/pinrig-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLES = path.join(ROOT, 'fixtures', 'submissions', 'blink');
/** Scores every sample deserves (tests/grading/grade.spec.ts checks the reasons); does-not-compile is in error. */
const CLASS: Record<string, number> = { correct: 100, 'leaves-output': 85, 'wrong-timing': 50, 'never-toggles': 40, 'does-not-compile': 0 };
const BUILT = Object.keys(CLASS).filter((s) => s !== 'does-not-compile');

test.describe.configure({ mode: 'serial' });

let dir: string;
let out: string;
let browser: Browser;

test.beforeAll(async () => {
  test.setTimeout(600_000);
  dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-class-test-'));
  out = path.join(dir, 'out');
  for (const student of Object.keys(CLASS)) await cp(path.join(SAMPLES, student), path.join(dir, 'class', student), { recursive: true });
  const run = await pinrig(['grade', path.join(dir, 'class'), '--assignment', 'blink', '--out', out, '--workers', '2', '--similarity-threshold', '0.97'], { cwd: ROOT, timeoutMs: 540_000 });
  expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain(`class page: ${out}/index.html`);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
});

test.afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function gradesCsv(): Promise<Map<string, Record<string, string>>> {
  const rows = parse(await readFile(path.join(out, 'grades.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  return new Map(rows.map((r) => [r.student!, r]));
}

test('the class page shows the histogram, the pass rate per criterion, a linked row per student and the build failure apart', async ({}, testInfo) => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
  await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
  await testInfo.attach('class page', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  // The histogram: a bar per tenth of the score, counting every graded score (a build failure's 0 included).
  const bars = page.locator('svg.histogram rect.bar');
  await expect(bars).toHaveCount(10);
  const counts = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(Object.keys(CLASS).length);
  expect(counts[0], 'the 0 of the build failure').toBe(1);
  expect(counts[9], '100 is in the last bin').toBe(1);
  expect(counts[4], 'wrong-timing and never-toggles: 40-50').toBe(1);
  await expect(bars.nth(0)).toBeVisible();
  expect((await bars.nth(0).boundingBox())!.height).toBeGreaterThan(50);

  // Pass rates agree with grades.csv over the submissions that built.
  const grades = await gradesCsv();
  const header = Object.keys(grades.get('correct')!).slice(3);
  const rates = page.locator('tr.criterion-rate');
  await expect(rates).toHaveCount(header.length);
  for (const [i, column] of header.entries()) {
    const points = Number(/\((\d+)\)$/.exec(column)![1]);
    const passed = BUILT.filter((s) => Number(grades.get(s)![column]) === points).length;
    await expect(rates.nth(i)).toHaveAttribute('data-passed', String(passed));
    await expect(rates.nth(i)).toHaveAttribute('data-of', String(BUILT.length));
    await expect(rates.nth(i)).toContainText(`${passed} / ${BUILT.length}`);
  }

  // One row per student that built, with its score and PASS/FAIL as words in two colours.
  const rows = page.locator('tr.student');
  await expect(rows).toHaveCount(BUILT.length);
  for (const student of BUILT) await expect(page.locator(`tr.student[data-student="${student}"]`)).toContainText(`${CLASS[student]} / 100`);
  const colour = (kind: string) => page.locator(`tr.student .mark.${kind}`).first().evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(e).color);
  await expect(page.locator('tr.student[data-student="leaves-output"] .mark.fail')).toHaveText('FAIL');
  expect(await colour('pass')).not.toBe(await colour('fail'));

  // The build failure is listed apart, with the compiler's reason, and not among the graded rows.
  const failed = page.locator('tr.in-error[data-student="does-not-compile"]');
  await expect(failed).toContainText('did not build');
  await expect(failed).toContainText("'GPSET' undeclared");
  await expect(page.locator('tr.student[data-student="does-not-compile"]')).toHaveCount(0);

  // Every student link opens that student's feedback page, marked in words, never only with an emoji.
  for (const student of Object.keys(CLASS)) {
    await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
    await page.locator(`tr[data-student="${student}"] a`).first().click();
    await expect(page.locator('body')).toContainText(`Feedback for ${student}.`);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/[✅❌]/u);
    if (student !== 'does-not-compile') expect(text).toMatch(/\b(PASS|FAIL)\b/);
  }
  await page.close();
});

test('Gradescope: a results.json per submission, in the documented format, with the grade of grades.csv', async () => {
  const grades = await gradesCsv();
  for (const student of Object.keys(CLASS)) {
    const json = JSON.parse(await readFile(path.join(out, 'gradescope', student, 'results.json'), 'utf8'));
    const checked = gradescopeResults.safeParse(json);
    expect(checked.success, `${student}: ${checked.error?.message}`).toBe(true);
    expect(json.score).toBe(Number(grades.get(student)!.score));
    expect(json.tests.reduce((n: number, t: { score: number }) => n + t.score, 0)).toBe(json.score);
    expect(json.tests.reduce((n: number, t: { max_score: number }) => n + t.max_score, 0)).toBe(100);
  }
  const wrong = JSON.parse(await readFile(path.join(out, 'gradescope', 'wrong-timing', 'results.json'), 'utf8'));
  expect(wrong.tests.find((t: { name: string }) => t.name.startsWith('half-period 50'))).toMatchObject({ status: 'failed', score: 0 });
  expect(JSON.parse(await readFile(path.join(out, 'gradescope', 'does-not-compile', 'results.json'), 'utf8')).output).toContain("'GPSET' undeclared");
});

test('PrairieLearn: score 0-1, the timing picture as a data URI under 1 MB, and gradable: false for the build failure', async () => {
  for (const student of Object.keys(CLASS)) {
    const file = path.join(out, 'prairielearn', student, 'results.json');
    expect((await stat(file)).size).toBeLessThan(PRAIRIELEARN_MAX_BYTES);
    const json = JSON.parse(await readFile(file, 'utf8'));
    const checked = prairielearnResults.safeParse(json);
    expect(checked.success, `${student}: ${checked.error?.message}`).toBe(true);
    if (student === 'does-not-compile') {
      expect(json).toMatchObject({ gradable: false });
      expect(json.score).toBeUndefined();
      expect(String(json.format_errors)).toContain("'GPSET' undeclared");
    } else {
      expect(json.score).toBeCloseTo(CLASS[student]! / 100, 9);
    }
  }
  const wrong = JSON.parse(await readFile(path.join(out, 'prairielearn', 'wrong-timing', 'results.json'), 'utf8'));
  const images = wrong.tests.flatMap((t: { images?: Array<{ url: string }> }) => t.images ?? []);
  expect(images.length).toBeGreaterThan(0);
  // The picture is the feedback page's SVG, whole: observed against predicted.
  const svg = Buffer.from(images[0].url.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString('utf8');
  expect(svg).toMatch(/^<svg[\s\S]*class="observed"[\s\S]*class="predicted"[\s\S]*<\/svg>\s*$/);
  // PrairieLearn shows it as an <img>: a browser must decode it as one.
  const page = await browser.newPage();
  await page.setContent(`<img src="${images[0].url}">`);
  await expect.poll(() => page.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
  await page.close();
});

test('Canvas and Moodle: one CSV each for the class, student id plus a column per assignment, as the import documents', async () => {
  const read = async (name: string) => {
    const text = await readFile(path.join(out, 'lms', name), 'utf8');
    const [header] = parse(text, { to_line: 1 }) as string[][];
    return { header: header!, rows: parse(text, { columns: true }) as Array<Record<string, string>> };
  };
  const canvas = await read('canvas.csv');
  const checkedCanvas = canvasCsv.safeParse(canvas);
  expect(checkedCanvas.success, checkedCanvas.error?.message).toBe(true);
  expect(canvas.header.slice(5)).toEqual(['blink']);
  expect(canvas.rows[0]).toMatchObject({ Student: '    Points Possible', blink: '100' });
  const moodle = await read('moodle.csv');
  const checkedMoodle = moodleCsv.safeParse(moodle);
  expect(checkedMoodle.success, checkedMoodle.error?.message).toBe(true);
  expect(moodle.header).toEqual(['ID number', 'blink']);
  for (const [student, score] of Object.entries(CLASS)) {
    expect(canvas.rows.find((r) => r['SIS User ID'] === student)?.blink).toBe(String(score));
    expect(moodle.rows.find((r) => r['ID number'] === student)?.blink).toBe(String(score));
  }
});

test('similarity: linked from the class page, the most similar pairs with their fragments, flags that change no grade', async () => {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
  await page.getByRole('link', { name: 'Similarity report' }).click();
  await expect(page.locator('h1')).toHaveText('Similarity: blink');
  const report = JSON.parse(await readFile(path.join(out, 'similarity.json'), 'utf8')) as SimilarityReport;
  expect([...report.compared].sort()).toEqual(Object.keys(CLASS).sort());
  // Every pair of five, most similar first; each flagged exactly when at or above the threshold.
  expect(report.pairs).toHaveLength(10);
  expect(report.pairs.map((p) => p.similarity)).toEqual([...report.pairs.map((p) => p.similarity)].sort((a, b) => b - a));
  expect(report.threshold, 'from --similarity-threshold').toBe(0.97);
  for (const p of report.pairs) expect(p.flagged).toBe(p.similarity >= report.threshold);
  // The samples are all variants of the reference: some pairs are above 97 %, some below.
  expect(report.flagged).toBeGreaterThan(0);
  expect(report.flagged).toBeLessThan(report.pairs.length);
  await expect(page.locator('tr.pair.flagged')).toHaveCount(report.flagged);
  // The samples all start from the reference solution: the top pair shares most of its code, shown side by side.
  const top = report.pairs[0]!;
  expect(top.similarity).toBeGreaterThan(0.9);
  expect(top.fragments[0]!.left).toMatchObject({ file: 'blink.c' });
  await expect(page.locator('.fragment').first()).toContainText('#include <linux/module.h>');
  await page.close();
  // Grades are as deserved, flags or not.
  const grades = await gradesCsv();
  for (const [student, score] of Object.entries(CLASS)) expect(Number(grades.get(student)!.score)).toBe(score);
  expect((await readdir(out)).filter((f) => !f.startsWith('.')).sort()).toEqual(['feedback', 'gradescope', 'grades.csv', 'index.html', 'junit.xml', 'lms', 'prairielearn', 'run', 'similarity.html', 'similarity.json'].sort());
});
