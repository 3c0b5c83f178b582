/**
 * A property test: random waveforms, written as session files of every unitsize (1 to 8 bytes) and layout (version 1
 * with one member, version 2 with chunks of random size, probe numbers with gaps, more probes listed than the unit
 * holds, metadata lines in random order) and as VCD, read back by pinrig: the same channels, levels and edges.
 */
import { expect, test } from '@playwright/test';
import { readSr } from '../../harness/files/sr.js';
import { readVcd, writeVcd } from '../../harness/files/vcd.js';
import type { Waveform } from '../../harness/signals/waveform.js';
import { random } from '../support/random.js';
import { metadataText, randomWaveform, writeZip } from './support.js';

const CASES = 40;

/** The samples of `waveform` with channel i on bit bits[i], `unitsize` bytes each, little-endian. */
function render(waveform: Waveform, bits: readonly number[], unitsize: number): Uint8Array {
  const bytes = new Uint8Array(waveform.length * unitsize);
  waveform.channels.forEach((ch, i) => {
    let level = ch.initial;
    let next = 0;
    for (let t = 0; t < waveform.length; t++) {
      if (ch.edges[next] === t) {
        level ^= 1;
        next++;
      }
      if (level) bytes[t * unitsize + (bits[i]! >> 3)]! |= 1 << (bits[i]! & 7);
    }
  });
  return bytes;
}

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

test(`${CASES} random waveforms through .sr files of every unitsize and layout, and through VCD`, async () => {
  for (let seed = 1; seed <= CASES; seed++) {
    const next = random(seed * 7919);
    const unitsize = 1 + (seed % 8);
    const count = 1 + Math.floor(next() * Math.min(8, unitsize * 8));
    const waveform = randomWaveform({ rate: [1e6, 24e6, 625e3, 1e9][seed % 4]!, length: 500 + Math.floor(next() * 4000), channels: count, meanGap: 1 + Math.floor(next() * 40), seed });
    // Probe bits: distinct, within 32 consecutive bits of the unit (what pinrig reads), in increasing order.
    const span = Math.min(32, unitsize * 8);
    const base = 8 * Math.floor(next() * (unitsize - Math.ceil(span / 8) + 1));
    const bits = shuffle(Array.from({ length: span }, (_, b) => base + b), next).slice(0, count).sort((a, b) => a - b);
    const named = waveform.channels.map((ch, i) => ({ ...ch, bit: bits[i]! }));
    const version = next() < 0.3 ? '1' : '2';
    const layout = `seed ${seed}: unitsize ${unitsize}, bits ${bits.join(',')}, version ${version}`;

    const samples = render(waveform, bits, unitsize);
    const members: Array<{ name: string; data: Uint8Array }> = [];
    if (version === '1') members.push({ name: 'logic-1', data: samples });
    else {
      for (let at = 0, i = 1; at < waveform.length; i++) {
        const n = Math.min(waveform.length - at, 1 + Math.floor(next() * 1500));
        members.push({ name: `logic-1-${i}`, data: samples.subarray(at * unitsize, (at + n) * unitsize) });
        at += n;
      }
    }
    const listed = next() < 0.3 ? 64 : bits.at(-1)! + 1 + Math.floor(next() * 3);
    const lines = shuffle([
      ['capturefile', 'logic-1'], ['samplerate', `${waveform.rate / 1e3} kHz`], ['unitsize', unitsize], ['total analog', 0],
    ] as Array<[string, string | number]>, next);
    const metadata = Object.fromEntries([...lines, ['total probes', listed], ...named.map((c) => [`probe${c.bit + 1}`, c.name])]);
    const file = test.info().outputPath(`random-${seed}.sr`);
    await writeZip(file, [{ name: 'version', data: version, compress: false }, { name: 'metadata', data: metadataText(metadata) }, ...members]);
    const read = (await readSr(file)).waveform;
    expect({ rate: read.rate, length: read.length }, layout).toEqual({ rate: waveform.rate, length: waveform.length });
    expect(read.channels.map((c) => ({ name: c.name, initial: c.initial, edges: Array.from(c.edges) })), layout)
      .toEqual(waveform.channels.map((c) => ({ name: c.name, initial: c.initial, edges: Array.from(c.edges) })));

    const vcd = test.info().outputPath(`random-${seed}.vcd`);
    await writeVcd(vcd, waveform);
    const back = await readVcd(vcd);
    expect({ rate: back.rate, length: back.length }, `${layout}, VCD`).toEqual({ rate: waveform.rate, length: waveform.length });
    expect(back.channels.map((c) => ({ name: c.name, initial: c.initial, edges: Array.from(c.edges) })), `${layout}, VCD`)
      .toEqual(waveform.channels.map((c) => ({ name: c.name, initial: c.initial, edges: Array.from(c.edges) })));
  }
});
