/**
 * A serial console through node-serialport: a real UART device on a board, or a pty (the harness's own tests).
 */
import type { SerialPort } from 'serialport';
import type { ByteStream } from './byte-stream.js';

export class SerialConsole implements ByteStream {
  private constructor(
    readonly path: string,
    private readonly port: SerialPort,
  ) {}

  static async open(path: string, baudRate = 115200): Promise<SerialConsole> {
    // Loaded here, not with the module: every emulation worker imports the board code, and only a board opens a port.
    const { SerialPort } = await import('serialport');
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((error) => {
        if (error) reject(new Error(`serial console ${path}: cannot open: ${error.message}`));
        else resolve(new SerialConsole(path, port));
      });
    });
  }

  write(data: string): void {
    this.port.write(data);
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.port.on('data', listener);
    return () => this.port.off('data', listener);
  }

  /** Ends on a close, or on an I/O error (a pty whose other side went away gives EIO and may never close). */
  onClose(listener: (reason: string) => void): () => void {
    let live = true;
    const onClose = (error?: Error | null) => {
      if (!live) return;
      live = false;
      listener(error ? `${this.path}: ${error.message}` : `${this.path} closed`);
    };
    this.port.on('close', onClose);
    this.port.on('error', onClose);
    return () => {
      this.port.off('close', onClose);
      this.port.off('error', onClose);
    };
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
