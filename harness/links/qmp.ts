/**
 * QMP, QEMU's JSON control protocol: find devices by QOM type (never hard-code their paths), switch trace events,
 * stop/continue the machine and quit.
 */
import type net from 'node:net';
import { LineSplitter } from './lines.js';
import { connectUnixSocket } from './unix-socket.js';

/** A device in QEMU's object tree, with how many GPIO lines it really has (read from QOM, not assumed). */
export interface QomDevice {
  readonly path: string;
  readonly type: string;
  readonly inputs: number;
  readonly outputs: number;
}

interface QomProperty {
  name: string;
  type: string;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  command: string;
}

export class QmpLink {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedReason: string | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly commandTimeoutMs: number,
  ) {
    const splitter = new LineSplitter((line) => this.receive(line), 4 * 1024 * 1024);
    socket.on('data', (chunk) => splitter.feed(chunk));
    socket.on('close', () => this.failAll('QMP connection closed (QEMU exited?)'));
    socket.on('error', (error) => this.failAll(`QMP socket error: ${error.message}`));
  }

  static async connect(path: string, options: { timeoutMs?: number; commandTimeoutMs?: number } = {}): Promise<QmpLink> {
    const socket = await connectUnixSocket(path, options.timeoutMs ?? 10_000, 'QMP');
    const link = new QmpLink(socket, options.commandTimeoutMs ?? 5_000);
    await link.execute('qmp_capabilities');
    return link;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedReason) return Promise.reject(new Error(`QMP ${command}: ${this.closedReason}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`QMP ${command}: no answer within ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, command });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  qomList(path: string): Promise<QomProperty[]> {
    return this.execute<QomProperty[]>('qom-list', { path });
  }

  /** Finds the devices of a QOM type below `root`, e.g. 'pl061' or 'bcm2835_gpio', with their GPIO line counts. */
  async findDevices(type: string, root = '/machine'): Promise<QomDevice[]> {
    const found: QomDevice[] = [];
    const walk = async (path: string, depth: number): Promise<void> => {
      if (depth > 6) return;
      for (const prop of await this.qomList(path)) {
        if (!prop.type.startsWith('child<')) continue;
        const childPath = `${path}/${prop.name}`;
        if (prop.type === `child<${type}>`) found.push(await this.describeDevice(childPath, type));
        else if (!prop.type.startsWith('child<memory-region') && !prop.type.startsWith('child<irq')) await walk(childPath, depth + 1);
      }
    };
    await walk(root, 0);
    return found;
  }

  async findDevice(type: string): Promise<QomDevice> {
    const devices = await this.findDevices(type);
    if (devices.length !== 1) {
      throw new Error(`QMP: expected one device of type ${type}, found ${devices.length}${devices.length ? ` (${devices.map((d) => d.path).join(', ')})` : ''}`);
    }
    return devices[0]!;
  }

  /** The device at `path`, which must be of QOM type `type` (a path found before, checked in two commands). */
  async device(path: string, type: string): Promise<QomDevice> {
    const actual = await this.execute<string>('qom-get', { path, property: 'type' }).catch((error: Error) => {
      throw new Error(`QMP: expected a ${type} at ${path}: ${error.message}`);
    });
    if (actual !== type) throw new Error(`QMP: expected a ${type} at ${path}, found a ${actual}`);
    return this.describeDevice(path, type);
  }

  private async describeDevice(path: string, type: string): Promise<QomDevice> {
    const props = await this.qomList(path);
    const count = (prefix: string) => props.filter((p) => p.name.startsWith(`${prefix}[`)).length;
    return { path, type, inputs: count('unnamed-gpio-in'), outputs: count('unnamed-gpio-out') };
  }

  setTraceEvent(name: string, enable: boolean): Promise<unknown> {
    return this.execute('trace-event-set-state', { name, enable });
  }

  stop(): Promise<unknown> {
    return this.execute('stop');
  }

  cont(): Promise<unknown> {
    return this.execute('cont');
  }

  /** Asks QEMU to exit; the connection closing is the expected answer. */
  async quit(): Promise<void> {
    await this.execute('quit').catch(() => {});
    this.close();
  }

  close(): void {
    this.failAll('QMP link closed');
    this.socket.destroy();
  }

  private receive(line: string): void {
    if (!line.trim()) return;
    let message: { id?: number; return?: unknown; error?: { class: string; desc: string } };
    try {
      message = JSON.parse(line);
    } catch {
      return; // not JSON: nothing we asked for
    }
    if (message.id === undefined) return; // greeting or asynchronous event
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error) pending.reject(new Error(`QMP ${pending.command}: ${message.error.class}: ${message.error.desc}`));
    else pending.resolve(message.return);
  }

  private failAll(reason: string): void {
    this.closedReason ??= reason;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`QMP ${pending.command}: ${reason}`));
      this.pending.delete(id);
    }
  }
}
