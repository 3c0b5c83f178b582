/**
 * sigrok session files (.sr): read into a Waveform and written from one piece by piece, so that neither holds
 * more than a few hundred KiB of samples at a time, whatever the length of the capture.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { InputError } from '../errors.js';
import { EdgeList } from '../signals/edge-list.js';
import { EdgeScanner, type EdgeSink, type ScanResult, type Unitsize } from '../signals/edge-scan.js';
import { EdgeSummary, type ChannelSummary } from '../signals/edge-summary.js';
import { SampleWindow } from '../signals/sample-window.js';
import { SampleRenderer } from '../signals/sample-render.js';
import { formatSrMetadata, parseSrMetadata, srChunkNames, srMetadataFor, type SrMetadata } from '../signals/srzip.js';
import type { Waveform } from '../signals/waveform.js';
import { openZip, type ZipArchive } from './zip.js';

export interface SrFile {
  readonly waveform: Waveform;
  readonly metadata: SrMetadata;
}

/** A session file's logic channels as edges, with its metadata. */
export async function readSr(path: string): Promise<SrFile> {
  const { metadata, scanned } = await scanSr(path, () => new EdgeList());
  const channels = scanned.channels.map((ch, i) => ({ name: metadata.probes[i]!.name, initial: ch.initial, edges: ch.sink.toArray() }));
  // Not makeWaveform: the scanner's edges are increasing by construction, the metadata has checked the rate and
  // the names, and checking millions of edges again would cost a tenth of the read.
  return { metadata, waveform: { rate: metadata.samplerate, length: scanned.length, channels } };
}

/**
 * A session file summarized channel by channel straight from the sample scan, keeping no edges: memory does not grow
 * with the length of the capture or its number of edges (`pinrig capture inspect`).
 */
export async function summarizeSr(path: string): Promise<{ metadata: SrMetadata; length: number; channels: ChannelSummary[] }> {
  const { metadata, scanned } = await scanSr(path, () => new EdgeSummary());
  const channels = scanned.channels.map((ch, i) => ch.sink.summary(metadata.probes[i]!.name, ch.initial, metadata.samplerate));
  return { metadata, length: scanned.length, channels };
}

async function scanSr<S extends EdgeSink>(path: string, newSink: () => S): Promise<{ metadata: SrMetadata; scanned: ScanResult<S> }> {
  const zip = await openZip(path);
  try {
    if (!zip.has('version')) throw new InputError(path, 'has no "version" member: not a sigrok session file');
    // libsigrok reads the leading digits of up to 10 bytes and handles versions 1 and 2.
    const versionText = (await zip.read('version')).subarray(0, 10).toString('latin1');
    const version = Number(/^\s*(\d+)/.exec(versionText)?.[1] ?? Number.NaN);
    if (version !== 1 && version !== 2) throw new InputError(`${path} [version]`, `session file version ${JSON.stringify(versionText.trim())} is not 1 or 2`);
    if (!zip.has('metadata')) throw new InputError(path, 'has no "metadata" member: not a sigrok session file');
    const metadata = parseSrMetadata((await zip.read('metadata')).toString('utf8'), `${path} [metadata]`);
    const scanned = metadata.capturefile === undefined
      ? { length: await analogLength(zip, metadata, path), channels: [] }
      : await scanLogic(zip, metadata, metadata.capturefile, path, newSink);
    return { metadata, scanned };
  } finally {
    await zip.close();
  }
}

/** The logic channels, scanned chunk by chunk, never whole in memory. */
async function scanLogic<S extends EdgeSink>(zip: ZipArchive, metadata: SrMetadata, capturefile: string, path: string, newSink: () => S): Promise<ScanResult<S>> {
  const names = srChunkNames(zip.names, capturefile, path);
  if (names.length === 0) throw new InputError(path, `has no sample member "${capturefile}" or "${capturefile}-1" for its capturefile`);
  const bits = metadata.probes.map((p) => p.bit);
  const u = metadata.unitsize;
  // 1-, 2- and 4-byte samples are scanned as they are; others through a 4-byte window on the named probes' bytes.
  const direct = u === 1 || u === 2 || u === 4;
  const firstByte = direct || bits.length === 0 ? 0 : Math.floor(Math.min(...bits) / 8);
  const window = direct ? undefined : new SampleWindow(u, firstByte);
  const beyond = metadata.probes.find((p) => p.bit - 8 * firstByte >= 32);
  if (beyond) throw new InputError(`${path} [metadata]`, `probe${beyond.bit + 1}=${beyond.name}: pinrig reads named probes within 32 consecutive bits, these span bits ${bits[0]} to ${beyond.bit}`);
  const scanner = new EdgeScanner(direct ? (u as Unitsize) : 4, bits.map((b) => b - 8 * firstByte), newSink);
  // The next members are inflated (on libuv's thread pool) while this one is scanned.
  for await (const { name, pieces } of zip.members(names)) {
    for await (const piece of pieces) scanner.push(window ? window.push(piece) : piece);
    if (window?.pending) throw new InputError(`${path} [${name}]`, `the member does not end on a whole ${u}-byte sample (unitsize ${u})`);
    scanner.endChunk(`${path} [${name}]`);
  }
  return scanner.finish();
}

/** A file with analog channels only has no logic channel to read; its length is that of its first analog channel. */
async function analogLength(zip: ZipArchive, metadata: SrMetadata, path: string): Promise<number> {
  let bytes = 0;
  for await (const { pieces } of zip.members(srChunkNames(zip.names, metadata.analogMember!, path))) for await (const piece of pieces) bytes += piece.length;
  return Math.floor(bytes / 4);
}

export interface WriteSrOptions {
  /** Bytes of samples per zip member (sigrok's file input uses 4 MiB). */
  readonly chunkBytes?: number;
  /** Deflate the sample members (default) or store them. */
  readonly compress?: boolean;
}

/** Samples rendered in pieces of 64 KiB: a member's worth is never in memory at once. */
function* renderPieces(renderer: SampleRenderer, samples: number): Generator<Buffer> {
  const pieceSamples = (64 * 1024) / renderer.unitsize;
  for (let left = samples; left > 0; left -= pieceSamples) {
    const piece = renderer.next(Math.min(left, pieceSamples));
    yield Buffer.from(piece.buffer, piece.byteOffset, piece.length);
  }
}

export async function writeSr(path: string, waveform: Waveform, options: WriteSrOptions = {}): Promise<void> {
  const metadata = srMetadataFor(waveform, path);
  const chunkSamples = Math.max(1, Math.floor((options.chunkBytes ?? 4 << 20) / metadata.unitsize));
  const renderer = new SampleRenderer(waveform, metadata.unitsize as Unitsize);

  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('2'), 'version', { compress: false });
  zip.addBuffer(Buffer.from(formatSrMetadata(metadata)), 'metadata');
  const chunks = Math.ceil(waveform.length / chunkSamples);
  for (let i = 1; i <= chunks; i++) {
    // yazl asks for each member only when it gets to it, and the stream pulls the samples piece by piece.
    const samples = Math.min(chunkSamples, waveform.length - (i - 1) * chunkSamples);
    zip.addReadStreamLazy(`${metadata.capturefile}-${i}`, { compress: options.compress ?? true }, (done) => {
      done(null, Readable.from(renderPieces(renderer, samples), { objectMode: false }));
    });
  }
  zip.end();
  try {
    await pipeline(zip.outputStream, createWriteStream(path));
  } catch (e) {
    throw new InputError(path, `cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
