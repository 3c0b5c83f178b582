/**
 * Hostile inputs to the pinrig command, whole process: a .sr whose metadata member inflates to 2 GiB (a ~2 MB file),
 * and a 15 MB board profile. Prints wall time and peak resident memory (GNU time's %M), median of several runs,
 * beside Node's own floor (`node -e 0`) and, for the capture, sigrok-cli reading the same file.
 * Goal (issue 13): each refused in under 1 s and under 150 MB.
 * Run: npx tsx bench/faults.ts [runs]
 */
import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { row } from './stats.js';

const runs = Number(process.argv[2] ?? 5);
const BIN = path.resolve(import.meta.dirname, '../bin/pinrig.js');
const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-bench-faults-'));

/** A session file whose `metadata` member is 2 GiB of spaces once inflated. */
async function metadataBomb(file: string): Promise<void> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('2'), 'version', { compress: false });
  const chunk = Buffer.alloc(1 << 20, 0x20);
  zip.addReadStream(Readable.from((function* () { for (let i = 0; i < 2048; i++) yield chunk; })()), 'metadata');
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}

/** Seconds and peak resident MB of one whole command, by GNU time. */
async function measure(command: string[]): Promise<{ seconds: number; mb: number; exitCode: number }> {
  const run = await execa('/usr/bin/time', ['-f', '%e %M', ...command], { reject: false, stdin: 'ignore', timeout: 120_000 });
  const [seconds, kb] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, mb: kb! / 1024, exitCode: run.exitCode ?? -1 };
}

async function report(label: string, command: string[]): Promise<void> {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await measure(command));
  console.log(row(`${label}: wall`, results.map((r) => r.seconds), 's', 2));
  console.log(row(`${label}: peak RSS`, results.map((r) => r.mb), 'MB'));
  console.log(`${''.padEnd(44)} exit status ${[...new Set(results.map((r) => r.exitCode))].join(', ')}`);
}

try {
  const bomb = path.join(dir, 'bomb.sr');
  await metadataBomb(bomb);
  const profile = path.join(dir, 'huge.yaml');
  await writeFile(profile, `board: huge\ndescription: "${'x'.repeat(15 << 20)}"\n`);
  await execa('node', [BIN, '--version']); // builds the CLI bundle if a source changed
  await report('node -e 0 (the floor)', ['node', '-e', '0']);
  await report('pinrig capture inspect metadata bomb', ['node', BIN, 'capture', 'inspect', bomb]);
  await report('sigrok-cli -i metadata bomb -O vcd', ['sigrok-cli', '-i', bomb, '-O', 'vcd']);
  await report('pinrig board check 15 MB profile', ['node', BIN, 'board', 'check', profile]);
} finally {
  await rm(dir, { recursive: true, force: true });
}
