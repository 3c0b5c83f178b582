/**
 * A console stream that also ends when its machine exits, so a command running when QEMU dies fails at once with
 * QEMU's exit status rather than waiting for a timeout. The console usually notices first (its socket closes):
 * QEMU's own exit status is the better reason, so it is awaited briefly before settling for the console's.
 */
import type { ByteStream } from '../links/byte-stream.js';
import type { QemuProcess } from './qemu-process.js';

export function joinStreams(console: ByteStream, qemu: QemuProcess): ByteStream {
  return {
    write: (data) => console.write(data),
    onData: (listener) => console.onData(listener),
    onClose: (listener) => {
      let live = true;
      const report = (reason: string) => {
        if (!live) return;
        live = false;
        listener(reason);
      };
      const off = console.onClose(async (reason) => {
        const exited = await Promise.race([qemu.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 500))]);
        report(exited ? qemu.describeExit() : reason);
      });
      void qemu.exited.then(() => report(qemu.describeExit()));
      return () => {
        live = false;
        off();
      };
    },
  };
}
