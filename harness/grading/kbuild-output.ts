/**
 * Build output as feedback: bounded while it streams in, cleaned of host paths and control characters, and the
 * compiler's first errors picked out of it.
 */

import type { Scrub } from './scrub.js';

/** Keeps the first `headBytes` and the last `tailBytes` of a stream and counts what falls between. */
export class BoundedOutput {
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private tail = Buffer.alloc(0);
  /** Bytes pushed so far, kept or not. */
  total = 0;

  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headLength < this.headBytes) {
      const taken = chunk.subarray(0, this.headBytes - this.headLength);
      this.head.push(taken);
      this.headLength += taken.length;
      chunk = chunk.subarray(taken.length);
    }
    if (chunk.length > 0) this.tail = Buffer.concat([this.tail, chunk]).subarray(-this.tailBytes);
  }

  text(): string {
    const left = this.total - this.headLength - this.tail.length;
    const gap = left > 0 ? `\n[... ${left} bytes of output left out ...]\n` : '';
    return Buffer.concat(this.head).toString('utf8') + gap + this.tail.toString('utf8');
  }
}

/** Where the sandbox mounts the build folder; feedback shows it as `submission/`. */
export const SANDBOX_BUILD_DIR = '/submission';

const SANDBOX_BUILD_PATH = /(?<![\w.~/-])\/submission(?![\w.-])/g;
// The headers as the sandbox sees them (/usr/src/linux-headers-…/) or as make names them (../linux-headers-…/).
const HEADERS_PATH = /(?:\/usr\/src\/|\.\.\/)linux-headers-[^/\s'"]+/g;
// Absolute paths under the host's own folders (never the /usr the compiler legitimately names).
const HOST_PATH = /(?<![\w.~/-])\/(?:work|root|home|tmp|var|srv|opt|mnt|media|run|etc|proc|sys|boot|nix|snap)(?:\/[^\s'"`:,;()<>]*)?/g;
// C0 controls but tab and newline, and DEL: a student's #error text must not drive the teacher's terminal.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * Rewrites build output for a student or teacher: the host folders `scrubHostPaths` knows (the build folder as
 * `submission`, the repository wherever it is cloned), the sandbox's build folder as `submission/`, the headers as `kernel-headers/`, any other absolute
 * path under a host folder as `<host path>`.
 */
export function sanitize(text: string, scrubHostPaths: Scrub): string {
  return scrubHostPaths(text.replace(CONTROLS, ''))
    .replace(SANDBOX_BUILD_PATH, 'submission')
    .replace(HEADERS_PATH, 'kernel-headers')
    .replace(HOST_PATH, '<host path>');
}

const ERROR_LINE = /(?:\berror:|^ERROR:)/;
// Context gcc prints before an error: the include chain and the enclosing function.
const LEAD_IN = /^(?:In file included from |\s+from |.*: In function |.*: At top level:)/;
// make's own lines repeat the failure without adding to it.
const MAKE_LINE = /^make(?:\[\d+\])?: /;
const MAX_LINE = 400;

/** The first error with its lead-in and what follows, up to `maxLines` lines (each cut to 400 characters). */
export function firstErrors(log: string, maxLines = 40): string {
  const lines = log.split('\n').filter((line) => !MAKE_LINE.test(line));
  const first = lines.findIndex((line) => ERROR_LINE.test(line));
  if (first < 0) return '';
  let start = first;
  while (start > 0 && LEAD_IN.test(lines[start - 1]!)) start--;
  return lines
    .slice(start, start + maxLines)
    .map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line))
    .join('\n');
}
