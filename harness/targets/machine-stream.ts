/**
 * A console stream that also ends when its machine exits, so a command running when QEMU dies fails at once with
 * QEMU's exit status rather than waiting for a timeout.
 */
import type { ByteStream } from '../links/byte-stream.js';
import type { QemuProcess } from './qemu-process.js';

export function joinStreams(console: ByteStream, qemu: QemuProcess): ByteStream {
  return {
    write: (data) => console.write(data),
    onData: (listener) => console.onData(listener),
    onClose: (listener) => {
      let live = true;
      const off = console.onClose((reason) => live && listener(reason));
      void qemu.exited.then(() => live && listener(qemu.describeExit()));
      return () => {
        live = false;
        off();
      };
    },
  };
}
