/**
 * Grading throughput for the blink assignment (issue target: at least 10 submissions per minute on this 2-core
 * machine), each submission built and loaded into a fresh guest, and where the time goes (build, boot, rubric).
 * The batch is copies of sample submissions (a correct one, one with wrong timing) under distinct student ids,
 * graded with --force so nothing comes from the cache; the figure is the median over the runs.
 * Run: npx tsx bench/grade.ts [runs] [submissions] [workers]
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gradeBatch } from '../harness/grading/batch.js';
import { median, row } from './stats.js';

const runs = Number(process.argv[2] ?? 3);
const count = Number(process.argv[3] ?? 8);
const workers = Number(process.argv[4] ?? 2);
const SAMPLES = path.resolve(import.meta.dirname, '../fixtures/submissions/blink');
const TEMPLATES = ['correct', 'wrong-timing'];

const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-bench-grade-'));
try {
  const submissions = path.join(dir, 'submissions');
  await mkdir(submissions);
  for (let i = 0; i < count; i++) await cp(path.join(SAMPLES, TEMPLATES[i % TEMPLATES.length]!), path.join(submissions, `student-${String(i + 1).padStart(2, '0')}`), { recursive: true });
  console.log(`pinrig grade blink: ${count} submissions (${TEMPLATES.join(', ')} alternating), ${workers} workers, ${runs} runs, forced (no cache)`);
  const perMinute: number[] = [];
  const split = { build: [] as number[], boot: [] as number[], rubric: [] as number[], total: [] as number[] };
  for (let run = 1; run <= runs; run++) {
    const outcome = await gradeBatch({ submissionsDir: submissions, assignment: 'blink', outDir: path.join(dir, 'out'), workers, force: true });
    const graded = outcome.results.filter((r) => r.status === 'graded');
    if (graded.length !== count) throw new Error(`run ${run}: ${count - graded.length} submissions were not graded: ${outcome.results.map((r) => r.error).filter(Boolean).join('; ')}`);
    for (const r of graded) {
      split.build.push(r.timings.buildMs / 1000);
      split.boot.push(r.timings.bootMs / 1000);
      split.rubric.push(r.timings.rubricMs / 1000);
      split.total.push(r.timings.totalMs / 1000);
    }
    perMinute.push(count / (outcome.ms / 60_000));
    console.log(`run ${run}: ${(outcome.ms / 1000).toFixed(1)} s for ${count}: ${perMinute[perMinute.length - 1]!.toFixed(1)} submissions/min; scores ${graded.map((r) => r.score).join(' ')}`);
  }
  console.log(row('submissions per minute (whole batch)', perMinute, '/min'));
  console.log(row('per submission: build', split.build, 's', 2));
  console.log(row('per submission: boot to ready shell', split.boot, 's', 2));
  console.log(row('per submission: rubric', split.rubric, 's', 2));
  console.log(row('per submission: total (one worker)', split.total, 's', 2));
  console.log(`target >= 10/min: ${median(perMinute) >= 10 ? 'met' : 'NOT met'} (median ${median(perMinute).toFixed(1)}/min)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
