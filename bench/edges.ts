/**
 * Edge extraction speed: pinrig's readSr beside `sigrok-cli -i X.sr -O vcd -o /dev/null` on 100M-sample,
 * 8-channel captures at 24 MHz, sparse (~376k edges) and busy (the same plus a 1 MHz clock, ~8.7M edges).
 * Figures, not a test:  npx tsx bench/edges.ts [runs] [--realtime]
 *
 * --realtime runs every measured process (pinrig's and sigrok-cli's alike) under `chrt -f 10` (needs root): on a shared
 * 2-core machine, other work then cannot take the cores from it, so the figures are those of the code, not of the load.
 *
 * Every run is a process of its own, so that its peak RSS is its own. pinrig's runs are plain `node` on the
 * modules compiled by tsc: under tsx, the loader's extra thread adds ~35 MB that is not pinrig's.
 * The captures are made once by pinrig's writer (also measured) and kept in the temp dir.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const REALTIME = process.argv.includes('--realtime');
const RUNS = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 5);
/** The command line of a measured process, under realtime scheduling if asked. */
const measured = (command: string[]): [string, string[]] => {
  const full = REALTIME ? ['chrt', '-f', '10', ...command] : command;
  return [full[0]!, full.slice(1)];
};
const SAMPLES = 100_000_000;
const ROOT = join(import.meta.dirname, '..');
const COMPILED = join(ROOT, '.cache', 'bench-js');
const CHILD = join(COMPILED, 'bench', 'edges-child.js');
const CAPTURES = join(tmpdir(), 'pinrig-bench');
/** Bump when edges-child.ts makes different captures. */
const CAPTURE_VERSION = 1;
const TARGET = { sparse: 1000, busy: 400 } as const;
/** Issue 9 bounds the sparse read; a busy read returns its edges (8.7M as Uint32, 35 MB), which the bound does not cover. */
const RSS_NOTE = { sparse: 'target ≤ 128', busy: 'holds its 35 MB of edges; bounded reads: bench/cli.ts' } as const;
const SIGROK_REFERENCE = { sparse: 61, busy: 20 } as const;

interface ChildRun {
  seconds: number;
  cpuSeconds: number;
  maxRssMB: number;
  samples: number;
  edges: number;
}

async function child(...args: string[]): Promise<ChildRun> {
  const { stdout } = await execa(...measured([process.execPath, CHILD, ...args]));
  return JSON.parse(stdout) as ChildRun;
}

/** sigrok-cli under /usr/bin/time: wall seconds and peak RSS of the process, which execa waits for (reaps). */
async function sigrok(file: string): Promise<{ seconds: number; maxRssMB: number }> {
  const { stderr } = await execa(...measured(['/usr/bin/time', '-f', 'pinrig-bench %e %M', 'sigrok-cli', '-i', file, '-O', 'vcd', '-o', '/dev/null']));
  const m = /pinrig-bench ([\d.]+) (\d+)/.exec(stderr);
  if (!m) throw new Error(`sigrok-cli said: ${stderr}`);
  return { seconds: Number(m[1]), maxRssMB: Number(m[2]) / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

console.log(`compiling bench/edges-child.ts with tsc into ${COMPILED}`);
await execa('tsc', ['bench/edges-child.ts', '--outDir', COMPILED, '--rootDir', '.', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node'], { cwd: ROOT, preferLocal: true });
mkdirSync(CAPTURES, { recursive: true });
const baseline = await child('baseline');
console.log(`node with pinrig's modules loaded, doing nothing: ${fmt(baseline.maxRssMB)} MB RSS`);
console.log(`load average at start: ${load()} (this machine has 2 cores; other work on it slows every figure)`);
console.log(REALTIME ? 'measured processes run under chrt -f 10 (realtime): other processes cannot take their cores\n' : '');

for (const kind of ['sparse', 'busy'] as const) {
  const file = join(CAPTURES, `${kind}-v${CAPTURE_VERSION}.sr`);
  if (existsSync(file)) {
    console.log(`${kind}: ${file} (cached)`);
  } else {
    const made = await child('write', kind, file);
    console.log(`${kind}: wrote ${file} with pinrig's writer in ${fmt(made.seconds, 2)} s, peak RSS ${fmt(made.maxRssMB)} MB`);
  }

  const pinrig: ChildRun[] = [];
  const warm: ChildRun[] = [];
  const reference: Array<{ seconds: number; maxRssMB: number }> = [];
  // Alternating, so that both see the same load on the machine.
  for (let i = 0; i < RUNS; i++) {
    pinrig.push(await child('read', file));
    warm.push(await child('read-warm', file));
    reference.push(await sigrok(file));
  }
  const p = median(pinrig.map((r) => r.seconds));
  const s = median(reference.map((r) => r.seconds));
  const rss = Math.max(...pinrig.map((r) => r.maxRssMB));
  const rate = SAMPLES / p / 1e6;
  console.log(`  ${pinrig[0]!.samples} samples, ${pinrig[0]!.edges} edges; median of ${RUNS} runs`);
  console.log(
    `  pinrig readSr  ${fmt(p, 3)} s  ${fmt(rate)} MS/s (target ≥ ${TARGET[kind]})  CPU ${fmt(median(pinrig.map((r) => r.cpuSeconds)), 3)} s` +
      `  peak RSS ${fmt(rss)} MB (${RSS_NOTE[kind]})  runs: ${pinrig.map((r) => fmt(r.seconds, 3)).join(' ')}`,
  );
  const w = median(warm.map((r) => r.seconds));
  console.log(
    `  pinrig readSr, warm (second read in one process) ${fmt(w, 3)} s  ${fmt(SAMPLES / w / 1e6)} MS/s (target ≥ ${TARGET[kind]})` +
      `  runs: ${warm.map((r) => fmt(r.seconds, 3)).join(' ')}`,
  );
  console.log(
    `  sigrok-cli VCD ${fmt(s, 3)} s  ${fmt(SAMPLES / s / 1e6)} MS/s (reference ${SIGROK_REFERENCE[kind]})` +
      `  peak RSS ${fmt(Math.max(...reference.map((r) => r.maxRssMB)))} MB  runs: ${reference.map((r) => fmt(r.seconds, 2)).join(' ')}`,
  );
  console.log(`  pinrig/sigrok: ${fmt(s / p, 1)}x faster cold, ${fmt(s / w, 1)}x warm\n`);
}
console.log(`load average at end: ${load()}`);
