/**
 * Reproducible grades (issue 11): every sample submission and each reference solution, graded 3 times idle and 3 times
 * with every host core busy (CPU hogs this bench starts and stops itself); per submission its six scores, and whether
 * they are all the same (goal: every one).
 * Run: npx tsx bench/grades.ts [runs=3] [assignment...]
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gradeClass } from '../harness/grading/class-run.js';
import { loaded } from './cpu-hogs.js';

const runs = Number(process.argv[2] ?? 3);
const REPO = path.resolve(import.meta.dirname, '..');
const assignments = process.argv.slice(3).length ? process.argv.slice(3) : (await readdir(path.join(REPO, 'fixtures', 'submissions')));
const scratch = await mkdtemp(path.join(os.tmpdir(), 'pinrig-bench-grades-'));

/** Harness errors met, with their reasons: an error is never a grade, but it is not the same result either. */
const errors: string[] = [];

/** The samples and the reference solution (as the student `reference`), graded once; score or error per student. */
async function scores(submissions: string, assignment: string, run: string): Promise<Map<string, string>> {
  const outcome = await gradeClass({ submissionsDir: submissions, assignment, outDir: path.join(scratch, `${assignment}-${run}`), workers: 2, force: true });
  for (const r of outcome.results) if (r.status !== 'graded') errors.push(`${assignment} ${run} ${r.student}: ${r.error}`);
  return new Map(outcome.results.map((r) => [r.student, r.status === 'graded' ? String(r.score) : 'error']));
}

try {
  let differing = 0;
  let total = 0;
  for (const assignment of assignments) {
    const submissions = path.join(scratch, `${assignment}-submissions`);
    await cp(path.join(REPO, 'fixtures', 'submissions', assignment), submissions, { recursive: true });
    await cp(path.join(REPO, 'scenarios', 'grading', assignment, 'reference'), path.join(submissions, 'reference'), { recursive: true });
    const idle: Array<Map<string, string>> = [];
    const busy: Array<Map<string, string>> = [];
    for (let i = 1; i <= runs; i++) idle.push(await scores(submissions, assignment, `idle-${i}`));
    for (let i = 1; i <= runs; i++) busy.push(await loaded(() => scores(submissions, assignment, `loaded-${i}`)));
    console.log(`\n${assignment}: scores idle ×${runs} | loaded ×${runs} (${os.availableParallelism()} cores busy)`);
    for (const student of idle[0]!.keys()) {
      const all = [...idle, ...busy].map((m) => m.get(student) ?? 'missing');
      const same = all.every((s) => s === all[0]);
      total++;
      if (!same) differing++;
      console.log(`  ${student.padEnd(24)} ${all.slice(0, runs).map((s) => s.padStart(5)).join(' ')} | ${all.slice(runs).map((s) => s.padStart(5)).join(' ')}${same ? '' : '   DIFFER'}`);
    }
  }
  console.log(`\nidentical in all ${2 * runs} runs: ${total - differing} of ${total} submissions`);
  if (errors.length) console.log(`harness errors met (an error is never a grade):\n${errors.map((e) => `  ${e}`).join('\n')}`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
