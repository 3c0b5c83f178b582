/**
 * Reading members of a zip archive as streams of pieces (yauzl for the directory, zlib to inflate), so that a
 * member of any size is never in memory whole. Every problem is an InputError naming the
 * file and member instead of a yauzl or zlib stack trace.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, Readable, type TransformOptions } from 'node:stream';
import { crc32, createInflateRaw, type ZlibOptions } from 'node:zlib';
import yauzl from 'yauzl';
import { InputError } from '../errors.js';

const STORED = 0;
const DEFLATED = 8;
/** Inflated bytes per piece: big enough that per-piece overhead vanishes, small enough to stay in cache. */
const PIECE_BYTES = 512 * 1024;
/** Bound on a member read whole (metadata, version): sigrok writes a few kilobytes. */
const MAX_READ_BYTES = 1 << 20;
/** zlib inflates up to two pieces ahead (on libuv's thread pool) while the caller works on the one it has. */
const INFLATE_OPTIONS: ZlibOptions & TransformOptions = { chunkSize: PIECE_BYTES, readableHighWaterMark: 2 * PIECE_BYTES };

export interface ZipArchive {
  readonly names: readonly string[];
  has(name: string): boolean;
  /** The member's bytes, inflated, in pieces of any length. */
  stream(name: string): AsyncGenerator<Uint8Array>;
  /**
   * The member's bytes, inflated, in one buffer: for small members. More than `maxBytes` once inflated is an
   * InputError naming the member, found while inflating (a member that inflates to gigabytes is refused early).
   */
  read(name: string, maxBytes?: number): Promise<Buffer>;
  close(): Promise<void>;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A zip starts with a local file header, or with the end record when it is empty. */
async function startsLikeZip(file: FileHandle): Promise<boolean> {
  const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
  const magic = buffer.subarray(0, bytesRead).toString('latin1');
  return magic === 'PK\x03\x04' || magic === 'PK\x05\x06';
}

async function readEntries(file: FileHandle, path: string): Promise<{ zip: yauzl.ZipFile; entries: Map<string, yauzl.Entry> }> {
  if (!(await startsLikeZip(file))) throw new InputError(path, 'not a zip archive (it does not start with a zip header)');
  try {
    const zip = await yauzl.fromFdPromise(file.fd, { lazyEntries: true, autoClose: false });
    const entries = new Map<string, yauzl.Entry>();
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
    return { zip, entries };
  } catch (e) {
    throw new InputError(path, `damaged or truncated zip archive (${reason(e)})`);
  }
}

export async function openZip(path: string): Promise<ZipArchive> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (e) {
    throw new InputError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? reason(e)}`);
  }
  let found;
  try {
    found = await readEntries(file, path);
  } catch (e) {
    await file.close();
    throw e;
  }
  const { zip, entries } = found;

  /** The member's bytes as stored in the file, read straight from it in pieces. */
  async function* rawPieces(entry: yauzl.Entry, where: string): AsyncGenerator<Buffer> {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
    for (let at = 0; at < entry.compressedSize; ) {
      const piece = Buffer.allocUnsafe(Math.min(PIECE_BYTES, entry.compressedSize - at));
      const { bytesRead } = await file.read(piece, 0, piece.length, fileDataStart + at);
      if (bytesRead !== piece.length) throw new InputError(where, `truncated: the file ends inside this member`);
      at += bytesRead;
      yield piece;
    }
  }

  async function* stream(name: string): AsyncGenerator<Uint8Array> {
    const entry = entries.get(name);
    if (!entry) throw new InputError(path, `has no "${name}" member`);
    const where = `${path} [${name}]`;
    if (entry.isEncrypted()) throw new InputError(where, 'is encrypted');
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      throw new InputError(where, `compression method ${entry.compressionMethod} is not supported (stored or deflated only)`);
    }
    let bytes = 0;
    let crc = 0;
    try {
      const raw = rawPieces(entry, where);
      const data = entry.compressionMethod === DEFLATED ? pipeline(Readable.from(raw), createInflateRaw(INFLATE_OPTIONS), () => {}) : raw;
      for await (const piece of data) {
        bytes += (piece as Buffer).length;
        if (entry.compressionMethod === STORED) crc = crc32(piece as Buffer, crc);
        yield piece as Buffer;
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(where, `damaged member (${reason(e)})`);
    }
    if (bytes !== entry.uncompressedSize) {
      throw new InputError(where, `damaged member: it holds ${bytes} bytes where the zip directory says ${entry.uncompressedSize}`);
    }
    // Damage to deflated data shows when inflating it (codes, distances, length). Stored data has only its CRC;
    // checking the CRC of every member would cost a sixth of reading a long capture.
    if (entry.compressionMethod === STORED && crc !== entry.crc32) {
      throw new InputError(where, 'damaged member: its CRC does not match the zip directory');
    }
  }

  async function read(name: string, maxBytes = MAX_READ_BYTES): Promise<Buffer> {
    const tooLarge = () => new InputError(`${path} [${name}]`, `is larger than ${maxBytes} bytes once inflated: not a sigrok text member (refused unread)`);
    if ((entries.get(name)?.uncompressedSize ?? 0) > maxBytes) throw tooLarge();
    const pieces: Uint8Array[] = [];
    let bytes = 0;
    for await (const piece of stream(name)) {
      bytes += piece.length;
      if (bytes > maxBytes) throw tooLarge(); // the declared size may lie
      pieces.push(piece);
    }
    return Buffer.concat(pieces);
  }

  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    stream,
    read,
    // Not zip.close(): for an archive opened from an fd, yauzl would close that same fd a second time.
    close: () => file.close(),
  };
}
