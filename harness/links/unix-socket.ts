/**
 * Connects to a Unix socket that QEMU creates asynchronously, retrying until it exists or the deadline passes.
 */
import net from 'node:net';

export async function connectUnixSocket(path: string, timeoutMs: number, what: string): Promise<net.Socket> {
  const deadline = Date.now() + timeoutMs;
  let lastError: Error | undefined;
  while (Date.now() < deadline) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const socket = net.createConnection(path);
        socket.once('connect', () => {
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      });
    } catch (error) {
      lastError = error as Error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`${what}: could not connect to ${path} within ${timeoutMs} ms (${lastError?.message ?? 'no attempt'})`);
}
