/**
 * The gpio-stores plugin's stream (gpio-stores.c). pinrig listens on a unix socket before QEMU starts; the plugin
 * connects as QEMU loads it, says hello, then sends every guest store into the GPIO window stamped in virtual
 * nanoseconds, and answers clock requests on the same stream, after every store made before the request.
 */
import net from 'node:net';
import { LineSplitter } from '../../links/lines.js';

/** One guest store into the GPIO window. */
export interface StoreRecord {
  /** QEMU's virtual clock, integer nanoseconds. */
  readonly ns: number;
  readonly cpu: number;
  readonly addr: number;
  readonly value: number;
  readonly size: 1 | 2 | 4;
}

const HELLO = /^H pinrig-gpio-stores 1 (0x[0-9a-f]+) (0x[0-9a-f]+)$/;
const STORE = /^W (\d+) (\d+) (0x[0-9a-f]+) (0x[0-9a-f]+) ([1248])$/;
const CLOCK = /^C (\d+) (\d+)$/;

/** Parses one store line; anything else gives undefined. */
export function parseStore(line: string): StoreRecord | undefined {
  const m = STORE.exec(line);
  if (!m || m[5] === '8') return undefined;
  const ns = Number(m[1]);
  if (!Number.isSafeInteger(ns)) return undefined;
  return { ns, cpu: Number(m[2]), addr: Number(m[3]), value: Number(BigInt(m[4]!) & 0xffffffffn), size: Number(m[5]) as 1 | 2 | 4 };
}

export class StoreStream {
  private socket: net.Socket | undefined;
  private readonly pendingClocks = new Map<number, { resolve: (ns: number) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private closedReason: string | undefined;
  private hello: ((window: { base: number; size: number }) => void) | undefined;
  private storeListener: (record: StoreRecord) => void = () => {};
  private listenerFailure: Error | undefined;

  private constructor(
    private readonly server: net.Server,
    readonly socketPath: string,
  ) {
    server.once('connection', (socket) => this.attach(socket));
  }

  /** Listens at `socketPath`, where the plugin will connect. */
  static listen(socketPath: string): Promise<StoreStream> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.maxConnections = 1;
      server.once('error', (error) => reject(new Error(`cannot listen for the gpio-stores plugin at ${socketPath}: ${error.message}`)));
      server.listen(socketPath, () => resolve(new StoreStream(server, socketPath)));
    });
  }

  /** Every store, in the order the guest made them. A listener that throws fails the stream (raised by the next clock()). */
  onStore(listener: (record: StoreRecord) => void): void {
    this.storeListener = listener;
  }

  /** Waits (bounded) for the plugin's hello; returns the window it watches. */
  connected(timeoutMs: number): Promise<{ base: number; size: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the gpio-stores plugin did not connect within ${timeoutMs} ms (was -plugin given?)`)), timeoutMs);
      this.hello = (window) => {
        clearTimeout(timer);
        resolve(window);
      };
    });
  }

  /**
   * QEMU's virtual clock in nanoseconds. The answer comes after every store the guest made before the request, so
   * when it resolves they have all been passed to the listener. Exact only while the VM is stopped.
   */
  clock(timeoutMs = 5000): Promise<number> {
    if (this.listenerFailure) return Promise.reject(this.listenerFailure);
    if (this.closedReason || !this.socket) return Promise.reject(new Error(`gpio-stores plugin: ${this.closedReason ?? 'not connected'}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingClocks.delete(id);
        reject(new Error(`gpio-stores plugin: no answer to a clock request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingClocks.set(id, { resolve, reject, timer });
      this.socket!.write(`clock ${id}\n`);
    });
  }

  close(): void {
    this.fail('closed');
    this.socket?.destroy();
    this.server.close();
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.server.close(); // one plugin, one connection
    const splitter = new LineSplitter((line) => this.receive(line), 256, () => this.fail('a line from the plugin was too long'));
    socket.on('data', (chunk) => splitter.feed(chunk));
    socket.on('close', () => this.fail('the plugin closed its stream (QEMU exited?)'));
    socket.on('error', (error) => this.fail(`socket error: ${error.message}`));
  }

  private receive(line: string): void {
    const store = parseStore(line);
    if (store) {
      if (this.listenerFailure) return;
      try {
        this.storeListener(store);
      } catch (error) {
        this.listenerFailure = error as Error;
      }
      return;
    }
    const clock = CLOCK.exec(line);
    if (clock) {
      const pending = this.pendingClocks.get(Number(clock[1]));
      if (!pending) return;
      this.pendingClocks.delete(Number(clock[1]));
      clearTimeout(pending.timer);
      if (this.listenerFailure) pending.reject(this.listenerFailure);
      else pending.resolve(Number(clock[2]));
      return;
    }
    const hello = HELLO.exec(line);
    if (hello) this.hello?.({ base: Number(hello[1]), size: Number(hello[2]) });
    else this.fail(`unexpected line from the plugin: ${JSON.stringify(line.slice(0, 80))}`);
  }

  private fail(reason: string): void {
    this.closedReason ??= reason;
    for (const [id, pending] of this.pendingClocks) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`gpio-stores plugin: ${reason}`));
      this.pendingClocks.delete(id);
    }
  }
}
