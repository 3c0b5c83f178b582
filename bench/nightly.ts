/**
 * The nightly (the three emulation projects) with a clean guest per test, beside the baseline of one guest per worker
 * (PINRIG_GUEST=worker), in the same run: wall time (median of N runs), the ratio against the baseline, and each test's
 * guest-ready time (its `machine` annotation: "restored in 0.42 s"). Goals (issue 12): ≤ 20 s, ≤ 0.6 s median.
 * Run: npx tsx bench/nightly.ts [runs=3]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { median } from './stats.js';

const runs = Number(process.argv[2] ?? 3);
const REPO = path.resolve(import.meta.dirname, '..');
const PROJECTS = ['qemu-raspi3b', 'qemu-raspi4b', 'qemu-virt'].map((p) => `--project=${p}`);
const scratch = await mkdtemp(path.join(os.tmpdir(), 'pinrig-bench-nightly-'));

interface Result { seconds: number; passed: number; failed: number; readyS: number[] }

async function nightly(name: string, env: Record<string, string>, workers: number): Promise<Result> {
  const folder = path.join(scratch, name);
  const json = path.join(folder, 'results.json');
  const started = performance.now();
  await execa('npx', ['playwright', 'test', ...PROJECTS, `--workers=${workers}`], {
    cwd: REPO, reject: false, timeout: 900_000, stdin: 'ignore', env: { ...env, PINRIG_REPORTS: folder },
  });
  const seconds = (performance.now() - started) / 1000;
  const report = JSON.parse(await readFile(json, 'utf8')) as { stats: { expected: number; unexpected: number }; suites: Suite[] };
  const readyS: number[] = [];
  const walk = (suite: Suite) => {
    for (const spec of suite.specs ?? []) for (const t of spec.tests) for (const r of t.results) {
      const note = (r.annotations ?? []).find((a) => a.type === 'machine')?.description ?? '';
      const m = /^restored in ([\d.]+) s$/.exec(note);
      if (m) readyS.push(Number(m[1]));
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  report.suites.forEach(walk);
  return { seconds, passed: report.stats.expected, failed: report.stats.unexpected, readyS };
}

type Suite = { specs?: Array<{ tests: Array<{ results: Array<{ annotations?: Array<{ type: string; description?: string }> }> }> }>; suites?: Suite[] };

const modes: Array<{ name: string; env: Record<string, string>; workers: number }> = [
  // The issue's baseline ("22 s with a guest per worker") was `npm run nightly` as it then was: two workers.
  { name: 'guest per worker, 2 workers (baseline)', env: { PINRIG_GUEST: 'worker' }, workers: 2 },
  { name: 'clean guest per test, 2 workers (npm run nightly)', env: {}, workers: 2 },
  { name: 'guest per worker, 1 worker', env: { PINRIG_GUEST: 'worker' }, workers: 1 },
  { name: 'clean guest per test, 1 worker', env: {}, workers: 1 },
];
const results = new Map<string, Result[]>(modes.map((m) => [m.name, []]));
try {
  await nightly('warm-up', {}, 1); // saved guests and the image are made once, outside the timing
  for (let i = 0; i < runs; i++) {
    for (const mode of modes) results.get(mode.name)!.push(await nightly(`${i}-${mode.workers}-${mode.env['PINRIG_GUEST'] ?? 'test'}`, mode.env, mode.workers));
  }
  const baseline = median(results.get(modes[0]!.name)!.map((r) => r.seconds));
  console.log(`nightly, ${runs} runs each (median wall time; passed/failed per run; guest ready per test)`);
  for (const mode of modes) {
    const rs = results.get(mode.name)!;
    const wall = median(rs.map((r) => r.seconds));
    const ready = rs.flatMap((r) => r.readyS);
    console.log(`  ${mode.name.padEnd(52)} ${wall.toFixed(1).padStart(5)} s  ×${(wall / baseline).toFixed(2)} of baseline  ` +
      `${rs.map((r) => `${r.passed}/${r.failed}`).join(' ')}` + (ready.length ? `  ready median ${median(ready).toFixed(2)} s (max ${Math.max(...ready).toFixed(2)}, n=${ready.length})` : ''));
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
