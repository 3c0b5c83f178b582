/**
 * Damaged and malformed capture files: each is an InputError naming the file (and the zip member or line) and
 * the problem, never a stack trace from inside yauzl or zlib.
 */
import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { readCapture } from '../../harness/files/capture.js';
import { readSr, writeSr } from '../../harness/files/sr.js';
import { readVcd } from '../../harness/files/vcd.js';
import { pinrig } from '../support/pinrig-cli.js';
import { random } from '../support/random.js';
import { metadataText, randomWaveform, writeZip, type Member } from '../files/support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Rejects with an InputError whose `where` and `problem` contain these. */
async function expectInputError(promise: Promise<unknown>, where: string, problem: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'InputError', where: expect.stringContaining(where), problem: expect.stringContaining(problem) });
}

const GOOD_METADATA = { capturefile: 'logic-1', 'total probes': 2, samplerate: '1 MHz', probe1: 'D0', probe2: 'D1', unitsize: 1 };

/** A session file from these members, with version and metadata unless given. */
async function sessionFile(name: string, members: readonly Member[]): Promise<string> {
  const path = test.info().outputPath(name);
  const given = new Set(members.map((m) => m.name));
  await writeZip(path, [
    ...(given.has('version') ? [] : [{ name: 'version', data: '2', compress: false }]),
    ...(given.has('metadata') ? [] : [{ name: 'metadata', data: metadataText(GOOD_METADATA) }]),
    ...members,
  ]);
  return path;
}

test.describe('.sr files', () => {
  test('a truncated zip', async () => {
    const path = test.info().outputPath('truncated.sr');
    await writeSr(path, randomWaveform({ rate: 1_000_000, length: 100_000, channels: 4, meanGap: 50, seed: 1 }));
    const size = (await readFile(path)).length;
    await truncate(path, Math.floor(size / 2));
    await expectInputError(readSr(path), path, 'truncated');
  });

  test('a file that is not a zip', async () => {
    const path = test.info().outputPath('text.sr');
    await writeFile(path, 'hello, this is text\n');
    await expectInputError(readSr(path), path, 'not a zip archive');
  });

  test('a file that does not exist', async () => {
    const path = test.info().outputPath('missing.sr');
    await expectInputError(readSr(path), path, 'ENOENT');
  });

  test('no metadata member', async () => {
    const path = test.info().outputPath('nometa.sr');
    await writeZip(path, [
      { name: 'version', data: '2', compress: false },
      { name: 'logic-1-1', data: new Uint8Array(16) },
    ]);
    await expectInputError(readSr(path), path, 'no "metadata" member');
  });

  test('a named probe beyond the unitsize: 9 probes, unitsize 1', async () => {
    const path = await sessionFile('nine.sr', [
      { name: 'metadata', data: metadataText({ ...GOOD_METADATA, 'total probes': 9, probe9: 'D8' }) },
      { name: 'logic-1-1', data: new Uint8Array(16) },
    ]);
    // metadataText puts probe9 on line 11.
    await expectInputError(readSr(path), `${path} [metadata] line 11 ([device 1] probe9)`, 'probe9=D8 is bit 8, beyond the 8 bits of unitsize=1');
  });

  test('a chunk whose length is not a multiple of the unitsize', async () => {
    const path = await sessionFile('odd.sr', [
      { name: 'metadata', data: metadataText({ ...GOOD_METADATA, unitsize: 2 }) },
      { name: 'logic-1-1', data: new Uint8Array(4096) },
      { name: 'logic-1-2', data: new Uint8Array(4097) },
    ]);
    await expectInputError(readSr(path), `${path} [logic-1-2]`, '4097 bytes is not a whole number of 2-byte samples');
  });

  test('an unknown sample rate string', async () => {
    const path = await sessionFile('fast.sr', [
      { name: 'metadata', data: metadataText({ ...GOOD_METADATA, samplerate: 'fast' }) },
      { name: 'logic-1-1', data: new Uint8Array(16) },
    ]);
    await expectInputError(readSr(path), `${path} [metadata] line 7 ([device 1] samplerate)`, 'samplerate "fast" is not a sample rate');
  });

  test('a gap in the chunk numbers', async () => {
    const path = await sessionFile('gap.sr', [
      { name: 'logic-1-1', data: new Uint8Array(16) },
      { name: 'logic-1-3', data: new Uint8Array(16) },
    ]);
    await expectInputError(readSr(path), path, 'sample member "logic-1-2" is missing');
  });

  for (const compress of [true, false]) {
    test(`damaged data in a ${compress ? 'deflated' : 'stored'} member`, async () => {
      // Runs of random length, like logic samples: deflate codes them with Huffman codes and back-references.
      const next = random(3);
      const samples = new Uint8Array(100_000);
      for (let i = 1; i < samples.length; i++) samples[i] = next() < 0.1 ? Math.floor(next() * 256) : samples[i - 1]!;
      const path = await sessionFile(`damaged-${compress}.sr`, [{ name: 'logic-1-1', data: samples, compress }]);
      const bytes = await readFile(path);
      // The first "logic-1-1" is the member's local header; its data follows shortly after.
      const at = bytes.indexOf('logic-1-1') + 1000;
      bytes.fill(0xa5, at, at + 64);
      await writeFile(path, bytes);
      await expectInputError(readSr(path), `${path} [logic-1-1]`, compress ? 'damaged member: it holds 101001 bytes' : 'damaged member: its CRC does not match');
    });
  }

  test('deflate data that zlib refuses', async () => {
    const path = await sessionFile('badblock.sr', [{ name: 'logic-1-1', data: new Uint8Array(5000) }]);
    const bytes = await readFile(path);
    const header = bytes.indexOf('logic-1-1') - 30;
    const data = header + 30 + bytes.readUInt16LE(header + 26) + bytes.readUInt16LE(header + 28);
    // A first byte of 0xff starts a block of type 3, which deflate does not have.
    bytes[data] = 0xff;
    await writeFile(path, bytes);
    await expectInputError(readSr(path), `${path} [logic-1-1]`, 'damaged member (invalid block type)');
  });

  test('a metadata member that inflates past 1 MiB is refused, also when the zip directory understates it', async () => {
    const path = await sessionFile('metadata-bomb.sr', [{ name: 'metadata', data: Buffer.alloc(64 << 20, 0x20) }]);
    await expectInputError(readSr(path), `${path} [metadata]`, 'larger than 1048576 bytes once inflated');
    // A crafted file: the central directory says 100 bytes; the bound holds while inflating.
    const bytes = await readFile(path);
    let at = -1;
    for (let i = bytes.indexOf('PK\x01\x02', 0, 'latin1'); i >= 0; i = bytes.indexOf('PK\x01\x02', i + 4, 'latin1')) {
      if (bytes.toString('latin1', i + 46, i + 46 + bytes.readUInt16LE(i + 28)) === 'metadata') at = i;
    }
    expect(at, 'the central directory entry of metadata').toBeGreaterThan(0);
    bytes.writeUInt32LE(100, at + 24);
    const crafted = test.info().outputPath('metadata-bomb-crafted.sr');
    await writeFile(crafted, bytes);
    await expectInputError(readSr(crafted), `${crafted} [metadata]`, 'larger than 1048576 bytes once inflated');
  });

  test('a version that is not 1 or 2', async () => {
    const path = await sessionFile('v3.sr', [{ name: 'version', data: '3', compress: false }]);
    await expectInputError(readSr(path), `${path} [version]`, 'version "3" is not 1 or 2');
  });

  test('two probes with one name', async () => {
    const path = await sessionFile('twice.sr', [{ name: 'metadata', data: metadataText({ ...GOOD_METADATA, probe2: 'D0' }) }, { name: 'logic-1-1', data: new Uint8Array(4) }]);
    await expectInputError(readSr(path), `${path} [metadata] line`, 'that name is taken');
  });
});

