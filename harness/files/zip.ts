/**
 * Reading members of a zip archive (yauzl for the directory, zlib to inflate) with bounded memory: a member of any
 * size is never in memory whole unless it is small, and a sequence of members is inflated ahead on libuv's thread
 * pool while the caller works on the current one. Every problem is an InputError naming the file and member instead
 * of a yauzl or zlib stack trace.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, Readable, type TransformOptions } from 'node:stream';
import { promisify } from 'node:util';
import { crc32, createInflateRaw, inflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';
import yauzl from 'yauzl';
import { InputError } from '../errors.js';

const STORED = 0;
const DEFLATED = 8;
/**
 * A member up to this size (inflated, and as stored) is read whole, as one job on libuv's thread pool; a larger one
 * is streamed. sigrok writes sample members of 4 MiB (its file input) or less (fx2lafw ~10 ms of samples, demo 4 KiB).
 */
const WHOLE_BYTES = 8 << 20;
/**
 * Members inflated ahead of the one being read, at once, each by a thread of the pool: with the caller's thread that
 * keeps both cores of a small machine busy, and inflation goes on while the caller's code is still being compiled.
 * Three ahead measured no faster (on a loaded 2-core host) and held 4 MiB more of a peak RSS kept under 128 MB.
 */
const MEMBERS_AHEAD = 2;
/** Inflated bytes per piece of a streamed member: big enough that per-piece overhead vanishes. */
const PIECE_BYTES = 512 * 1024;
/** Bound on a member read with read() (metadata, version): sigrok writes a few kilobytes. */
const MAX_READ_BYTES = 1 << 20;
/** zlib inflates up to two pieces ahead while the caller works on the one it has. */
const INFLATE_OPTIONS: ZlibOptions & TransformOptions = { chunkSize: PIECE_BYTES, readableHighWaterMark: 2 * PIECE_BYTES };

const inflateRawAsync = promisify(inflateRaw);

