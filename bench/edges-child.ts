/**
 * One measured run for bench/edges.ts, in a process of its own so that its peak RSS is its own:
 *   write <sparse|busy> <file.sr> [samples]   generate the bench capture with pinrig's writer (default 100M samples)
 *   read <file.sr>                  extract all edges with readSr, in a fresh process (JIT warm-up included)
 *   read-warm <file.sr>             the same, timed on a second read: the steady state of a long-running harness
 *   baseline                        nothing: the RSS of Node with these modules loaded
 * Prints one JSON line: { seconds, cpuSeconds (all threads), maxRssMB, samples, edges }.
 */
import { readSr, writeSr } from '../harness/files/sr.js';
import { random } from '../tests/support/random.js';
import { makeWaveform, type Channel, type Waveform } from '../harness/signals/waveform.js';

const SAMPLES = 100_000_000;
const RATE = 24_000_000;
const SPARSE_CHANNELS = 7;
/** About 376k edges over the sparse channels, as in the capture sigrok.md measured. */
const MEAN_GAP = Math.round((SAMPLES * SPARSE_CHANNELS) / 376_000);

function sparseChannel(index: number, samples: number): Channel {
  const next = random(index + 1);
  const edges: number[] = [];
  for (let t = 1 + Math.floor(next() * 2 * MEAN_GAP); t < samples; t += 1 + Math.floor(next() * 2 * MEAN_GAP)) edges.push(t);
  return { name: `D${index}`, initial: 0, edges: Uint32Array.from(edges) };
}

/** 1 MHz at 24 MHz: a level change every 12 samples. */
function clockChannel(name: string, samples: number): Channel {
  const half = RATE / 1_000_000 / 2;
  const edges = new Uint32Array(Math.ceil(samples / half) - 1);
  for (let i = 0; i < edges.length; i++) edges[i] = (i + 1) * half;
  return { name, initial: 0, edges };
}

function benchWaveform(kind: string, samples: number): Waveform {
  const channels = Array.from({ length: SPARSE_CHANNELS }, (_, i) => sparseChannel(i, samples));
  channels.push(kind === 'busy' ? clockChannel('D7', samples) : { name: 'D7', initial: 0, edges: [] });
  return makeWaveform(RATE, samples, channels, `bench ${kind}`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'read-warm') await readSr(args[0]!);
const start = performance.now();
const cpuStart = process.cpuUsage();
let samples = 0;
let edges = 0;
if (mode === 'write') {
  const waveform = benchWaveform(args[0]!, Number(args[2] ?? SAMPLES));
  await writeSr(args[1]!, waveform);
  samples = waveform.length;
  edges = waveform.channels.reduce((n, ch) => n + ch.edges.length, 0);
} else if (mode === 'read' || mode === 'read-warm') {
  const { waveform } = await readSr(args[0]!);
  samples = waveform.length;
  edges = waveform.channels.reduce((n, ch) => n + ch.edges.length, 0);
} else if (mode !== 'baseline') {
  throw new Error('usage: edges-child.ts write <sparse|busy> <file.sr> [samples] | read <file.sr> | read-warm <file.sr> | baseline');
}
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds, maxRssMB: process.resourceUsage().maxRSS / 1024, samples, edges })}\n`);
