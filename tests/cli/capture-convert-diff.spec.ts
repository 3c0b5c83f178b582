/** `pinrig capture convert` and `pinrig capture diff`, run as a user runs them, checked against sigrok-cli. */
import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readSr, writeSr } from '../../harness/files/sr.js';
import { readVcd } from '../../harness/files/vcd.js';
import { makeWaveform } from '../../harness/signals/waveform.js';
import { CAPTURES } from '../files/support.js';
import { pinrig } from '../support/pinrig-cli.js';
import { pinrigChannels, sigrokChannels } from '../support/sigrok-csv.js';

const UART = path.join(CAPTURES, 'uart_hello_world_8n1_hello_world_8n1_9600.sr');

test('convert a real capture to VCD and back: the same samples; diff says so (exit 0)', async ({}, testInfo) => {
  test.skip(!existsSync(UART), 'the real captures are not on this machine');
  const vcd = testInfo.outputPath('uart.vcd');
  const sr = testInfo.outputPath('uart-again.sr');
  expect((await pinrig(['capture', 'convert', UART, vcd])).exitCode).toBe(0);
  const back = await pinrig(['capture', 'convert', vcd, sr]);
  expect(back.exitCode, back.stderr).toBe(0);
  expect(back.stderr).toMatch(/uart-again\.sr: TX; 625kHz, \d+ samples/);
  expect(pinrigChannels((await readVcd(vcd))).map((c) => c.edges)).toEqual(pinrigChannels((await readSr(UART)).waveform).map((c) => c.edges));
  // sigrok-cli reads pinrig's .sr as it reads the original.
  expect(await sigrokChannels(['-i', sr], 625_000)).toEqual(await sigrokChannels(['-i', UART], 625_000));
  const same = await pinrig(['capture', 'diff', UART, vcd]);
  expect(same.exitCode).toBe(0);
  expect(same.stdout).toMatch(/TX: (\d+) edges in A, \1 in B, same times\nsame within the tolerance$/);
});

test('convert some channels over a time window: starts at the window, sigrok-cli reads the same edges', async ({}, testInfo) => {
  const source = testInfo.outputPath('source.sr');
  await writeSr(source, makeWaveform(1e6, 10_000, [
    { name: 'A', initial: 0, edges: [100, 2500, 2600, 7000] },
    { name: 'B', initial: 1, edges: [3000, 3001, 9999] },
    { name: 'C', initial: 0, edges: [5] },
  ]));
  const part = testInfo.outputPath('part.sr');
  const run = await pinrig(['capture', 'convert', source, part, '--channels', 'B,A', '--from', '2.5ms', '--to', '8ms']);
  expect(run.exitCode, run.stderr).toBe(0);
  const theirs = await sigrokChannels(['-i', part], 1e6);
  // The edge at exactly 2.5 ms is the window's first level, not an edge; times count from the window's start.
  expect(theirs).toEqual([{ name: 'B', initial: 1, edges: [500, 501] }, { name: 'A', initial: 0, edges: [100, 4500] }]);
  expect((await readSr(part)).waveform.length).toBe(5500);
});

test('diff: a moved edge beyond the tolerance is named with its offset (exit 1); within it, exit 0; --json', async ({}, testInfo) => {
  const a = testInfo.outputPath('a.sr');
  const b = testInfo.outputPath('b.vcd');
  await writeSr(a, makeWaveform(1e6, 1000, [{ name: 'CLK', initial: 0, edges: [100, 200, 300, 400] }, { name: 'D', initial: 0, edges: [150] }]));
  const { writeVcd } = await import('../../harness/files/vcd.js');
  await writeVcd(b, makeWaveform(1e9, 1_000_000, [{ name: 'CLK', initial: 0, edges: [100_000, 203_000, 300_000, 400_000] }, { name: 'D', initial: 0, edges: [150_000] }]));
  const strict = await pinrig(['capture', 'diff', a, b, '--tolerance', '2us']);
  expect(strict.exitCode).toBe(1);
  expect(strict.stdout).toContain('CLK: 4 edges in A, 4 in B, B up to 3us later\n    first difference: CLK: edge 2 (falling) expected at 200us ±2us, seen at 203us (3us late)');
  expect(strict.stdout).toContain('D: 1 edges in A, 1 in B, same times');
  const loose = await pinrig(['capture', 'diff', a, b, '--tolerance', '5us', '--json']);
  expect(loose.exitCode).toBe(0);
  expect(JSON.parse(loose.stdout)).toEqual({ same: true, channels: [{ name: 'CLK', edgesA: 4, edgesB: 4, maxOffset: expect.closeTo(3e-6, 12) }, { name: 'D', edgesA: 1, edgesB: 1, maxOffset: 0 }] });
});

test('bad input: an output that is neither .sr nor .vcd, an unknown channel, a bad tolerance (exit 2)', async ({}, testInfo) => {
  const a = testInfo.outputPath('a.sr');
  await writeSr(a, makeWaveform(1e6, 100, [{ name: 'X', initial: 0, edges: [10] }]));
  const txt = await pinrig(['capture', 'convert', a, testInfo.outputPath('out.txt')]);
  expect([txt.exitCode, txt.stderr]).toEqual([2, `pinrig: ${testInfo.outputPath('out.txt')}: the output must end in .sr or .vcd (the format follows the name)`]);
  const channel = await pinrig(['capture', 'convert', a, testInfo.outputPath('o.vcd'), '--channels', 'Y']);
  expect([channel.exitCode, channel.stderr]).toEqual([2, 'pinrig: channel "Y": not in the capture (it has X)']);
  const tolerance = await pinrig(['capture', 'diff', a, a, '--tolerance', '-5us']);
  expect(tolerance.exitCode).toBe(2);
  expect(tolerance.stderr).toMatch(/^pinrig: comparison tolerance: "-5us" is negative/);
});
