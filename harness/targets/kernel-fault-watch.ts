/**
 * Watches a guest's console for a kernel panic or oops and reports its line at once: a panicked guest answers nothing
 * more, and an oopsed one is in an unknown state, so a command running on it would otherwise wait out its whole
 * timeout or go on with a broken kernel. Bounded: only the last line in progress is kept between chunks.
 */
import type { ByteStream } from '../links/byte-stream.js';

export type KernelFault = 'panicked' | 'oopsed';

const FAULTS: ReadonlyArray<{ fault: KernelFault; pattern: RegExp }> = [
  { fault: 'panicked', pattern: /Kernel panic - not syncing:[^\r\n]*/ },
  { fault: 'oopsed', pattern: /(?:Internal error: Oops|Unable to handle kernel)[^\r\n]*/ },
];
const KEEP = 512;

/** Calls `onFault` once, for the first fault of the kinds watched whose whole line has arrived. */
export function watchForKernelFault(console: ByteStream, kinds: readonly KernelFault[], onFault: (fault: KernelFault, line: string) => void): () => void {
  const watched = FAULTS.filter((f) => kinds.includes(f.fault));
  let tail = '';
  let seen = false;
  return console.onData((chunk) => {
    if (seen) return;
    const text = tail + chunk.toString('latin1');
    for (const { fault, pattern } of watched) {
      const found = pattern.exec(text);
      if (found && /[\r\n]/.test(text.slice(found.index + found[0].length))) {
        seen = true;
        onFault(fault, found[0]);
        return;
      }
    }
    tail = text.slice(-KEEP);
  });
}
