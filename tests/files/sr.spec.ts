/**
 * Writing and reading .sr files, against sigrok-cli: files pinrig writes open in sigrok-cli with the same edges,
 * and files sigrok writes (its demo device) read back with the edges sigrok reports.
 */
import { expect, test } from '@playwright/test';
import { execa } from 'execa';
import { readSr, writeSr } from '../../harness/files/sr.js';
import { makeWaveform } from '../../harness/signals/waveform.js';
import { expectSameWaveform, metadataText, randomWaveform, sigrokDemo, sigrokWaveform, writeZip, zipDirectory } from './support.js';

const STORED = 0;
const DEFLATED = 8;

test.describe('pinrig writes, sigrok-cli and pinrig read', () => {
  for (const { channels, unitsize } of [
    { channels: 5, unitsize: 1 },
    { channels: 12, unitsize: 2 },
    { channels: 27, unitsize: 4 },
  ]) {
    test(`${channels} channels (unitsize ${unitsize})`, async () => {
      const path = test.info().outputPath('out.sr');
      const waveform = randomWaveform({ rate: 24_000_000, length: 200_000, channels, meanGap: 300, seed: channels });
      await writeSr(path, waveform);

      const read = await readSr(path);
      expect(read.metadata.unitsize).toBe(unitsize);
      expectSameWaveform(read.waveform, waveform);
      expectSameWaveform(await sigrokWaveform(['-i', path], waveform.rate), waveform);
    });
  }

  test('stored members, and 13 chunks joined in numeric order (logic-1-10 after logic-1-9)', async () => {
    const path = test.info().outputPath('stored.sr');
    // Edges in every chunk: joined as text sorts ("1", "10", "11", "12", "13", "2", ...) they would land elsewhere.
    const waveform = randomWaveform({ rate: 1_000_000, length: 13 * 1000 - 300, channels: 3, meanGap: 40, seed: 7 });
    await writeSr(path, waveform, { chunkBytes: 1000, compress: false });

    const members = await zipDirectory(path);
    expect(members.filter((m) => m.name.startsWith('logic-1-')).map((m) => [m.name, m.method])).toEqual(
      Array.from({ length: 13 }, (_, i) => [`logic-1-${i + 1}`, STORED]),
    );
    expect(members.find((m) => m.name === 'version')).toEqual({ name: 'version', method: STORED });
    expectSameWaveform((await readSr(path)).waveform, waveform);
    expectSameWaveform(await sigrokWaveform(['-i', path], waveform.rate), waveform);
  });

  test('a stored member larger than one read (3 MB, read in pieces, its CRC checked across them)', async () => {
    const path = test.info().outputPath('big-stored.sr');
    const waveform = randomWaveform({ rate: 10_000_000, length: 3_000_000, channels: 2, meanGap: 5000, seed: 13 });
    await writeSr(path, waveform, { compress: false });
    expect((await zipDirectory(path)).find((m) => m.name === 'logic-1-1')).toEqual({ name: 'logic-1-1', method: STORED });
    expectSameWaveform((await readSr(path)).waveform, waveform);
    expectSameWaveform(await sigrokWaveform(['-i', path], waveform.rate), waveform);
  });

  test('deflated members by default, and a version member holding "2"', async () => {
    const path = test.info().outputPath('deflated.sr');
    await writeSr(path, randomWaveform({ rate: 1_000_000, length: 5000, channels: 2, meanGap: 50, seed: 3 }), { chunkBytes: 2048 });
    const members = await zipDirectory(path);
    expect(members.filter((m) => m.name.startsWith('logic-1-')).every((m) => m.method === DEFLATED)).toBe(true);
    expect(members.map((m) => m.name).slice(0, 2)).toEqual(['version', 'metadata']);
  });

  for (const [hz, text] of [
    [1_234_567, '1.234567 MHz'],
    [24_000_000, '24 MHz'],
    [500, '500 Hz'],
    [625_000, '625 kHz'],
    [1_000_000_000, '1 GHz'],
  ] as const) {
    test(`samplerate ${hz} Hz is written as "${text}" and sigrok-cli reads ${hz}`, async () => {
      const path = test.info().outputPath('rate.sr');
      const waveform = makeWaveform(hz, 100, [{ name: 'D0', initial: 0, edges: [10, 20] }]);
      await writeSr(path, waveform);
      const { stdout } = await execa('sigrok-cli', ['-i', path, '-O', 'vcd']);
      expect(stdout).toContain(`channels at ${text}\n`);
      expect((await readSr(path)).metadata.samplerate).toBe(hz);
    });
  }

  test('an empty channel and a channel that starts high keep their levels', async () => {
    const path = test.info().outputPath('levels.sr');
    const waveform = makeWaveform(1_000_000, 1000, [
      { name: 'idle', initial: 0, edges: [] },
      { name: 'high', initial: 1, edges: [] },
      { name: 'pulse', initial: 1, edges: [1, 999] },
    ]);
    await writeSr(path, waveform);
    expectSameWaveform((await readSr(path)).waveform, waveform);
    expectSameWaveform(await sigrokWaveform(['-i', path], waveform.rate), waveform);
  });
});

