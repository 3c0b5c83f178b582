/**
 * harness/grading/gradescope/run_autograder as Gradescope runs it, with /autograder/submission, /autograder/results
 * and /autograder/source moved to temporary folders through its environment variables: a real grade of a sample
 * submission in a QEMU guest, written as a results.json in Gradescope's documented format.
 */
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gradescopeResults } from '../../harness/grading/exports/formats.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'harness/grading/gradescope/run_autograder');

let dir: string;

test.beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-gradescope-test-'));
  await mkdir(path.join(dir, 'source'));
  await writeFile(path.join(dir, 'source', 'assignment'), 'blink\n');
});

test.afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function runAutograder(env: Record<string, string> = {}) {
  return execa(SCRIPT, [], {
    reject: false, stdin: 'ignore', timeout: 300_000,
    env: {
      PINRIG_GRADESCOPE_SUBMISSION: path.join(dir, 'submission'),
      PINRIG_GRADESCOPE_RESULTS: path.join(dir, 'results'),
      PINRIG_GRADESCOPE_SOURCE: path.join(dir, 'source'),
      PINRIG_ROOT: ROOT,
      ...env,
    },
  });
}

test('grades the submission and writes results.json in the Gradescope format; a symbolic link is never followed', async () => {
  test.setTimeout(360_000);
  await cp(path.join(ROOT, 'fixtures/submissions/blink/correct'), path.join(dir, 'submission'), { recursive: true });
  // Were this link followed, /etc/passwd would be compiled as C and the build would fail.
  await symlink('/etc/passwd', path.join(dir, 'submission', 'passwd.c'));
  const run = await runAutograder();
  expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
  const json = JSON.parse(await readFile(path.join(dir, 'results', 'results.json'), 'utf8'));
  const checked = gradescopeResults.safeParse(json);
  expect(checked.success, checked.error?.message).toBe(true);
  expect(json.score).toBe(100);
  expect(json.tests).toHaveLength(7);
  expect(json.tests.every((t: { status: string }) => t.status === 'passed')).toBe(true);
  // Gradescope shows the run's stdout to the teacher: pinrig's summary is there.
  expect(run.stdout).toMatch(/^submission +100\/100 +full marks$/m);
});

test('a harness failure writes no results.json and fails the run, so Gradescope shows an error instead of a zero', async () => {
  test.setTimeout(360_000);
  await cp(path.join(ROOT, 'fixtures/submissions/blink/correct'), path.join(dir, 'submission'), { recursive: true });
  const run = await runAutograder({ PINRIG_QEMU: path.join(dir, 'no-such-qemu') });
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toContain('pinrig wrote no Gradescope result');
  await expect(stat(path.join(dir, 'results', 'results.json'))).rejects.toThrow('ENOENT');
});

test('without an assignment it stops at once, saying where to name one', async () => {
  await mkdir(path.join(dir, 'submission'));
  await rm(path.join(dir, 'source', 'assignment'));
  const run = await runAutograder();
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toContain(`no assignment: put its name in ${path.join(dir, 'source')}/assignment or set PINRIG_ASSIGNMENT`);
});