export interface ZipMember {
  readonly name: string;
  /** The member's bytes, inflated, in pieces of any length. */
  readonly pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

export interface ZipArchive {
  readonly names: readonly string[];
  has(name: string): boolean;
  /**
   * These members one after another, in this order. While the caller reads one, up to MEMBERS_AHEAD of the next
   * are inflated whole (each at most WHOLE_BYTES) on libuv's thread pool; a member larger than that is streamed in
   * pieces when its turn comes. So at most (MEMBERS_AHEAD + 1) × WHOLE_BYTES of inflated data is held (24 MiB;
   * 12 MiB with sigrok's 4 MiB members), whatever the number and size of the members. A member's pieces are valid
   * until the caller asks for the next member: then their memory is freed.
   */
  members(names: readonly string[]): AsyncGenerator<ZipMember>;
  /**
   * The member's bytes, inflated, in one buffer: for small members. More than `maxBytes` once inflated is an
   * InputError naming the member, found while inflating (a member that inflates to gigabytes is refused early).
   */
  read(name: string, maxBytes?: number): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Frees a piece the caller is done with now, not when the garbage collector gets to it: its bytes move to a new,
 * unreachable ArrayBuffer, which the next young-generation collection frees. A long read makes a piece every few
 * milliseconds; those that lived long enough to reach the old generation otherwise waited for a full collection,
 * and a 1G-sample read then held 70 MB of them (a 1 ms difference in when the process started decided which).
 * Only for buffers this module made whole and handed over (a streamed piece shares its buffer with the next one).
 * A piece from Node's shared pool cannot move: it is small, and stays.
 */
function release(piece: Uint8Array): void {
  try {
    structuredClone(piece.buffer, { transfer: [piece.buffer as ArrayBuffer] });
  } catch {
    // untransferable: pooled
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isTooLarge(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ERR_BUFFER_TOO_LARGE';
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

  /** The member's directory entry, if pinrig can read it. */
  function entryOf(name: string): yauzl.Entry {
    const entry = entries.get(name);
    if (!entry) throw new InputError(path, `has no "${name}" member`);
    const where = `${path} [${name}]`;
    if (entry.isEncrypted()) throw new InputError(where, 'is encrypted');
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      throw new InputError(where, `compression method ${entry.compressionMethod} is not supported (stored or deflated only)`);
    }
    return entry;
  }

  /** Bytes of the member as stored in the file, from `at`, read straight from it. */
  async function rawBytes(entry: yauzl.Entry, fileDataStart: number, at: number, length: number): Promise<Buffer> {
    const bytes = Buffer.allocUnsafe(length);
    const { bytesRead } = await file.read(bytes, 0, length, fileDataStart + at);
    if (bytesRead !== length) throw new InputError(`${path} [${entry.fileName}]`, 'truncated: the file ends inside this member');
    return bytes;
  }

  /** The checks a member's inflated bytes get: their count against the directory, and for stored data, the CRC. */
  function check(entry: yauzl.Entry, bytes: number, crc: number | undefined): void {
    const where = `${path} [${entry.fileName}]`;
    if (bytes !== entry.uncompressedSize) {
      throw new InputError(where, `damaged member: it holds ${bytes} bytes where the zip directory says ${entry.uncompressedSize}`);
    }
    // Damage to deflated data shows when inflating it (codes, distances, length). Stored data has only its CRC;
    // checking the CRC of every deflated member would cost a sixth of reading a long capture.
    if (crc !== undefined && crc !== entry.crc32) throw new InputError(where, 'damaged member: its CRC does not match the zip directory');
  }

  function damaged(entry: yauzl.Entry, e: unknown): InputError {
    return e instanceof InputError ? e : new InputError(`${path} [${entry.fileName}]`, `damaged member (${reason(e)})`);
  }

  /**
   * A member of at most WHOLE_BYTES, inflated in one job on libuv's thread pool, into one buffer: one byte longer
   * than the member, so that zlib needs no second buffer and the result is not copied. Inflating past WHOLE_BYTES
   * is refused as damage, so a directory that understates a member's size cannot make it take more.
   */
  async function whole(name: string): Promise<Buffer> {
    const entry = entryOf(name);
    try {
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const raw = await rawBytes(entry, fileDataStart, 0, entry.compressedSize);
      if (entry.compressionMethod === STORED) {
        check(entry, raw.length, crc32(raw));
        return raw;
      }
      // At least 64 KiB per step, so that a directory understating the size cannot make zlib take tiny ones.
      const data = await inflateRawAsync(raw, { chunkSize: Math.max(64 << 10, entry.uncompressedSize + 1), maxOutputLength: WHOLE_BYTES });
      release(raw);
      check(entry, data.length, undefined);
      return data;
    } catch (e) {
      if (isTooLarge(e)) {
        throw new InputError(`${path} [${entry.fileName}]`, `damaged member: it holds more than ${WHOLE_BYTES} bytes where the zip directory says ${entry.uncompressedSize}`);
      }
      throw damaged(entry, e);
    }
  }

  /** A member of any size, streamed: read from the file and inflated piece by piece. */
  async function* streamed(entry: yauzl.Entry): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    let crc = 0;
    try {
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const raw = (async function* () {
        for (let at = 0; at < entry.compressedSize; at += PIECE_BYTES) {
          yield await rawBytes(entry, fileDataStart, at, Math.min(PIECE_BYTES, entry.compressedSize - at));
        }
      })();
      const data = entry.compressionMethod === DEFLATED ? pipeline(Readable.from(raw), createInflateRaw(INFLATE_OPTIONS), () => {}) : raw;
      for await (const piece of data) {
        bytes += (piece as Buffer).length;
        if (entry.compressionMethod === STORED) crc = crc32(piece as Buffer, crc);
        yield piece as Buffer;
      }
    } catch (e) {
      throw damaged(entry, e);
    }
    check(entry, bytes, entry.compressionMethod === STORED ? crc : undefined);
  }

  const fitsWhole = (entry: yauzl.Entry) => entry.uncompressedSize <= WHOLE_BYTES && entry.compressedSize <= WHOLE_BYTES;

  async function* members(names: readonly string[]): AsyncGenerator<ZipMember> {
    const ahead = new Map<number, Promise<Buffer>>();
    const start = (i: number) => {
      const entry = entries.get(names[i] ?? '');
      if (!entry || ahead.has(i) || !fitsWhole(entry)) return;
      const loading = whole(entry.fileName);
      loading.catch(() => {}); // seen when its turn comes; until then not an unhandled rejection
      ahead.set(i, loading);
    };
    try {
      for (let i = 0; i < names.length; i++) {
        const entry = entryOf(names[i]!);
        start(i);
        const loading = ahead.get(i);
        ahead.delete(i);
        const data = loading ? await loading : undefined;
        // The next ones only now: the first member, which the caller waits for, has the cores to itself.
        for (let next = i + 1; next <= i + MEMBERS_AHEAD; next++) start(next);
        yield { name: entry.fileName, pieces: data ? [data] : streamed(entry) };
        if (data) release(data);
      }
    } finally {
      // Nothing may still be reading the file when the caller closes it.
      await Promise.allSettled(ahead.values());
    }
  }

  /** Inflated on this thread: a small member costs less than a job on the thread pool. */
  async function read(name: string, maxBytes = MAX_READ_BYTES): Promise<Buffer> {
    const entry = entryOf(name);
    const where = `${path} [${name}]`;
    const tooLarge = () => new InputError(where, `is larger than ${maxBytes} bytes once inflated: not a sigrok text member (refused unread)`);
    // Deflate adds at most 5 bytes per 64 KiB block to stored data: more than that is no small member either.
    if (entry.uncompressedSize > maxBytes || entry.compressedSize > maxBytes + (maxBytes >> 10) + 64) throw tooLarge();
    try {
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const raw = await rawBytes(entry, fileDataStart, 0, entry.compressedSize);
      const data = entry.compressionMethod === STORED ? raw : inflateRawSync(raw, { maxOutputLength: maxBytes }); // the declared size may lie
      check(entry, data.length, entry.compressionMethod === STORED ? crc32(data) : undefined);
      return data;
    } catch (e) {
      if (isTooLarge(e)) throw tooLarge();
      throw damaged(entry, e);
    }
  }

  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    members,
    read,
    // Not zip.close(): for an archive opened from an fd, yauzl would close that same fd a second time.
    close: () => file.close(),
  };
}