test.describe('sigrok writes (demo device), pinrig reads', () => {
  test('8 channels, 4 KiB chunks (13 of them)', async () => {
    const path = test.info().outputPath('demo8.sr');
    await sigrokDemo(path, { channels: ['D0', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7'], samples: 50_000 });
    expect((await zipDirectory(path)).filter((m) => m.name.startsWith('logic-1-')).length).toBeGreaterThanOrEqual(11);
    const { waveform } = await readSr(path);
    expectSameWaveform(waveform, await sigrokWaveform(['-i', path], waveform.rate));
  });

  test('random pattern: an edge on almost every sample', async () => {
    const path = test.info().outputPath('random.sr');
    await sigrokDemo(path, {
      channels: ['D0', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7'],
      samples: 30_000,
      extra: ['--channel-group', 'Logic', '--config', 'pattern=random'],
    });
    const { waveform } = await readSr(path);
    expect(waveform.channels[0]!.edges.length).toBeGreaterThan(10_000);
    expectSameWaveform(waveform, await sigrokWaveform(['-i', path], waveform.rate));
  });

  // Channels from D0 on, without gaps: sigrok-cli 0.5.2 packs enabled channels densely where pinrig (like later
  // libsigrok) reads probeN from bit N-1; the two only agree when no probe in between is disabled.
  test('10 of 16 channels (unitsize 2)', async () => {
    const path = test.info().outputPath('demo16.sr');
    await sigrokDemo(path, { device: 'demo:logic_channels=16', channels: Array.from({ length: 10 }, (_, i) => `D${i}`), samples: 20_000 });
    const { metadata, waveform } = await readSr(path);
    expect(metadata).toMatchObject({ unitsize: 2, totalProbes: 16 });
    expectSameWaveform(waveform, await sigrokWaveform(['-i', path], waveform.rate));
  });

  test('20 of 32 channels (unitsize 4), written again by pinrig and read by sigrok', async () => {
    const path = test.info().outputPath('demo32.sr');
    await sigrokDemo(path, { device: 'demo:logic_channels=32', channels: Array.from({ length: 20 }, (_, i) => `D${i}`), samples: 20_000 });
    const { metadata, waveform } = await readSr(path);
    expect(metadata).toMatchObject({ unitsize: 4, totalProbes: 32 });
    expectSameWaveform(waveform, await sigrokWaveform(['-i', path], waveform.rate));

    const again = test.info().outputPath('again.sr');
    await writeSr(again, waveform);
    expectSameWaveform((await readSr(again)).waveform, waveform);
    expectSameWaveform(await sigrokWaveform(['-i', again], waveform.rate), waveform);
  });
});

test('probeN is bit N-1: disabled probes in between keep their bits, and whatever those bits hold is ignored', async () => {
  const path = test.info().outputPath('gaps.sr');
  // 16 probes, 4 enabled (1, 4, 10, 16), unitsize 2. Bit 1 (probe 2, disabled) toggles on every sample.
  const samples = new Uint16Array(64);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = (i % 2 ? 0b10 : 0) | (i >= 5 ? 1 << 3 : 0) | (i >= 20 && i < 30 ? 1 << 9 : 0) | (i < 40 ? 1 << 15 : 0);
  }
  await writeZip(path, [
    { name: 'version', data: '2', compress: false },
    { name: 'metadata', data: metadataText({ capturefile: 'logic-1', 'total probes': 16, samplerate: '1 MHz', probe1: 'A', probe4: 'B', probe10: 'C', probe16: 'D', unitsize: 2 }) },
    { name: 'logic-1-1', data: new Uint8Array(samples.buffer) },
  ]);
  // sigrok-cli 0.5.2 would read these four from bits 0-3 (it assumes enabled channels are packed): no comparison here.
  const { metadata, waveform } = await readSr(path);
  expect(metadata.probes).toEqual([{ bit: 0, name: 'A' }, { bit: 3, name: 'B' }, { bit: 9, name: 'C' }, { bit: 15, name: 'D' }]);
  expectSameWaveform(
    waveform,
    makeWaveform(1_000_000, 64, [
      { name: 'A', initial: 0, edges: [] },
      { name: 'B', initial: 0, edges: [5] },
      { name: 'C', initial: 0, edges: [20, 30] },
      { name: 'D', initial: 1, edges: [40] },
    ]),
  );
});
