/**
 * Grading throughput for the blink assignment (issue 11 goal: at least 30 submissions per minute on this 2-core
 * machine, build included; the first round's ≈ 11/min), each submission built and given a clean guest, and where the
 * time goes (build, guest, rubric); then a clean guest restored from the saved one beside a cold boot, in this run.
 * The batch is copies of sample submissions (a correct one, one with wrong timing) under distinct student ids,
 * graded with --force so nothing comes from the cache; the figure is the median over the runs.
 * Run: npx tsx bench/grade.ts [runs] [submissions] [workers]
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gradeClass } from '../harness/grading/class-run.js';
import { ensureGuestImage } from '../harness/guest/image.js';
import { bootRaspi3b, raspi3b } from '../harness/targets/qemu-raspi3b.js';
import { ensureSnapshot } from '../harness/targets/snapshot.js';
import { median, row } from './stats.js';

const runs = Number(process.argv[2] ?? 3);
const count = Number(process.argv[3] ?? 12);
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
    const outcome = await gradeClass({ submissionsDir: submissions, assignment: 'blink', outDir: path.join(dir, 'out'), workers, force: true });
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
  console.log(row('per submission: clean guest with the module', split.boot, 's', 2));
  console.log(row('per submission: rubric', split.rubric, 's', 2));
  console.log(row('per submission: total (one worker)', split.total, 's', 2));
  console.log(`goal >= 30/min: ${median(perMinute) >= 30 ? 'met' : 'NOT met'} (median ${median(perMinute).toFixed(1)}/min, ×${(median(perMinute) / 11).toFixed(1)} the first round's 11/min)`);

  // A grading guest (the same kernel arguments as harness/grading/session.ts) cold-booted, and restored, to a shell.
  const machine = { image: await ensureGuestImage({ progress: () => {} }), append: 'oops=panic panic=-1', extraArgs: ['-no-reboot'], endOnOops: false };
  const snapshot = await ensureSnapshot(raspi3b, machine);
  const times = { boot: [] as number[], restore: [] as number[] };
  for (let i = 0; i < runs * 2; i++) {
    for (const [kind, options] of [['boot', machine], ['restore', { ...machine, restore: snapshot }]] as const) {
      const started = performance.now();
      const target = await bootRaspi3b(options);
      await target.shell.check('true');
      times[kind].push((performance.now() - started) / 1000);
      await target.close();
    }
  }
  console.log(row('raspi3b guest to a shell: cold boot', times.boot, 's', 2));
  console.log(row('raspi3b guest to a shell: restored', times.restore, 's', 2));
  console.log(`restore ×${(median(times.boot) / median(times.restore)).toFixed(1)} faster than a boot`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
