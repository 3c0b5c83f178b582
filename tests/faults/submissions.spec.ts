/**
 * Hostile or broken submission folders: each one named with its reason in the summary and grades.csv, the rest of the
 * class graded, nothing of the student's run on the host.
 */
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pinrig as runPinrig } from '../support/pinrig-cli.js';
import { expect, test } from './fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLES = path.join(ROOT, 'fixtures', 'submissions');
const pinrig = (args: readonly string[], timeoutMs: number) => runPinrig(args, { cwd: ROOT, timeoutMs });

test.describe.configure({ timeout: 600_000 });

test('a folder with an unsafe name or a symbolic link is not graded, with the reason; the others are', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-grade-test-'));
  try {
    const subs = path.join(dir, 'subs');
    await cp(path.join(SAMPLES, 'blink', 'correct'), path.join(subs, 'bad name;rm'), { recursive: true });
    await cp(path.join(SAMPLES, 'blink', 'correct'), path.join(subs, 'alice'), { recursive: true });
    await symlink(path.join(subs, 'alice'), path.join(subs, 'linked'));
    const run = await pinrig(['grade', subs, '--assignment', 'blink', '--out', path.join(dir, 'out')], 300_000);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^alice +100\/100 +full marks$/m);
    expect(run.stdout).toContain('not graded (2 folders: rename or copy them, then grade again):');
    expect(run.stdout).toContain('"bad name;rm" is not a usable student id');
    expect(run.stdout).toContain('"linked" is a symbolic link: a submission must be a folder of its own');
    const csv = await readFile(path.join(dir, 'out', 'grades.csv'), 'utf8');
    expect(csv.split('\n').filter((l) => l.startsWith('alice,'))).toHaveLength(1);
    expect(csv).not.toContain('bad name');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad input: a folder with nothing gradable and an unknown assignment are refused before any grading', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-grade-test-'));
  try {
    await cp(path.join(SAMPLES, 'blink', 'correct'), path.join(dir, 'subs', 'bad name;rm'), { recursive: true });
    const unsafe = await pinrig(['grade', path.join(dir, 'subs'), '--assignment', 'blink', '--out', path.join(dir, 'out')], 60_000);
    expect(unsafe.exitCode).toBe(2);
    expect(unsafe.stderr).toMatch(/^pinrig: .*subs: holds no gradable submission folders \(refused: "bad name;rm" is not a usable student id/m);
    const unknown = await pinrig(['grade', path.join(dir, 'subs'), '--assignment', 'nope', '--out', path.join(dir, 'out')], 60_000);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('pinrig: --assignment: no assignment "nope" (there are: blink, button, counter)');
    const workers = await pinrig(['grade', path.join(SAMPLES, 'blink'), '--assignment', 'blink', '--workers', 'many'], 60_000);
    expect(workers.exitCode).toBe(2);
    expect(workers.stderr).toContain('pinrig: --workers: must be a whole number from 1 to 16');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
test('a symbolic link for blink.c, or only a header: the reason is named, never an empty "did not build:"', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-grade-test-'));
  try {
    const subs = path.join(dir, 'subs');
    await mkdir(path.join(subs, 'linked-source'), { recursive: true });
    await symlink(path.join(SAMPLES, 'blink', 'correct', 'blink.c'), path.join(subs, 'linked-source', 'blink.c'));
    await mkdir(path.join(subs, 'header-only'));
    await writeFile(path.join(subs, 'header-only', 'blink.h'), '#define PIN 17\n');
    const run = await pinrig(['grade', subs, '--assignment', 'blink', '--out', path.join(dir, 'out')], 300_000);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^linked-source +0\/100 +did not build: no \.c file that can be built at the top of the submission folder: blink\.c \(a symbolic link\)$/m);
    expect(run.stdout).toMatch(/^header-only +0\/100 +did not build: no \.c file at the top of the submission folder$/m);
    expect(run.stdout).not.toMatch(/did not build: *$/m);
    const feedback = await readFile(path.join(dir, 'out', 'feedback', 'linked-source.md'), 'utf8');
    expect(feedback).toContain('blink.c (a symbolic link)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
