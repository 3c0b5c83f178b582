/**
 * Zip members read in sequence with the next ones inflated ahead (harness/files/zip.ts): the bytes and their order,
 * the large-member path, and damage found ahead of its turn, named at its turn.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { readSr } from '../../harness/files/sr.js';
import { openZip } from '../../harness/files/zip.js';
import { random } from '../support/random.js';
import { metadataText, writeZip, type Member } from './support.js';

/** Bytes in runs of random length, like logic samples. */
function samples(length: number, seed: number): Uint8Array {
  const next = random(seed);
  const bytes = new Uint8Array(length);
  for (let i = 1; i < length; i++) bytes[i] = next() < 0.01 ? Math.floor(next() * 256) : bytes[i - 1]!;
  return bytes;
}

const SESSION: Member[] = [
  { name: 'version', data: '2', compress: false },
  { name: 'metadata', data: metadataText({ capturefile: 'logic-1', 'total probes': 8, samplerate: '1 MHz', probe1: 'D0', unitsize: 1 }) },
];

/** The offset of a member's data, from its local header. */
function dataOffset(bytes: Buffer, name: string): number {
  const header = bytes.indexOf(`PK\x03\x04`, bytes.indexOf(name) - 30, 'latin1');
  return header + 30 + bytes.readUInt16LE(header + 26) + bytes.readUInt16LE(header + 28);
}

/** Sets the inflated size that the central directory gives for a member. */
function understate(bytes: Buffer, name: string, size: number): void {
  for (let i = bytes.indexOf('PK\x01\x02', 0, 'latin1'); i >= 0; i = bytes.indexOf('PK\x01\x02', i + 4, 'latin1')) {
    if (bytes.toString('latin1', i + 46, i + 46 + bytes.readUInt16LE(i + 28)) === name) bytes.writeUInt32LE(size, i + 24);
  }
}

test('members come whole and in the order asked, deflated or stored, and one larger than 8 MiB is streamed', async () => {
  const path = test.info().outputPath('members.sr');
  const members = [
    ...Array.from({ length: 6 }, (_, i) => ({ name: `m${i + 1}`, data: samples(300_000 + i * 1000, i + 1), compress: i !== 2 })),
    { name: 'large', data: samples(9 << 20, 9) },
    { name: 'empty', data: new Uint8Array(0) },
  ];
  await writeZip(path, members);
  const order = ['m6', 'large', 'm1', 'm2', 'empty', 'm3', 'm4', 'm5'];
  const zip = await openZip(path);
  try {
    const seen: Array<{ name: string; pieces: number; bytes: Buffer }> = [];
    for await (const { name, pieces } of zip.members(order)) {
      const got: Uint8Array[] = [];
      for await (const piece of pieces) got.push(piece);
      seen.push({ name, pieces: got.length, bytes: Buffer.concat(got) });
    }
    expect(seen.map((m) => m.name)).toEqual(order);
    for (const m of seen) expect(m.bytes.equals(Buffer.from(members.find((x) => x.name === m.name)!.data)), m.name).toBe(true);
    expect(seen.find((m) => m.name === 'large')!.pieces, 'the large member comes in pieces').toBeGreaterThan(1);
  } finally {
    await zip.close();
  }
});

test('damage in members inflated ahead of their turn: the first one is named, at its turn, and nothing is left unhandled', async () => {
  const path = test.info().outputPath('damaged-ahead.sr');
  await writeZip(path, [...SESSION, ...Array.from({ length: 6 }, (_, i) => ({ name: `logic-1-${i + 1}`, data: samples(200_000, i + 1) }))]);
  const bytes = await readFile(path);
  // A first byte of 0xff starts a block of type 3, which deflate does not have: members 3 and 5.
  bytes[dataOffset(bytes, 'logic-1-3')] = 0xff;
  bytes[dataOffset(bytes, 'logic-1-5')] = 0xff;
  await writeFile(path, bytes);
  await expect(readSr(path)).rejects.toMatchObject({ name: 'InputError', where: `${path} [logic-1-3]`, problem: 'damaged member (invalid block type)' });
});

test('a member the zip directory understates: its true size is named, and past 8 MiB it is refused while inflating', async () => {
  for (const [name, length, problem] of [
    ['short', 100_000, 'damaged member: it holds 100000 bytes where the zip directory says 100'],
    ['bomb', 64 << 20, `damaged member: it holds more than ${8 << 20} bytes where the zip directory says 100`],
  ] as const) {
    const path = test.info().outputPath(`${name}.sr`);
    await writeZip(path, [...SESSION, { name: 'logic-1-1', data: new Uint8Array(length) }]);
    const bytes = await readFile(path);
    understate(bytes, 'logic-1-1', 100);
    await writeFile(path, bytes);
    await expect(readSr(path)).rejects.toMatchObject({ name: 'InputError', where: `${path} [logic-1-1]`, problem });
  }
});

test('a whole member is freed when the next is asked for, so garbage does not wait for a full collection', async () => {
  const path = test.info().outputPath('freed.sr');
  await writeZip(path, [
    { name: 'a', data: samples(1 << 20, 1) },
    { name: 'b', data: samples(1 << 20, 2), compress: false },
    { name: 'c', data: samples(1 << 20, 3) },
  ]);
  const zip = await openZip(path);
  try {
    const held: Uint8Array[] = [];
    const lengthsWhileCurrent: number[] = [];
    for await (const { pieces } of zip.members(['a', 'b', 'c'])) {
      for await (const piece of pieces) {
        held.push(piece);
        lengthsWhileCurrent.push(piece.byteLength);
      }
    }
    expect(lengthsWhileCurrent, 'each member whole while it is the current one').toEqual([1 << 20, 1 << 20, 1 << 20]);
    expect(held.map((p) => p.byteLength), 'deflated and stored members alike are detached once passed').toEqual([0, 0, 0]);
  } finally {
    await zip.close();
  }
});
