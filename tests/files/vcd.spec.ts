/**
 * VCD: files pinrig writes open in sigrok-cli (-I vcd) and GTKWave (vcd2fst) with the same edges, files they
 * write read back in pinrig, and the reader's decisions (x/z, glitches, timescales) hold.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { writeSr } from '../../harness/files/sr.js';
import { readVcd, writeVcd } from '../../harness/files/vcd.js';
import { retime } from '../../harness/signals/retime.js';
import { parseVcd, VcdReader } from '../../harness/signals/vcd.js';
import { makeWaveform } from '../../harness/signals/waveform.js';
import { random } from '../support/random.js';
import { expectSameWaveform, randomWaveform, sigrokWaveform } from './support.js';

test.describe('pinrig writes, sigrok-cli, GTKWave and pinrig read', () => {
  // The timescale is the coarsest one at which every edge is a whole number of ticks, never coarser than a sample,
  // and the one sigrok's VCD output picks for the rate. 24 MHz has none (41.666... ns), hence 100 ps, rounded.
  for (const [rate, timescale] of [
    [1_000_000, '1 us'],
    [4_000_000, '10 ns'],
    [625_000, '100 ns'],
    [200_000, '1 us'],
    [24_000_000, '100 ps'],
  ] as const) {
    test(`${rate} Hz: $timescale ${timescale}, read back exactly by pinrig and sigrok-cli`, async () => {
      const path = test.info().outputPath('out.vcd');
      const waveform = randomWaveform({ rate, length: 2000, channels: 4, meanGap: 40, seed: rate % 1000 });
      await writeVcd(path, waveform);

      expect(await readFile(path, 'utf8')).toContain(`$timescale ${timescale} $end`);
      const sr = test.info().outputPath('out.sr');
      await writeSr(sr, waveform);
      expect((await execa('sigrok-cli', ['-i', sr, '-O', 'vcd'])).stdout, "sigrok's own choice").toContain(`$timescale ${timescale} $end`);

      expectSameWaveform(await readVcd(path, { rate }), waveform);
      expectSameWaveform(await sigrokWaveform(['-i', path, '-I', 'vcd'], rate), waveform);
    });
  }

  test('24 MHz with every edge on a multiple of 3 samples: an exact 1 ns timescale', async () => {
    const path = test.info().outputPath('thirds.vcd');
    const waveform = makeWaveform(24_000_000, 3000, [
      { name: 'D0', initial: 0, edges: [3, 9, 300, 2997] },
      { name: 'D1', initial: 1, edges: [6] },
    ]);
    await writeVcd(path, waveform);
    expect(await readFile(path, 'utf8')).toContain('$timescale 1 ns $end');
    // The rate comes back from the comment the writer puts where sigrok-cli does: the same samples exactly.
    const read = await readVcd(path);
    expect(read.rate).toBe(24e6);
    expect(Array.from(read.channels[0]!.edges)).toEqual([3, 9, 300, 2997]);
    expectSameWaveform(await readVcd(path, { rate: 24_000_000 }), waveform);
  });

  test('the file rate itself: a 1 MHz waveform reads back without conversion', async () => {
    const path = test.info().outputPath('mhz.vcd');
    const waveform = randomWaveform({ rate: 1_000_000, length: 5000, channels: 3, meanGap: 20, seed: 11 });
    await writeVcd(path, waveform);
    expectSameWaveform(await readVcd(path), waveform);
  });

  test('a channel name with a space cannot become a VCD name', async () => {
    const path = test.info().outputPath('space.vcd');
    const waveform = makeWaveform(1000, 10, [{ name: 'my pin', initial: 0, edges: [] }]);
    await expect(writeVcd(path, waveform)).rejects.toMatchObject({ name: 'InputError', where: path, problem: expect.stringContaining('"my pin"') });
    expect(existsSync(path), 'nothing is written').toBe(false);
  });

  test('GTKWave (vcd2fst, then fst2vcd) reads the same edges', async () => {
    test.skip(!existsSync('/usr/bin/vcd2fst'), 'GTKWave is not installed (apt-get install gtkwave)');
    const vcd = test.info().outputPath('out.vcd');
    const fst = test.info().outputPath('out.fst');
    const waveform = randomWaveform({ rate: 24_000_000, length: 5000, channels: 5, meanGap: 30, seed: 5 });
    await writeVcd(vcd, waveform);
    await execa('vcd2fst', [vcd, fst]);
    const { stdout } = await execa('fst2vcd', [fst]);
    expectSameWaveform(retime(parseVcd(stdout, 'fst2vcd output'), 24_000_000), waveform);
  });
});

test.describe('reading', () => {
  const SIGROK_STYLE = [
    '$date Sat Nov 21 19:52:04 2026 $end',
    '$version libsigrok 0.5.2 $end',
    '$comment',
    '  Acquisition with 2/8 channels at 1 MHz',
    '$end',
    '$timescale 1 us $end',
    '$scope module libsigrok $end',
    '$var wire 1 ! TX $end',
    '$var wire 1 " RX $end',
    '$upscope $end',
    '$enddefinitions $end',
    '#0 1! 0"',
    '#5 0!',
    '#40 1! 1"',
    '#48 0"',
    '#60',
    '',
  ].join('\n');

  test('sigrok-style changes on the timestamp line, and the last timestamp as the end', () => {
    const waveform = parseVcd(SIGROK_STYLE, 'sigrok.vcd');
    expectSameWaveform(
      waveform,
      makeWaveform(1_000_000, 60, [
        { name: 'TX', initial: 1, edges: [5, 40] },
        { name: 'RX', initial: 0, edges: [40, 48] },
      ]),
    );
  });

  test('text fed in pieces of any size reads the same as in one piece', () => {
    const whole = parseVcd(SIGROK_STYLE, 'whole');
    const next = random(42);
    for (let round = 0; round < 20; round++) {
      const reader = new VcdReader('pieces');
      for (let at = 0; at < SIGROK_STYLE.length; ) {
        const size = 1 + Math.floor(next() * 9);
        reader.push(SIGROK_STYLE.slice(at, at + size));
        at += size;
      }
      expectSameWaveform(reader.finish(), whole);
    }
  });

  test('x and z read as 0, as sigrok-cli reads them', async () => {
    const path = test.info().outputPath('xz.vcd');
    await writeFile(path, '$timescale 1 us $end\n$var wire 1 ! D0 $end\n$enddefinitions $end\n#0\n$dumpvars\n1!\n$end\n#3\nx!\n#5\n1!\n#7\nZ!\n#9\n');
    const waveform = await readVcd(path);
    expect(Array.from(waveform.channels[0]!.edges)).toEqual([3, 5, 7]);
    expectSameWaveform(await sigrokWaveform(['-i', path, '-I', 'vcd'], 1_000_000), waveform);
  });

  test('GTKWave-style header, $dumpvars, comments, aliases, and a glitch undone within one tick', () => {
    const text = [
      '$date', '\tSat Nov 21 2026', '$end',
      '$timescale', '\t10ns', '$end',
      '$scope module top $end',
      '$scope module gpio $end',
      '$var wire 1 # pin17 $end',
      '$var reg 1 % data [3] $end',
      '$upscope $end',
      '$var wire 1 # alias17 $end',
      '$upscope $end',
      '$enddefinitions $end',
      '$comment initial values $end',
      '$dumpvars', 'x#', '1%', '$end',
      '#2', '1#',
      '#4', '0%', '1%',
      '#7', '0#',
      '#9',
    ].join('\n');
    expectSameWaveform(
      parseVcd(text, 'gtkwave.vcd'),
      makeWaveform(1e8, 9, [
        { name: 'pin17', initial: 0, edges: [2, 7] },
        { name: 'data[3]', initial: 1, edges: [] },
        { name: 'alias17', initial: 0, edges: [2, 7] },
      ]),
    );
  });

  test('without a closing timestamp the waveform ends one sample after its last edge', () => {
    const waveform = parseVcd('$timescale 1 ns $end $var wire 1 ! a $end $enddefinitions $end #0 0! #12 1!', 'open.vcd');
    // Timestamps 0 and 12 ns only: the sample period (12 ns) does not divide 1 s, so the ticks stay nanoseconds.
    expect(waveform.rate).toBe(1e9);
    expect(waveform.length).toBe(13);
    const sampled = parseVcd('$timescale 1 ns $end $var wire 1 ! a $end $enddefinitions $end #0 0! #20 1!', 'open.vcd');
    expect(sampled.rate).toBe(50e6);
    expect(sampled.length).toBe(2);
  });

  test('times beyond 2^32 ticks stay exact (Float64 edges)', () => {
    const big = 2 ** 40 + 3;
    const waveform = parseVcd(`$timescale 1 fs $end $var wire 1 ! a $end $enddefinitions $end #0 0! #7 1! #${big} 0! #${big + 1}`, 'fs.vcd');
    expect(waveform.channels[0]!.edges).toBeInstanceOf(Float64Array);
    expect(Array.from(waveform.channels[0]!.edges)).toEqual([7, big]);
    expect(waveform.rate).toBe(1e15);
  });

  for (const [what, text, where, problem] of [
    ['a multi-bit vector', '$timescale 1 ns $end\n$var wire 8 # bus $end\n$enddefinitions $end\n', 'v.vcd line 2', '8 bits wide'],
    ['a vector value wider than 1 bit', '$timescale 1 ns $end\n$var wire 1 ! a $end\n$enddefinitions $end\n#0\nb101 !\n', 'v.vcd line 5', 'wider than 1 bit'],
    ['time going backwards', '$timescale 1 ns $end\n$var wire 1 ! a $end\n$enddefinitions $end\n#5\n1!\n#3\n', 'v.vcd line 6', 'time 3 goes back from 5'],
    ['an unknown timescale', '$timescale 3 ns $end\n$var wire 1 ! a $end\n$enddefinitions $end\n', 'v.vcd line 1', 'is not 1, 10 or 100'],
    ['a header that never ends', '$timescale 1 ns $end\n$var wire 1 ! a $end\n', 'v.vcd', 'no $enddefinitions'],
  ] as const) {
    test(`${what} is an error naming the line`, () => {
      expect(() => parseVcd(text, 'v.vcd')).toThrow(expect.objectContaining({ name: 'InputError', where, problem: expect.stringContaining(problem) }));
    });
  }
});
