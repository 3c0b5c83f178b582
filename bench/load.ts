/**
 * Verdicts under host load (issue: virtual time on emulation). Idle, and with every host core saturated by CPU hogs
 * this bench starts and stops itself:
 * - the nightly (the three emulation projects): failures idle / loaded (goal 0 / 0 over the loaded runs);
 * - the sysfs blink's edge intervals on raspi3b in two runs, idle and loaded (goal: identical, or spread under 1 us).
 * Run: npx tsx bench/load.ts [loadedNightlyRuns=3]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ensureGuestImage } from '../harness/guest/image.js';
import { bootRaspi3b } from '../harness/targets/qemu-raspi3b.js';
import { loaded } from './cpu-hogs.js';

const loadedRuns = Number(process.argv[2] ?? 3);
const REPO = path.resolve(import.meta.dirname, '..');
const PROJECTS = ['qemu-raspi3b', 'qemu-raspi4b', 'qemu-virt'];
const scratch = await mkdtemp(path.join(os.tmpdir(), 'pinrig-bench-load-'));

/** One nightly run into a scratch folder (reports/ is left alone); returns failed test titles and the count. */
async function nightly(run: string): Promise<{ failed: string[]; passed: number; seconds: number }> {
  const json = path.join(scratch, `${run}.json`);
  const started = performance.now();
  await execa('npx', ['playwright', 'test', ...PROJECTS.map((p) => `--project=${p}`), '--reporter=json', `--output=${path.join(scratch, run)}`], {
    cwd: REPO, reject: false, env: { PLAYWRIGHT_JSON_OUTPUT_FILE: json }, timeout: 900_000,
  });
  const report = JSON.parse(await readFile(json, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number }; suites: unknown[] };
  const failed: string[] = [];
  const walk = (suite: { title?: string; specs?: Array<{ title: string; tests: Array<{ projectName: string; status: string }> }>; suites?: unknown[] }) => {
    for (const spec of suite.specs ?? []) for (const t of spec.tests) if (t.status === 'unexpected' || t.status === 'flaky') failed.push(`[${t.projectName}] ${spec.title}`);
    for (const child of suite.suites ?? []) walk(child as typeof suite);
  };
  report.suites.forEach((s) => walk(s as Parameters<typeof walk>[0]));
  return { failed, passed: report.stats.expected, seconds: (performance.now() - started) / 1000 };
}

/** A fresh raspi3b, 10 sysfs blink pulses of 100 ms; the intervals between successive edges, in virtual ns. */
async function blinkIntervals(): Promise<number[]> {
  const target = await bootRaspi3b({ image: await ensureGuestImage({ progress: () => {} }) });
  try {
    const gpio = await target.sysfsNumber('GPIO17');
    const value = `/sys/class/gpio/gpio${gpio}/value`;
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction`);
    const recording = await target.record(['GPIO17']);
    await target.shell.check(`for i in 1 2 3 4 5 6 7 8 9 10; do echo 1 > ${value}; usleep 100000; echo 0 > ${value}; usleep 100000; done`);
    const edges = [...(await recording.stop()).capture.waveform.channels[0]!.edges];
    return edges.slice(1).map((t, i) => t - edges[i]!);
  } finally {
    await target.close();
  }
}

try {
  console.log(`pinrig under load: ${os.availableParallelism()} cores; loaded = ${os.availableParallelism()} busy-looping processes\n`);

  const idleNightly = await nightly('idle');
  const loadedNightly = [];
  for (let i = 1; i <= loadedRuns; i++) loadedNightly.push(await loaded(() => nightly(`loaded-${i}`)));
  console.log(`nightly (${PROJECTS.join(', ')}): failures idle ${idleNightly.failed.length} / loaded ${loadedNightly.map((r) => r.failed.length).join(', ')} over ${loadedRuns} loaded runs`);
  console.log(`  passed idle ${idleNightly.passed} in ${idleNightly.seconds.toFixed(1)} s; loaded ${loadedNightly.map((r) => `${r.passed} in ${r.seconds.toFixed(1)} s`).join(', ')}`);
  for (const f of [...idleNightly.failed, ...loadedNightly.flatMap((r) => r.failed)]) console.log(`  FAILED ${f}`);

  const runs = { idle: [await blinkIntervals(), await blinkIntervals()], loaded: await loaded(async () => [await blinkIntervals(), await blinkIntervals()]) };
  const all = [...runs.idle, ...runs.loaded];
  console.log('\nsysfs blink on raspi3b, 20 edges: intervals between successive edges (virtual ms), four fresh guests');
  for (const [name, intervals] of [['idle 1', runs.idle[0]!], ['idle 2', runs.idle[1]!], ['loaded 1', runs.loaded[0]!], ['loaded 2', runs.loaded[1]!]] as const) {
    console.log(`  ${name.padEnd(9)} ${intervals.map((ns) => (ns / 1e6).toFixed(6)).join(' ')}`);
  }
  const maxSpread = (rs: number[][]) => Math.max(...rs[0]!.map((_, i) => Math.max(...rs.map((r) => r[i]!)) - Math.min(...rs.map((r) => r[i]!))));
  const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  console.log(`  median interval per run (ms): ${all.map((r) => (medianOf(r) / 1e6).toFixed(6)).join(', ')}`);
  console.log(`  largest run-to-run difference of one interval: idle vs idle ${(maxSpread(runs.idle) / 1000).toFixed(3)} us; across all four ${(maxSpread(all) / 1000).toFixed(3)} us`);
  console.log(`  identical in all four runs: ${maxSpread(all) === 0}`);
  console.log('  (where they differ, the cause is the guest\'s own: the virtual time at which the host\'s command arrives depends on host timing,');
  console.log('   so the loop\'s phase against the guest kernel\'s periodic work differs; idle vs idle differs as much as idle vs loaded)');
} finally {
  await rm(scratch, { recursive: true, force: true });
}
