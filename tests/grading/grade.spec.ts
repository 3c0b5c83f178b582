/**
 * `pinrig grade` over the sample submissions, for real: each one built in the sandbox and loaded into a fresh QEMU
 * guest. Every sample must get the score and the reason it deserves, the batch must finish, a re-run must grade only
 * what changed, and no feedback may show a host path or a host file.
 */
import { test, expect } from '@playwright/test';
import { pinrig as runPinrig } from '../support/pinrig-cli.js';
import { appendFile, cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLES = path.join(ROOT, 'fixtures', 'submissions');

interface Deserved {
  readonly score: number;
  /** Criteria (CSV column names start with these) that must earn nothing; all others full points. */
  readonly lost: readonly string[];
  /** What the student's feedback page must say. */
  readonly reason: RegExp;
}

const ALL_BLINK = ['loads', '/dev/blink', 'half-period 50', 'half-period 10', 'writing 0', 'reading', 'unload'];
const BLINK: Record<string, Deserved> = {
  correct: { score: 100, lost: [], reason: /Score: 100 \/ 100/ },
  'wrong-timing': { score: 50, lost: ['half-period 50', 'half-period 10'], reason: /median (19\.\d|20\.[0-2])\d ms over \d+ half-periods/ },
  'never-toggles': { score: 40, lost: ['half-period 50', 'half-period 10', 'writing 0'], reason: /0 edges in \d+\.\d+ ms/ },
  'does-not-compile': { score: 0, lost: ALL_BLINK, reason: /submission\/blink\.c:\d+:\d+: error: 'GPSET' undeclared/ },
  'oops-on-load': { score: 0, lost: ALL_BLINK, reason: /Unable to handle kernel NULL pointer dereference[\s\S]*pc : blink_init/ },
  'spins-in-init': { score: 0, lost: ALL_BLINK, reason: /insmod did not return within 5 s/ },
  'floods-console': { score: 0, lost: ALL_BLINK, reason: /flooded the console/ },
  'fake-markers': { score: 0, lost: ALL_BLINK, reason: /imitating the grading harness's console markers/ },
  'includes-other-student': { score: 0, lost: ALL_BLINK, reason: /\.\.\/correct\/blink\.c: No such file or directory/ },
  'reads-host-file': { score: 0, lost: ALL_BLINK, reason: /fatal error: .*No such file or directory/ },
  'leaves-output': { score: 85, lost: ['unload'], reason: /GPIO17 is left an output/ },
};

const ALL_COUNTER = ['loads', 'the count file', '10 rising', '100 rising', 'falling', 'writing 0', 'unload'];
const COUNTER: Record<string, Deserved> = {
  correct: { score: 100, lost: [], reason: /Score: 100 \/ 100/ },
  'counts-both-edges': { score: 40, lost: ['10 rising', '100 rising', 'falling'], reason: /over 3 falling edges the count rose by 3[\s\S]*IRQF_TRIGGER_RISING/ },
  'ignores-reset': { score: 90, lost: ['writing 0'], reason: /it read "\d+\\\\n" before and "\d+\\\\n" after/ },
  'leaks-irq': { score: 90, lost: ['unload'], reason: /after rmmod, reading \/proc\/interrupts crashed the kernel/ },
  'does-not-compile': { score: 0, lost: ALL_COUNTER, reason: /'counts' undeclared/ },
};

function pinrig(args: readonly string[], timeoutMs: number) {
  return runPinrig(args, { cwd: ROOT, timeoutMs });
}

function parseCsv(text: string): { header: string[]; rows: Map<string, string[]> } {
  const [head, ...lines] = text.trim().split('\n');
  const rows = new Map(lines.map((line) => line.split(',')).map((cells) => [cells[0]!, cells]));
  return { header: head!.split(','), rows };
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map((f) => path.join(dir, f));
}

/** Grades a sample folder and checks every student's score, lost criteria and reason. */
async function gradeAndCheck(assignment: string, deserved: Record<string, Deserved>, out: string) {
  const run = await pinrig(['grade', path.join(SAMPLES, assignment), '--assignment', assignment, '--out', out, '--workers', '2'], 600_000);
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stdout).toContain(`${Object.keys(deserved).length} submissions, ${Object.keys(deserved).length} graded now, 0 unchanged`);
  const { header, rows } = parseCsv(await readFile(path.join(out, 'grades.csv'), 'utf8'));
  expect(header.slice(0, 3)).toEqual(['student', 'score', 'max']);
  expect([...rows.keys()].sort()).toEqual(Object.keys(deserved).sort());
  for (const [student, want] of Object.entries(deserved)) {
    const row = rows.get(student)!;
    const page = await readFile(path.join(out, 'feedback', `${student}.md`), 'utf8');
    expect.soft(Number(row[1]), `${student}'s score; feedback:\n${page}`).toBe(want.score);
    const zeroed = header.slice(3).filter((_, i) => Number(row[3 + i]) === 0).map((name) => want.lost.find((l) => name.startsWith(l)) ?? name);
    expect.soft(zeroed.sort(), `${student}'s criteria without points`).toEqual([...want.lost].sort());
    expect.soft(page, `${student}'s feedback`).toMatch(want.reason);
    expect.soft(await readFile(path.join(out, 'feedback', `${student}.html`), 'utf8')).toContain(`Feedback for <strong>${student}</strong>`);
  }
  return run;
}

test.describe.configure({ mode: 'serial' });

test.describe('blink', () => {
  let out: string;
  test.beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'pinrig-grade-test-'));
  });
  test.afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  test('every sample submission gets the score and the reason it deserves, and the batch finishes', async () => {
    test.setTimeout(900_000);
    await rm('/tmp/pinrig-student-makefile-ran', { force: true });
    const run = await gradeAndCheck('blink', BLINK, out);
    expect(run.stdout).toMatch(/^correct +100\/100 +full marks$/m);
    // The student's Makefile (which would touch this file, or stop make) was never used.
    await expect(stat('/tmp/pinrig-student-makefile-ran')).rejects.toThrow();
    // The timing diagram of the pin against the prediction, beside the Markdown and inline in the HTML.
    const html = await readFile(path.join(out, 'feedback', 'wrong-timing.html'), 'utf8');
    expect(html).toMatch(/<svg[\s\S]*class="observed"[\s\S]*class="predicted"/);
    expect(await readFile(path.join(out, 'feedback', 'wrong-timing.md'), 'utf8')).toContain('](wrong-timing/half-period-50-1.svg)');
    // The runner's JUnit: a testcase per submission, failed where points were lost, naming them.
    const junit = await readFile(path.join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(Object.keys(BLINK).length);
    const short = Object.values(BLINK).filter((d) => d.score < 100).length;
    expect(junit).toMatch(new RegExp(`<testsuites [^>]*tests="${Object.keys(BLINK).length}" failures="${short}" skipped="0" errors="0"`));
    expect(junit).toContain('leaves-output: 85/100; lost: unload leaves GPIO17 an input');
  });

  test('feedback shows no host path, no host file and no environment', async () => {
    const forbidden = [ROOT, SAMPLES, out, path.join(os.tmpdir(), 'pinrig-'), os.homedir() + '/', 'root:x:0:0', `PATH=${process.env.PATH}`];
    // Everything but the runner's own reports for the teacher (run/ and its JUnit, which name the harness's files).
    const files = (await filesUnder(out)).filter((f) => !f.startsWith(path.join(out, 'run') + path.sep) && !f.endsWith('junit.xml'));
    const pages = files.filter((f) => /\.(md|html|svg|csv|xml)$/.test(f));
    expect(pages.length).toBeGreaterThan(2 * Object.keys(BLINK).length);
    for (const file of pages) {
      const text = await readFile(file, 'utf8');
      for (const secret of forbidden) expect.soft(text.includes(secret), `${path.relative(out, file)} contains ${secret}`).toBe(false);
    }
    // The build errors are shown as the student wrote them, against `submission/`.
    expect(await readFile(path.join(out, 'feedback', 'does-not-compile.md'), 'utf8')).toContain('submission/blink.c:');
  });

  test('graded in two slices (--shard 1/2, 2/2) and joined by grade-merge: the same grades.csv, one JUnit for the class', async () => {
    test.setTimeout(900_000);
    const slices = [path.join(out, 'slice-1'), path.join(out, 'slice-2')];
    for (const [i, slice] of slices.entries()) {
      const run = await pinrig(['grade', path.join(SAMPLES, 'blink'), '--assignment', 'blink', '--out', slice, '--shard', `${i + 1}/2`, '--force'], 600_000);
      expect(run.stdout).toMatch(/submissions, \d+ graded now/);
    }
    const sliceCounts = await Promise.all(slices.map(async (s) => (await readFile(path.join(s, 'grades.csv'), 'utf8')).trim().split('\n').length - 1));
    expect(sliceCounts.reduce((a, b) => a + b), `students per slice: ${sliceCounts.join(' + ')}`).toBe(Object.keys(BLINK).length);
    expect(Math.min(...sliceCounts)).toBeGreaterThan(0);
    const merged = path.join(out, 'merged');
    const merge = await pinrig(['grade-merge', path.join(SAMPLES, 'blink'), ...slices, '--assignment', 'blink', '--out', merged], 300_000);
    expect(merge.exitCode, merge.stderr).toBe(0);
    expect(await readFile(path.join(merged, 'grades.csv'), 'utf8')).toBe(await readFile(path.join(out, 'grades.csv'), 'utf8'));
    expect((await readFile(path.join(merged, 'junit.xml'), 'utf8')).match(/<testcase /g)).toHaveLength(Object.keys(BLINK).length);
    expect(await readFile(path.join(merged, 'feedback', 'wrong-timing.html'), 'utf8')).toContain('class="observed"');
  });

  test('a re-run grades nothing unchanged and keeps the grades', async () => {
    test.setTimeout(120_000);
    const before = await readFile(path.join(out, 'grades.csv'), 'utf8');
    const started = performance.now();
    const run = await pinrig(['grade', path.join(SAMPLES, 'blink'), '--assignment', 'blink', '--out', out], 120_000);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${Object.keys(BLINK).length} submissions, 0 graded now, ${Object.keys(BLINK).length} unchanged (cached)`);
    expect(await readFile(path.join(out, 'grades.csv'), 'utf8')).toBe(before);
    // No build and no guest: only resolving the guest image and the toolchain.
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});

test('a changed submission is graded again, the unchanged one is not; --force grades both', async () => {
  test.setTimeout(600_000);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-grade-test-'));
  try {
    const submissions = path.join(dir, 'submissions');
    for (const student of ['correct', 'does-not-compile']) await cp(path.join(SAMPLES, 'blink', student), path.join(submissions, student), { recursive: true });
    const grade = (...extra: string[]) => pinrig(['grade', submissions, '--assignment', 'blink', '--out', path.join(dir, 'out'), ...extra], 300_000);
    expect((await grade()).stdout).toContain('2 submissions, 2 graded now, 0 unchanged');
    expect((await grade()).stdout).toContain('2 submissions, 0 graded now, 2 unchanged');
    // A file that is not .c/.h changes nothing; a source file does.
    await appendFile(path.join(submissions, 'correct', 'notes.txt'), 'not part of the submission\n');
    await appendFile(path.join(submissions, 'does-not-compile', 'blink.c'), '/* still broken */\n');
    const changed = await grade();
    expect(changed.stdout).toContain('2 submissions, 1 graded now, 1 unchanged');
    expect(changed.stdout).toMatch(/^correct +100\/100 \(cached\)/m);
    expect((await grade('--force')).stdout).toContain('2 submissions, 2 graded now, 0 unchanged');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('counter: every sample submission gets the score and the reason it deserves', async () => {
  test.setTimeout(600_000);
  const out = await mkdtemp(path.join(os.tmpdir(), 'pinrig-grade-test-'));
  try {
    await gradeAndCheck('counter', COUNTER, out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('the reference solutions are the samples graded at full marks', async () => {
  for (const [assignment, file] of [['blink', 'blink.c'], ['counter', 'counter.c']] as const) {
    const reference = await readFile(path.join(ROOT, 'scenarios', 'grading', assignment, 'reference', file), 'utf8');
    expect(await readFile(path.join(SAMPLES, assignment, 'correct', file), 'utf8')).toBe(reference);
  }
});
