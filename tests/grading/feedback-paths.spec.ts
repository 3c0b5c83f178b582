/**
 * Feedback names no folder of the grading machine, wherever the repository is cloned: CI clones it under /check/,
 * a folder the generic host-path pattern does not list, so the repository itself must be scrubbed by name.
 */
import { test, expect } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';
import { sanitize } from '../../harness/grading/kbuild-output.js';
import { hostPathScrubber } from '../../harness/grading/scrub.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

test('the repository, the home folder and pinrig scratch folders are named neutrally, wherever they are', () => {
  const scrub = hostPathScrubber({});
  const text = [
    `${REPO_ROOT}/package.json`,
    `${os.homedir()}/.ssh/id_ed25519`,
    `${path.join(os.tmpdir(), 'pinrig-grade-1a2b')}/alice/main.c`,
  ].join('\n');
  expect(scrub(text)).toBe(['<grader>/package.json', '<home>/.ssh/id_ed25519', '<scratch>/pinrig-grade-1a2b/alice/main.c'].join('\n'));
});

test('the given folders win over the ones they sit in (longest first)', () => {
  const submissions = path.join(REPO_ROOT, 'reports', 'submissions', 'alice');
  const scrub = hostPathScrubber({ [submissions]: 'submission' });
  expect(scrub(`${submissions}/main.c:3:1: error: x\n${REPO_ROOT}/harness`)).toBe('submission/main.c:3:1: error: x\n<grader>/harness');
});

test('build output: the repository, a student #include of it, the sandbox and header paths, and control characters', () => {
  const headers = path.join(REPO_ROOT, '.cache', 'kernel-headers', '6.1.0-56-arm64');
  const scrub = hostPathScrubber({ [headers]: 'kernel-headers' });
  const log = [
    `submission/main.c:1:10: fatal error: ${REPO_ROOT}/package.json: No such file or directory`,
    `  CC [M]  /submission/main.o`,
    `/usr/src/linux-headers-6.1.0-56-common/include/linux/printk.h:5: note: x`,
    `${headers}/linux-headers-6.1.0-56-arm64/Makefile`,
    `main.c:2: error: #error "\x1b]0;owned\x07"`,
  ].join('\n');
  const clean = sanitize(log, scrub);
  expect(clean).not.toContain(REPO_ROOT);
  expect(clean).not.toContain('\x1b');
  expect(clean.split('\n')).toEqual([
    'submission/main.c:1:10: fatal error: <grader>/package.json: No such file or directory',
    '  CC [M]  submission/main.o',
    'kernel-headers/include/linux/printk.h:5: note: x',
    'kernel-headers/linux-headers-6.1.0-56-arm64/Makefile',
    'main.c:2: error: #error "]0;owned"',
  ]);
});