test.describe('VCD files', () => {
  test('an undeclared identifier, with its line number', async () => {
    const path = test.info().outputPath('undeclared.vcd');
    await writeFile(path, ['$timescale 1 us $end', '$var wire 1 ! D0 $end', '$enddefinitions $end', '#0', '0!', '#5', '1"', '#9', ''].join('\n'));
    await expectInputError(readVcd(path), `${path} line 7`, 'identifier "\\"" was not declared');
  });

  test('no timescale', async () => {
    const path = test.info().outputPath('notimescale.vcd');
    await writeFile(path, ['$scope module top $end', '$var wire 1 ! D0 $end', '$upscope $end', '$enddefinitions $end', '#0', '0!', ''].join('\n'));
    await expectInputError(readVcd(path), `${path} line 4`, 'no $timescale');
  });
});

test('readCapture tells a .sr from a VCD by content, and names a file that is neither', async () => {
  const sr = test.info().outputPath('capture.bin');
  await writeSr(sr, randomWaveform({ rate: 1_000_000, length: 1000, channels: 2, meanGap: 30, seed: 9 }));
  expect((await readCapture(sr)).files).toEqual({ sr });

  const vcd = test.info().outputPath('capture.txt');
  await writeFile(vcd, '$timescale 1 us $end $var wire 1 ! a $end $enddefinitions $end #0 1! #10');
  const { waveform } = await readCapture(vcd);
  expect(waveform.length / waveform.rate).toBe(10e-6);

  const other = test.info().outputPath('capture.csv');
  await writeFile(other, 'time,D0\n0,1\n');
  await expectInputError(readCapture(other), other, 'neither a sigrok session');
});

test('`capture inspect` on bad input names the file and the problem, exit status 2, no stack trace', async ({}, testInfo) => {
  const notCapture = await pinrig(['capture', 'inspect', 'package.json'], { cwd: ROOT });
  expect(notCapture.exitCode).toBe(2);
  expect(notCapture.stderr).toBe('pinrig: package.json: neither a sigrok session (.sr, a zip) nor a VCD (starts with a $keyword)');
  const missing = await pinrig(['capture', 'inspect', testInfo.outputPath('absent.sr')]);
  expect(missing.exitCode).toBe(2);
  expect(missing.stderr).toMatch(/absent\.sr: cannot open: ENOENT$/);
  expect(missing.stderr).not.toMatch(/\n\s+at /);
  const folder = await pinrig(['capture', 'inspect', 'fixtures'], { cwd: ROOT });
  expect(folder.exitCode).toBe(2);
  expect(folder.stderr).toBe('pinrig: fixtures: is a folder: give a capture file (.sr or .vcd)');
});

test('`capture inspect` on a 200 MB metadata bomb: refused naming the member, exit 2, memory bounded by the 1 MiB cap', async () => {
  const bomb = await sessionFile('bomb.sr', [{ name: 'metadata', data: Buffer.alloc(200 << 20, 0x61) }]);
  const run = await pinrig(['capture', 'inspect', bomb], { timeoutMs: 30_000 });
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toBe(`pinrig: ${bomb} [metadata]: is larger than 1048576 bytes once inflated: not a sigrok text member (refused unread)`);
});
