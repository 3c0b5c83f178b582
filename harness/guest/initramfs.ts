/**
 * A gzip'd newc cpio archive, the format the Linux kernel unpacks as its initramfs. Written here rather than with the
 * cpio tool: no extra host package, no root needed for the /dev/console node, and the bytes are reproducible
 * (fixed owner, times and inode numbers).
 */
import { lstat, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export type InitramfsEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly mode: number; readonly data: Buffer }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'chardev'; readonly path: string; readonly mode: number; readonly major: number; readonly minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

/** Every file, symlink and folder under `root`, with paths relative to it. */
export async function entriesFromTree(root: string): Promise<InitramfsEntry[]> {
  const entries: InitramfsEntry[] = [];
  for (const relative of await readdir(root, { recursive: true })) {
    const full = path.join(root, relative);
    const info = await lstat(full);
    if (info.isDirectory()) entries.push({ kind: 'dir', path: relative });
    else if (info.isSymbolicLink()) entries.push({ kind: 'symlink', path: relative, target: await readlink(full) });
    else if (info.isFile()) entries.push({ kind: 'file', path: relative, mode: info.mode & 0o7777, data: await readFile(full) });
    else throw new Error(`unexpected file type in the initramfs tree: ${full}`);
  }
  return entries;
}

/** The folders that must precede `p` in the archive. */
function parents(p: string): string[] {
  const result: string[] = [];
  for (let dir = path.posix.dirname(p); dir !== '.' && dir !== '/'; dir = path.posix.dirname(dir)) result.push(dir);
  return result;
}

/** Entries sorted so every folder comes before what it holds, with missing folders added and duplicates merged. */
function normalise(entries: readonly InitramfsEntry[]): InitramfsEntry[] {
  const byPath = new Map<string, InitramfsEntry>();
  for (const entry of entries) {
    for (const dir of parents(entry.path)) if (!byPath.has(dir)) byPath.set(dir, { kind: 'dir', path: dir });
    const previous = byPath.get(entry.path);
    if (previous && !(previous.kind === 'dir' && entry.kind === 'dir')) throw new Error(`initramfs: ${entry.path} given twice`);
    byPath.set(entry.path, entry);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

function record(ino: number, mode: number, nlink: number, name: string, data: Buffer, rdev: [number, number] = [0, 0]): Buffer[] {
  const nameBytes = Buffer.from(`${name}\0`);
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  const fields = [ino, mode, 0, 0, nlink, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const header = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return [header, nameBytes, pad4(header.length + nameBytes.length), data, pad4(data.length)];
}

/** The archive's bytes, uncompressed. */
export function newcArchive(entries: readonly InitramfsEntry[]): Buffer {
  const parts: Buffer[] = [];
  normalise(entries).forEach((entry, index) => {
    const ino = index + 1;
    switch (entry.kind) {
      case 'dir':
        parts.push(...record(ino, S_IFDIR | 0o755, 2, entry.path, Buffer.alloc(0)));
        break;
      case 'file':
        parts.push(...record(ino, S_IFREG | entry.mode, 1, entry.path, entry.data));
        break;
      case 'symlink':
        parts.push(...record(ino, S_IFLNK | 0o777, 1, entry.path, Buffer.from(entry.target)));
        break;
      case 'chardev':
        parts.push(...record(ino, S_IFCHR | entry.mode, 1, entry.path, Buffer.alloc(0), [entry.major, entry.minor]));
        break;
    }
  });
  parts.push(...record(0, 0, 1, 'TRAILER!!!', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** Writes the gzip'd archive and returns its size in bytes. */
export async function writeInitramfs(file: string, entries: readonly InitramfsEntry[]): Promise<number> {
  const gz = gzipSync(newcArchive(entries), { level: 9 });
  await writeFile(file, gz);
  return gz.length;
}
