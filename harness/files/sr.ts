/**
 * sigrok session files (.sr): read into a Waveform and written from one piece by piece, so that neither holds
 * more than a few hundred KiB of samples at a time, whatever the length of the capture.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { InputError } from '../errors.js';
import { EdgeScanner } from '../signals/edge-scan.js';
import { SampleRenderer } from '../signals/sample-render.js';
import { formatSrMetadata, parseSrMetadata, srChunkNames, srMetadataFor, type SrMetadata } from '../signals/srzip.js';
import type { Waveform } from '../signals/waveform.js';
import { openZip } from './zip.js';

export interface SrFile {
  readonly waveform: Waveform;
  readonly metadata: SrMetadata;
}

export async function readSr(path: string): Promise<SrFile> {
  const zip = await openZip(path);
  try {
    if (!zip.has('version')) throw new InputError(path, 'has no "version" member: not a sigrok session file');
    const version = (await zip.read('version')).toString('latin1').trim();
    if (version !== '1' && version !== '2') throw new InputError(`${path} [version]`, `session file version ${JSON.stringify(version)} is not 1 or 2`);
    if (!zip.has('metadata')) throw new InputError(path, 'has no "metadata" member: not a sigrok session file');
    const metadata = parseSrMetadata((await zip.read('metadata')).toString('utf8'), `${path} [metadata]`);

    const names = srChunkNames(zip.names, metadata.capturefile, path);
    const scanner = new EdgeScanner(metadata.unitsize, metadata.probes.map((p) => p.bit));
    for (const name of names) {
      // The zlib stream inflates the next piece (on libuv's thread pool) while this one is scanned.
      for await (const piece of zip.stream(name)) scanner.push(piece);
      scanner.endChunk(`${path} [${name}]`);
    }

    const scanned = scanner.finish();
    const channels = scanned.channels.map((ch, i) => ({ name: metadata.probes[i]!.name, initial: ch.initial, edges: ch.edges }));
    // Not makeWaveform: the scanner's edges are increasing by construction, the metadata has checked the rate and
    // the names, and checking millions of edges again would cost a tenth of the read.
    const waveform: Waveform = { rate: metadata.samplerate, length: scanned.length, channels };
    return { metadata, waveform };
  } finally {
    await zip.close();
  }
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
  const renderer = new SampleRenderer(waveform, metadata.unitsize);

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
