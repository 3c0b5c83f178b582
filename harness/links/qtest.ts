/**
 * qtest, QEMU's register-level test protocol, on a Unix socket beside a running guest.
 * Only typed requests are sent, never raw text, and requests known to abort QEMU are refused here:
 * the harness must never be the thing that kills the machine under test.
 */
import type net from 'node:net';
import { LineSplitter } from './lines.js';
import type { QomDevice } from './qmp.js';
import { connectUnixSocket } from './unix-socket.js';

/** An output line of an intercepted device changed level; `at` is host monotonic time in nanoseconds. */
export interface IrqEvent {
  readonly line: number;
  readonly level: 0 | 1;
  readonly at: bigint;
}

interface Pending {
  request: string;
  resolve: (reply: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const IRQ_EVENT = /^IRQ (raise|lower) (\d+)$/;

export class QtestLink {
  private readonly queue: Pending[] = [];
  private readonly listeners = new Set<(event: IrqEvent) => void>();
  private closedReason: string | undefined;
  private intercepted: QomDevice | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly requestTimeoutMs: number,
  ) {
    const splitter = new LineSplitter((line) => this.receive(line), 4096);
    socket.on('data', (chunk) => splitter.feed(chunk));
    socket.on('close', () => this.failAll('qtest connection closed (QEMU exited?)'));
    socket.on('error', (error) => this.failAll(`qtest socket error: ${error.message}`));
  }

  static async connect(path: string, options: { timeoutMs?: number; requestTimeoutMs?: number } = {}): Promise<QtestLink> {
    const socket = await connectUnixSocket(path, options.timeoutMs ?? 10_000, 'qtest');
    return new QtestLink(socket, options.requestTimeoutMs ?? 5_000);
  }

  async readl(addr: number): Promise<number> {
    const reply = await this.request(`readl ${hex(checkAddress(addr))}`);
    const value = /^OK (0x[0-9a-fA-F]+)$/.exec(reply);
    if (!value) throw new Error(`qtest readl ${hex(addr)}: unexpected reply ${JSON.stringify(reply)}`);
    return Number(BigInt(value[1]!) & 0xffffffffn);
  }

  async writel(addr: number, value: number): Promise<void> {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`qtest writel ${hex(addr)}: ${value} is not a 32-bit value`);
    await this.request(`writel ${hex(checkAddress(addr))} ${hex(value)}`);
  }

  /** Reports the device's output lines as IRQ events. QEMU allows one intercepted device per run. */
  async interceptOutputs(device: QomDevice): Promise<void> {
    if (this.intercepted) {
      if (this.intercepted.path === device.path) return;
      throw new Error(`qtest: outputs of ${this.intercepted.path} are already intercepted; QEMU allows one device per run`);
    }
    await this.request(`irq_intercept_out ${checkPath(device.path)}`);
    this.intercepted = device;
  }

  /** Drives an input line of a device. Refused when the device has no such line (QEMU would abort). */
  async setInput(device: QomDevice, line: number, level: 0 | 1): Promise<void> {
    if (!Number.isInteger(line) || line < 0 || line >= device.inputs) {
      throw new Error(
        `qtest: refusing set_irq_in on ${device.path} (${device.type}) line ${line}: the device has ${device.inputs} input line(s), and QEMU aborts on a line that does not exist`,
      );
    }
    await this.request(`set_irq_in ${checkPath(device.path)} unnamed-gpio-in ${line} ${level}`);
  }

  onIrq(listener: (event: IrqEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.failAll('qtest link closed');
    this.socket.destroy();
  }

  private request(text: string): Promise<string> {
    if (this.closedReason) return Promise.reject(new Error(`qtest ${text}: ${this.closedReason}`));
    return new Promise<string>((resolve, reject) => {
      const pending: Pending = {
        request: text,
        resolve,
        reject,
        timer: setTimeout(() => {
          // A reply that never came leaves the stream out of step: close rather than pair later replies wrongly.
          this.failAll(`no reply to "${text}" within ${this.requestTimeoutMs} ms`);
          this.socket.destroy();
        }, this.requestTimeoutMs),
      };
      this.queue.push(pending);
      this.socket.write(text + '\n');
    });
  }

  private receive(line: string): void {
    const irq = IRQ_EVENT.exec(line);
    if (irq) {
      const event: IrqEvent = { line: Number(irq[2]), level: irq[1] === 'raise' ? 1 : 0, at: process.hrtime.bigint() };
      for (const listener of this.listeners) listener(event);
      return;
    }
    const pending = this.queue.shift();
    if (!pending) return;
    clearTimeout(pending.timer);
    if (line.startsWith('OK')) pending.resolve(line);
    else pending.reject(new Error(`qtest ${pending.request}: ${line}`));
  }

  private failAll(reason: string): void {
    this.closedReason ??= reason;
    for (const pending of this.queue.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`qtest ${pending.request}: ${reason}`));
    }
  }
}

function hex(value: number): string {
  return '0x' + value.toString(16);
}

function checkAddress(addr: number): number {
  if (!Number.isSafeInteger(addr) || addr < 0) throw new Error(`qtest: ${addr} is not a physical address`);
  return addr;
}

/** QOM paths go into a space-separated protocol line: refuse anything that could split or end it. */
function checkPath(path: string): string {
  if (!/^\/[\w\-/[\].]*$/.test(path)) throw new Error(`qtest: ${JSON.stringify(path)} is not a QOM path`);
  return path;
}
