/**
 * Watches a guest's console for a kernel panic and reports its line at once: a panicked guest answers nothing more,
 * so a command running on it would otherwise wait out its whole timeout. Bounded: only the last line in progress
 * is kept between chunks.
 */
import type { ByteStream } from '../links/byte-stream.js';

const PANIC = /Kernel panic - not syncing:[^\r\n]*/;
const KEEP = 512;

export function watchForPanic(console: ByteStream, onPanic: (line: string) => void): () => void {
  let tail = '';
  let seen = false;
  return console.onData((chunk) => {
    if (seen) return;
    const text = tail + chunk.toString('latin1');
    const found = PANIC.exec(text);
    if (found && /[\r\n]/.test(text.slice(found.index + found[0].length))) {
      seen = true;
      onPanic(found[0]);
      return;
    }
    tail = text.slice(-KEEP);
  });
}
