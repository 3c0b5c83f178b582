/**
 * VCD as others write it (a Verilog simulator, GTKWave, sigrok-cli), read by pinrig and by sigrok-cli in the same
 * test. sigrok's VCD input learns its rate (1/timescale) after the CSV header, so its CSV is taken one row per sample
 * (the row is the tick) and pinrig's waveform is compared on the timescale's ticks.
 */
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { saveCapture } from '../../harness/files/save-capture.js';
import { readSr } from '../../harness/files/sr.js';
import { readVcd } from '../../harness/files/vcd.js';
import { retime } from '../../harness/signals/retime.js';
import { makeWaveform } from '../../harness/signals/waveform.js';
import { pinrigChannels, sigrokChannels } from '../support/sigrok-csv.js';
import { sigrokDemo } from './support.js';

async function vcdFile(name: string, text: string): Promise<string> {
  const file = test.info().outputPath(name);
  await writeFile(file, text);
  return file;
}

/** pinrig's reading, on the file's timescale ticks, equals sigrok's, sample by sample. */
async function expectAsSigrok(file: string, timescaleRate: number) {
  const waveform = await readVcd(file);
  const ours = pinrigChannels(retime(waveform, timescaleRate, file));
  expect(ours).toEqual(await sigrokChannels(['-i', file], timescaleRate, { perSample: true }));
  return waveform;
}

test('a Verilog simulator\'s dump: nested scopes, multi-character ids, $dumpvars, x and z, a 1-bit vector, comments', async () => {
  const file = await vcdFile('icarus.vcd', [
    '$date today $end', '$version Icarus Verilog $end', '$comment a comment', ' on two lines $end', '$timescale 1ns $end',
    '$scope module top $end', '$var wire 1 !! clk $end', '$scope module cpu $end', '$var reg 1 # data [0] $end', '$var wire 1 $x en $end',
    '$upscope $end', '$upscope $end', '$enddefinitions $end',
    '#0', '$dumpvars', '0!!', 'b0 #', 'x$x', '$end',
    '#20', '1!!', '#40', '0!!', 'b1 #', '1$x', '#60', '1!!', 'z$x', '#80', '0!!', 'bx #', '#100', '',
  ].join('\n'));
  const waveform = await expectAsSigrok(file, 1e9);
  // Every timestamp is a multiple of 20 ns: read as samples at 50 MHz, not as 1 GHz ticks.
  expect({ rate: waveform.rate, length: waveform.length }).toEqual({ rate: 50e6, length: 5 });
  expect(waveform.channels.map((c) => c.name)).toEqual(['clk', 'data[0]', 'en']);
});

test('GTKWave\'s style: a timescale over several lines, changes on the timestamp\'s line, $dumpoff', async () => {
  const file = await vcdFile('gtkwave.vcd', [
    '$timescale', '\t10 ps', '$end', '$scope module logic $end', '$var wire 1 " SCL $end', '$var wire 1 # SDA $end', '$upscope $end',
    '$enddefinitions $end', '#0 1" 1#', '#250 0#', '#500 0"', '#750 1"', '#1000 1# 0"', '$dumpoff', '#1250', '',
  ].join('\n'));
  const waveform = await expectAsSigrok(file, 1e11);
  expect({ rate: waveform.rate, length: waveform.length }).toEqual({ rate: 4e8, length: 5 });
});

test('the same name in two scopes: named by scope path', async () => {
  const file = await vcdFile('scopes.vcd', [
    '$timescale 1 us $end', '$scope module a $end', '$var wire 1 ! clk $end', '$upscope $end',
    '$scope module b $end', '$var wire 1 " clk $end', '$var wire 1 # rst $end', '$upscope $end', '$enddefinitions $end',
    '#0 0! 1" 0#', '#3 1!', '#6 0" 1#', '#9', '',
  ].join('\n'));
  const waveform = await readVcd(file);
  expect(waveform.channels.map((c) => c.name)).toEqual(['a.clk', 'b.clk', 'rst']);
  // Timestamps every 3 us: 1 s is not a whole number of them, so the times stay 1 us ticks.
  expect({ rate: waveform.rate, length: waveform.length }).toEqual({ rate: 1e6, length: 9 });
});

test('a VCD written by sigrok-cli: its comment\'s sample rate, not its timescale, and the samples of the .sr it came from', async () => {
  const sr = test.info().outputPath('demo.sr');
  await sigrokDemo(sr, { channels: ['D0', 'D1', 'D2', 'D3'], samples: 3000, extra: ['--config', 'samplerate=24m'] });
  const vcd = test.info().outputPath('demo.vcd');
  await execa('sigrok-cli', ['-i', sr, '-O', 'vcd', '-o', vcd]);
  const fromVcd = await readVcd(vcd);
  const fromSr = (await readSr(sr)).waveform;
  // Not "10 GHz, 300000 samples" (the 100 ps timescale taken for the rate): 24 MHz, the .sr's own samples.
  expect(fromVcd.rate).toBe(24e6);
  expect(pinrigChannels(fromVcd)).toEqual(pinrigChannels(fromSr));
  expect(fromVcd.length).toBeGreaterThanOrEqual(fromSr.channels.reduce((end, c) => Math.max(end, (c.edges.at(-1) ?? 0) + 1), 0));
});

test('every capture pinrig saves has a GTKWave save file showing each channel of its VCD', async () => {
  const waveform = makeWaveform(1e6, 100, [{ name: 'GPIO17', initial: 0, edges: [10, 20] }, { name: 'GPIO27', initial: 1, edges: [50] }]);
  const capture = await saveCapture({ waveform, source: { instrument: 'file', samplerate: 1e6 }, pins: {}, files: {} }, test.info().outputPath('saved'), 'blink');
  const gtkw = await readFile(capture.files.gtkw!, 'utf8');
  const vcd = await readFile(capture.files.vcd!, 'utf8');
  // The dump file by name, beside the save file (GTKWave looks there), and one trace per channel as scope.name.
  expect(gtkw).toContain(`[dumpfile] "${path.basename(capture.files.vcd!)}"`);
  expect(path.dirname(capture.files.gtkw!)).toBe(path.dirname(capture.files.vcd!));
  const scope = /\$scope module (\S+) \$end/.exec(vcd)![1];
  const declared = [...vcd.matchAll(/\$var wire 1 \S+ (\S+) \$end/g)].map((m) => `${scope}.${m[1]}`);
  const traces = gtkw.split('\n').filter((l) => /^[A-Za-z]/.test(l));
  expect(traces).toEqual(declared);
  expect(traces).toEqual(['pinrig.GPIO17', 'pinrig.GPIO27']);
});
