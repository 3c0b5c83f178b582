/**
 * What of a submission reaches the build: only regular `*.c` and `*.h` files at the top of its folder, with plain
 * names (letters, digits, `_`, `-`, one dot: so none collides with kbuild's own NAME.mod.c or .NAME.o.cmd), within size
 * limits. Makefiles, Kbuild files, scripts, subfolders and symlinks stay behind: pinrig writes its own Kbuild.
 */
import { constants, type Dirent } from 'node:fs';
import { open, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const SOURCE_LIMITS = { fileBytes: 1 << 20, totalBytes: 4 << 20, files: 64 } as const;

const SOURCE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*\.[ch]$/;
const PLAIN_NAME = /^[\w.+-]{1,100}$/;
const LISTED_IGNORED = 20;

export interface CopiedSources {
  /** File names copied into the build folder, sorted. */
  readonly sources: readonly string[];
  /** What was left behind and why, one entry per file, for the build log. */
  readonly ignored: readonly string[];
  /** Why the submission cannot be built at all (too large, no .c file); the student's feedback. */
  readonly problem?: string;
}

/** A name as the log may show it: quoted and escaped when the student chose odd characters. */
const shown = (name: string): string => (PLAIN_NAME.test(name) ? name : JSON.stringify(name.slice(0, 100)));

function whyIgnored(entry: Dirent): string | undefined {
  if (entry.isSymbolicLink()) return 'a symbolic link';
  if (entry.isDirectory()) return 'a folder (only files at the top are built)';
  if (!entry.isFile()) return 'not a regular file';
  if (!/\.[ch]$/.test(entry.name)) return 'not a .c or .h file';
  if (!SOURCE_NAME.test(entry.name)) return 'name has characters other than letters, digits, _ and - before .c/.h';
  return undefined;
}

/**
 * Reads one source without following a link swapped in since readdir and without blocking on a FIFO, and rejects
 * anything over the size limit by reading one byte more than allowed.
 */
async function readSource(file: string): Promise<Buffer | 'too large' | 'not a regular file'> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) return 'not a regular file';
    const buffer = Buffer.alloc(SOURCE_LIMITS.fileBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > SOURCE_LIMITS.fileBytes) return 'too large';
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** Copies the submission's sources into `buildDir` (which must exist and be empty). */
export async function copySources(submissionDir: string, buildDir: string): Promise<CopiedSources> {
  const entries = (await readdir(submissionDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const ignored: string[] = [];
  const sources: string[] = [];
  let total = 0;
  for (const entry of entries) {
    const why = whyIgnored(entry);
    if (why) {
      ignored.push(`${shown(entry.name)} (${why})`);
      continue;
    }
    const content = await readSource(path.join(submissionDir, entry.name));
    if (content === 'not a regular file') {
      ignored.push(`${shown(entry.name)} (${content})`);
      continue;
    }
    if (content === 'too large') return { sources, ignored, problem: `${entry.name} is larger than ${SOURCE_LIMITS.fileBytes >> 10} KiB` };
    total += content.length;
    if (total > SOURCE_LIMITS.totalBytes) return { sources, ignored, problem: `the sources are larger than ${SOURCE_LIMITS.totalBytes >> 20} MiB together` };
    if (sources.length === SOURCE_LIMITS.files) return { sources, ignored, problem: `more than ${SOURCE_LIMITS.files} .c and .h files` };
    await writeFile(path.join(buildDir, entry.name), content, { flag: 'wx' });
    sources.push(entry.name);
  }
  const listed = ignored.length > LISTED_IGNORED ? [...ignored.slice(0, LISTED_IGNORED), `and ${ignored.length - LISTED_IGNORED} more`] : ignored;
  if (!sources.some((name) => name.endsWith('.c'))) {
    // A .c file that is there but was not taken (a symbolic link, an odd name) is named with the reason.
    const skipped = ignored.filter((line) => /\.c"? \(/.test(line));
    const problem = skipped.length ? `no .c file that can be built at the top of the submission folder: ${skipped.join(', ')}` : 'no .c file at the top of the submission folder';
    return { sources, ignored: listed, problem };
  }
  return { sources, ignored: listed };
}

/**
 * pinrig's Kbuild: `obj-m := NAME.o`, plus `NAME-objs` when the module is not the one file NAME.c. A module of several
 * files cannot also have a NAME.c (kbuild would need NAME.o both as a part and as the whole): that is the student's
 * problem to fix, reported as such.
 */
export function kbuildText(moduleName: string, sources: readonly string[]): { text: string } | { problem: string } {
  const objects = sources.filter((name) => name.endsWith('.c')).map((name) => name.replace(/\.c$/, '.o'));
  const own = `${moduleName}.o`;
  if (objects.length === 1 && objects[0] === own) return { text: `obj-m := ${own}\n` };
  if (objects.includes(own)) {
    return { problem: `a module built from several .c files cannot have one named ${moduleName}.c: rename it (the module is ${moduleName}.ko)` };
  }
  return { text: `obj-m := ${own}\n${moduleName}-objs := ${objects.join(' ')}\n` };
}
