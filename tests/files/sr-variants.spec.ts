/**
 * Every kind of session file libsigrok reads, made here (by hand, member by member, or by sigrok-cli from its demo
 * device), read by pinrig and by `sigrok-cli -i FILE -O csv:dedup=true:time=true` in the same test: the same channels,
 * first levels and edges. Compared with sigrok's CSV, not its VCD: libsigrok 0.5.2's VCD output misplaces names when
 * probe numbers have gaps.
 */
import { expect, test } from '@playwright/test';
import { readSr } from '../../harness/files/sr.js';
import { random } from '../support/random.js';
import { pinrigChannels, sigrokChannels } from '../support/sigrok-csv.js';
import { metadataText, sigrokDemo, writeZip } from './support.js';

const RATE = 1_000_000;

/** Samples of `unitsize` bytes with a few random bits changing now and then. */
function samples(count: number, unitsize: number, seed: number): Uint8Array {
  const next = random(seed);
  const bytes = new Uint8Array(count * unitsize);
  const value = new Uint8Array(unitsize);
  for (let i = 0; i < count; i++) {
    if (next() < 0.2) value[Math.floor(next() * unitsize)]! ^= 1 << Math.floor(next() * 8);
    bytes.set(value, i * unitsize);
  }
  return bytes;
}

/** A hand-made session file: version, metadata lines (in the order given) and sample members. */
async function session(name: string, version: string, lines: Record<string, string | number>, members: Array<[string, Uint8Array]>): Promise<string> {
  const file = test.info().outputPath(name);
  await writeZip(file, [
    { name: 'version', data: version, compress: false },
    { name: 'metadata', data: metadataText({ samplerate: '1 MHz', ...lines }) },
    ...members.map(([member, data]) => ({ name: member, data })),
  ]);
  return file;
}

/** pinrig's channels equal sigrok's; `logic` picks sigrok's channels (its CSV fails on files with analog ones too). */
async function expectAsSigrok(file: string, rate = RATE, logic?: string[]) {
  const ours = pinrigChannels((await readSr(file)).waveform);
  const theirs = await sigrokChannels(['-i', file, ...(logic ? ['-C', logic.join(',')] : [])], rate);
  expect(ours).toEqual(theirs);
  return ours;
}

test('version 1: one sample member named by the capturefile', async () => {
  const file = await session('v1.sr', '1', { capturefile: 'logic-1', 'total probes': 3, probe1: 'A', probe2: 'B', probe3: 'C', unitsize: 1 }, [['logic-1', samples(5000, 1, 1)]]);
  const channels = await expectAsSigrok(file);
  expect(channels.map((c) => c.edges.length).reduce((a, b) => a + b)).toBeGreaterThan(100);
});

test('version 2: numbered chunks, metadata lines in another order', async () => {
  const data = samples(9000, 1, 2);
  // libsigrok needs "total probes" before the probeN lines (it names channels it has created); pinrig does not.
  const file = await session('v2.sr', '2\n', { unitsize: 1, 'total probes': 2, probe2: 'B', probe1: 'A', capturefile: 'logic-1' },
    [['logic-1-1', data.subarray(0, 3000)], ['logic-1-2', data.subarray(3000, 6000)], ['logic-1-3', data.subarray(6000)]]);
  await expectAsSigrok(file);
});

test('probe numbers with gaps: probeN is bit N-1, whatever the order of the lines', async () => {
  const file = await session('gaps.sr', '2', { capturefile: 'logic-1', 'total probes': 8, probe6: 'F', probe1: 'A', probe4: 'D', probe3: 'C', unitsize: 1 }, [['logic-1-1', samples(5000, 1, 3)]]);
  const channels = await expectAsSigrok(file);
  expect(channels.map((c) => c.name)).toEqual(['A', 'C', 'D', 'F']);
});

test('more probes listed than the unit holds (32 probes, unitsize 1): the named probes that fit are read', async () => {
  const file = await session('over.sr', '2', { capturefile: 'logic-1', 'total probes': 32, probe1: 'TX', probe2: 'RX', probe8: 'CLK', unitsize: 1 }, [['logic-1-1', samples(4000, 1, 4)]]);
  const channels = await expectAsSigrok(file);
  expect(channels.map((c) => c.name)).toEqual(['TX', 'RX', 'CLK']);
});

