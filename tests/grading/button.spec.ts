/**
 * `pinrig grade` over the button assignment's samples, for real: each built in the sandbox and pressed, bounces and
 * all, in a fresh qemu-virt guest. Every sample must get the score and the reason it deserves.
 */
import { test, expect } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pinrig } from '../support/pinrig-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLES = path.join(ROOT, 'fixtures', 'submissions', 'button');

interface Deserved {
  readonly score: number;
  /** Criteria (CSV column names start with these) that must earn nothing; all others full points. */
  readonly lost: readonly string[];
  /** What the student's feedback page must say. */
  readonly reason: RegExp;
}

// The presses land on the same nanoseconds of the guest's clock on every run, so even the counts are exact.
const BUTTON: Record<string, Deserved> = {
  correct: { score: 100, lost: [], reason: /Score: 100 \/ 100/ },
  'counts-every-bounce': {
    score: 55,
    lost: ['8 bouncing', '10 bouncing'],
    reason: /the count rose by 110, from 5 to 115 \(220 edges driven[\s\S]*more than one press was counted per press/,
  },
  'misses-presses': { score: 80, lost: ['10 bouncing'], reason: /the count rose by 5, from 13 to 18[\s\S]*Presses were lost: with presses 50 ms apart/ },
  'leaks-irq': { score: 80, lost: ['unload'], reason: /after rmmod, reading \/proc\/interrupts crashed the kernel[\s\S]*free\\?_irq missing on unload/ },
};

function parseCsv(text: string): { header: string[]; rows: Map<string, string[]> } {
  const [head, ...lines] = text.trim().split('\n');
  return { header: head!.split(','), rows: new Map(lines.map((line) => line.split(',')).map((cells) => [cells[0]!, cells])) };
}

test('every button sample gets the score and the reason it deserves', async () => {
  test.setTimeout(900_000);
  const out = await mkdtemp(path.join(os.tmpdir(), 'pinrig-button-test-'));
  try {
    const run = await pinrig(['grade', SAMPLES, '--assignment', 'button', '--out', out, '--workers', '2'], { cwd: ROOT, timeoutMs: 600_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${Object.keys(BUTTON).length} submissions, ${Object.keys(BUTTON).length} graded now, 0 unchanged`);
    const { header, rows } = parseCsv(await readFile(path.join(out, 'grades.csv'), 'utf8'));
    expect([...rows.keys()].sort()).toEqual(Object.keys(BUTTON).sort());
    for (const [student, want] of Object.entries(BUTTON)) {
      const row = rows.get(student)!;
      const page = await readFile(path.join(out, 'feedback', `${student}.md`), 'utf8');
      expect.soft(Number(row[1]), `${student}'s score; feedback:\n${page}`).toBe(want.score);
      const zeroed = header.slice(3).filter((_, i) => Number(row[3 + i]) === 0).map((name) => want.lost.find((l) => name.startsWith(l)) ?? name);
      expect.soft(zeroed.sort(), `${student}'s criteria without points`).toEqual([...want.lost].sort());
      expect.soft(page, `${student}'s feedback`).toMatch(want.reason);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
