/**
 * A guest's serial console on a Unix socket QEMU serves (`-serial unix:PATH,server=on,wait=off`). Preferred over a
 * pty for emulated guests: QEMU's pty backend treats a read that finds no data as a hang-up and then polls for the
 * reader only once a second, which stalled console input for seconds at a time under icount sleep=off.
 */
import type net from 'node:net';
import type { ByteStream } from './byte-stream.js';
import { connectUnixSocket } from './unix-socket.js';

export class SocketConsole implements ByteStream {
  private closedReason: string | undefined;

  private constructor(
    readonly path: string,
    private readonly socket: net.Socket,
  ) {
    socket.on('close', () => (this.closedReason ??= `${path} closed`));
    socket.on('error', (error) => (this.closedReason ??= `${path}: ${error.message}`));
  }

  static async connect(path: string, timeoutMs = 10_000): Promise<SocketConsole> {
    return new SocketConsole(path, await connectUnixSocket(path, timeoutMs, 'serial console'));
  }

  write(data: string): void {
    if (!this.closedReason) this.socket.write(data);
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.socket.on('data', listener);
    return () => this.socket.off('data', listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    const onClose = () => listener(this.closedReason ?? `${this.path} closed`);
    this.socket.on('close', onClose);
    return () => this.socket.off('close', onClose);
  }

  async close(): Promise<void> {
    this.socket.destroy();
  }
}