test('a named probe beyond the unit is an error naming it; sigrok reads no such channel either', async () => {
  const file = await session('beyond.sr', '2', { capturefile: 'logic-1', 'total probes': 16, probe1: 'A', probe12: 'L', unitsize: 1 }, [['logic-1-1', samples(100, 1, 5)]]);
  await expect(readSr(file)).rejects.toThrow(/\[metadata\] line \d+ \(\[device 1\] probe12\): probe12=L is bit 11, beyond the 8 bits of unitsize=1/);
});

test('an empty channel name: read under libsigrok\'s default name for it, its index', async () => {
  const file = await session('empty-name.sr', '2', { capturefile: 'logic-1', 'total probes': 3, probe1: 'A', probe2: '', probe3: 'C', unitsize: 1 }, [['logic-1-1', samples(3000, 1, 6)]]);
  const ours = pinrigChannels((await readSr(file)).waveform);
  const theirs = await sigrokChannels(['-i', file], RATE);
  expect(theirs.map((c) => c.name)).toEqual(['A', '', 'C']);
  expect(ours.map((c) => c.name)).toEqual(['A', '1', 'C']);
  expect(ours.map(({ initial, edges }) => ({ initial, edges }))).toEqual(theirs.map(({ initial, edges }) => ({ initial, edges })));
});

test('a capturefile without a unitsize: refused naming section and key (libsigrok silently reads nothing)', async () => {
  const file = await session('no-unitsize.sr', '2', { capturefile: 'logic-1', 'total probes': 2, probe1: 'A', probe2: 'B' }, [['logic-1-1', samples(100, 1, 7)]]);
  await expect(readSr(file)).rejects.toMatchObject({ where: `${file} [metadata] [device 1] unitsize`, problem: 'missing: the samples in logic-1-* cannot be read without it (libsigrok skips them too)' });
});

for (const unitsize of [3, 5, 8]) {
  test(`unitsize ${unitsize}: samples of ${unitsize} bytes, probes spread over them`, async () => {
    const bits = unitsize * 8;
    const named = [0, 9, bits - 13, bits - 1].filter((b, i, all) => all.indexOf(b) === i && b - 0 < 32);
    const lines: Record<string, string | number> = { capturefile: 'logic-1', 'total probes': bits, unitsize };
    for (const b of named) lines[`probe${b + 1}`] = `P${b}`;
    const data = samples(6000, unitsize, 10 + unitsize);
    // Split mid-sample across members' pieces is not allowed, but a member may end anywhere on a sample boundary.
    const file = await session(`u${unitsize}.sr`, '2', lines, [['logic-1-1', data.subarray(0, 1000 * unitsize)], ['logic-1-2', data.subarray(1000 * unitsize)]]);
    await expectAsSigrok(file);
  });
}

test('a unitsize of 8 with probes only in the high bytes', async () => {
  const file = await session('high.sr', '2', { capturefile: 'logic-1', 'total probes': 64, probe41: 'H40', probe64: 'H63', unitsize: 8 }, [['logic-1-1', samples(5000, 8, 20)]]);
  await expectAsSigrok(file);
});

test('written by sigrok-cli from its demo device: logic only, analog only, and mixed', async () => {
  const logic = test.info().outputPath('demo-logic.sr');
  await sigrokDemo(logic, { channels: ['D0', 'D2', 'D5', 'D7'], samples: 20_000, extra: ['--config', 'samplerate=1m'] });
  await expectAsSigrok(logic);

  const analog = test.info().outputPath('demo-analog.sr');
  await sigrokDemo(analog, { channels: ['A0'], samples: 500 });
  const { waveform, metadata } = await readSr(analog);
  expect(metadata.analog).toEqual(['A0']);
  expect(waveform.channels).toEqual([]);
  expect(waveform.length).toBe(500);

  // sigrok-cli cannot write CSV for a mixed file it reads back ("Expecting N analog samples, got M"): the reference
  // is the same demo pattern captured without the analog channels (the demo device is deterministic).
  const mixed = test.info().outputPath('demo-mixed.sr');
  const logicOnly = test.info().outputPath('demo-d1-d3.sr');
  await sigrokDemo(mixed, { channels: ['D1', 'D3', 'A1', 'A2'], samples: 20_000, extra: ['--config', 'samplerate=1m'] });
  await sigrokDemo(logicOnly, { channels: ['D1', 'D3'], samples: 20_000, extra: ['--config', 'samplerate=1m'] });
  const ours = pinrigChannels((await readSr(mixed)).waveform);
  expect(ours).toEqual(await sigrokChannels(['-i', logicOnly], 1_000_000));
  expect(ours.map((c) => c.name)).toEqual(['D1', 'D3']);
  expect((await readSr(mixed)).metadata.analog).toEqual(['A1', 'A2']);
});
