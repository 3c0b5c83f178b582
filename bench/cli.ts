/**
 * The pinrig command's whole-process time, start-up included: `pinrig capture inspect` beside
 * `sigrok-cli -i F -O vcd -o /dev/null` on a small real capture and on a 100M-sample one (bench/edges.ts's sparse
 * capture, made here if missing), and beside Node's floor (`node -e 0`). Median of several runs, interleaved.
 * Then the peak RSS of `pinrig capture inspect` on busy captures (a 1 MHz clock at 24 MHz beside sparse channels) of
 * 100M and 1G samples (8.7M and 87M edges): it must not grow with the length or the edge count.
 * Goals (issue 9): ≤ 0.15 s on the small capture; ≥ 5x faster than sigrok-cli on the large one; ≤ 128 MB at 1G.
 * Run: npx tsx bench/cli.ts [runs]
 */
import { execa } from 'execa';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { median, row } from './stats.js';

const runs = Number(process.argv[2] ?? 5);
const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'pinrig.js');
const SMALL = path.resolve(ROOT, '../shared/captures/uart_hello_world_8n1_hello_world_8n1_9600.sr');
const LARGE = path.join(tmpdir(), 'pinrig-bench', 'sparse-v1.sr');
const BUSY = { '100M': path.join(tmpdir(), 'pinrig-bench', 'busy-v1.sr'), '1G': path.join(tmpdir(), 'pinrig-bench', 'busy-1g-v1.sr') };

/** A bench capture made once by pinrig's writer (bench/edges-child.ts) and kept in the temp dir. */
async function ensureCapture(file: string, kind: 'sparse' | 'busy', samples: number): Promise<void> {
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  console.log(`writing ${file} (${samples} samples, 8 channels at 24 MHz) with pinrig's writer...`);
  await execa('npx', ['tsx', 'bench/edges-child.ts', 'write', kind, file, String(samples)], { cwd: ROOT });
}

/** Wall seconds (from spawn to exit, timed here: GNU time rounds to 10 ms) and peak RSS (MB, by GNU time). */
async function measure(command: string[]): Promise<{ seconds: number; mb: number }> {
  const started = process.hrtime.bigint();
  const run = await execa('/usr/bin/time', ['-f', 'pinrig-bench %M', ...command], { stdin: 'ignore', stdout: 'ignore', reject: false });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const m = /pinrig-bench (\d+)/.exec(run.stderr);
  if (!m || run.exitCode !== 0) throw new Error(`${command.join(' ')}: ${run.stderr}`);
  return { seconds, mb: Number(m[1]) / 1024 };
}

async function compare(label: string, file: string): Promise<void> {
  const commands = {
    'node -e 0 (the floor)': ['node', '-e', '0'],
    'pinrig capture inspect': ['node', BIN, 'capture', 'inspect', file],
    'sigrok-cli -O vcd': ['sigrok-cli', '-i', file, '-O', 'vcd', '-o', '/dev/null'],
  };
  const results: Record<string, Array<{ seconds: number; mb: number }>> = {};
  for (let i = 0; i < runs; i++) {
    for (const [name, command] of Object.entries(commands)) (results[name] ??= []).push(await measure(command));
  }
  console.log(`${label}: ${file}`);
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${row(name, values.map((v) => v.seconds), 's', 3)}  peak RSS ${Math.max(...values.map((v) => v.mb)).toFixed(0)} MB`);
  }
  const ours = median(results['pinrig capture inspect']!.map((v) => v.seconds));
  const theirs = median(results['sigrok-cli -O vcd']!.map((v) => v.seconds));
  console.log(`  pinrig is ${(theirs / ours).toFixed(1)}x sigrok-cli's speed, whole process\n`);
}

await execa('node', [BIN, '--version']); // builds the bundle if a source changed, outside the timing
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (existsSync(SMALL)) await compare('small real capture (705 bytes, 36506 samples)', SMALL);
else console.log(`no ${SMALL} on this machine: the small case is skipped`);
await ensureCapture(LARGE, 'sparse', 100_000_000);
await compare('100M-sample capture', LARGE);
for (const [size, file] of Object.entries(BUSY)) {
  await ensureCapture(file, 'busy', size === '1G' ? 1_000_000_000 : 100_000_000);
  const results = [];
  for (let i = 0; i < Math.min(runs, 3); i++) results.push(await measure(['node', BIN, 'capture', 'inspect', file]));
  console.log(`busy ${size}: pinrig capture inspect  ${row('', results.map((r) => r.seconds), 's', 3).trim()}  peak RSS ${Math.max(...results.map((r) => r.mb)).toFixed(0)} MB (goal ≤ 128)`);
}
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
