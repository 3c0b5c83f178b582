/**
 * An SSH link to a board or guest through ssh2. One connection carries every command (a command costs a channel, not a
 * handshake); the host key is pinned; each command is bounded in time and in output; a connection that dropped (a board
 * reboot) is re-established on the next use, and the link counts and announces that it did.
 *
 * Uploads go through an exec channel (`cat > path`), not sftp: dropbear, the usual server on boards, has none.
 */
import { readFile } from 'node:fs/promises';
import type { Client, ClientChannel } from 'ssh2';
import type { ByteStream } from './byte-stream.js';
import { ACCEPT_ANY_HOST_KEY, fingerprint, parseHostKeyPin } from './ssh-host-key.js';

export interface SshOptions {
  host: string;
  /** 22 unless given. */
  port?: number;
  user: string;
  /** A private key: a file path (string) or the key itself (Buffer), OpenSSH or PEM format. */
  privateKey?: string | Buffer;
  passphrase?: string;
  password?: string;
  /** The expected host key fingerprint, `SHA256:<base64 without padding>`, or explicitly `'accept-any'`. */
  hostKey: string;
  /** Bound on TCP connect, handshake and authentication together. */
  readyTimeoutMs?: number;
  /** SSH keepalives: a peer silent for about interval × (countMax + 1) is declared gone. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** How long a `run` after a drop keeps trying to reconnect (a board rebooting) before it fails. */
  reconnectWithinMs?: number;
  /** Per-command defaults, overridable per call. */
  timeoutMs?: number;
  /** Bytes kept of stdout and of stderr each; the rest is counted and dropped. */
  maxOutput?: number;
}

export interface SshRunOptions {
  timeoutMs?: number;
  maxOutput?: number;
}

export interface SshResult {
  readonly command: string;
  /** The exit status; null when the command was ended by a signal (see `signal`) or reported none. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended the command, e.g. `SIGKILL`. */
  readonly signal?: string;
  /** Bytes of stdout and stderr dropped because they exceeded `maxOutput`. */
  readonly truncated: number;
  readonly ms: number;
}

export interface ReconnectEvent {
  /** Why the previous connection ended. */
  readonly reason: string;
  readonly attempts: number;
  /** From noticing the drop to the new connection being ready. */
  readonly downMs: number;
}

/** An interactive shell channel (with a terminal), for `Shell` from shell.ts. */
export interface SshShellStream extends ByteStream {
  close(): Promise<void>;
}

export class SshError extends Error {
  override name = 'SshError';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly user: string,
    problem: string,
    readonly command?: string,
  ) {
    super(`ssh ${user}@${host}:${port}: ${problem}`);
  }
}

/** The server presented a host key other than the pinned one; never retried. */
export class SshHostKeyError extends SshError {
  override name = 'SshHostKeyError';
}

/** Quotes text as one word for a POSIX shell: single quotes, each embedded `'` written as `'\''`. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

const DEFAULTS = {
  port: 22,
  readyTimeoutMs: 10_000,
  keepaliveIntervalMs: 5_000,
  keepaliveCountMax: 3,
  // Long enough for sshd to be restarted, short enough that a board that is gone is an error within seconds.
  reconnectWithinMs: 10_000,
  timeoutMs: 30_000,
  maxOutput: 1024 * 1024,
};
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2_000;
const CLOSE_WAIT_MS = 2_000;

/** One SSH connection; `dropped` says why it ended, once it has. */
interface Connection {
  readonly client: Client;
  /** The last error ssh2 reported on it: the reason, when it then closes. */
  lastError: string | undefined;
  dropped: string | undefined;
  readonly dropWatchers: Set<(reason: string) => void>;
}

/** The connection was found dead before a command left: nothing ran, so one retry on a new connection is safe. */
class CommandNotSent extends SshError {}

type Settings = Omit<Required<SshOptions>, 'privateKey' | 'passphrase' | 'password'> & Pick<SshOptions, 'passphrase' | 'password'>;

export class SshLink {
  private handshakeCount = 0;
  private reconnectCount = 0;
  private presentedKey: Buffer | undefined;
  private current: Connection | undefined;
  private reconnecting: Promise<Connection> | undefined;
  private lastDrop: { reason: string; at: number } | undefined;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly reconnectListeners = new Set<(event: ReconnectEvent) => void>();

  private constructor(
    private readonly settings: Settings,
    private readonly privateKey: Buffer | undefined,
  ) {}

  /** Connects once (bounded by `readyTimeoutMs`); the pin and the credentials are checked before any network traffic. */
  static async connect(options: SshOptions): Promise<SshLink> {
    const { host, user, password, passphrase } = options;
    const port = options.port ?? DEFAULTS.port;
    const pin = parseHostKeyPin(options.hostKey);
    if ('problem' in pin) throw new SshError(host, port, user, pin.problem);
    const settings: Settings = {
      host, port, user, password, passphrase, hostKey: pin.pin,
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax ?? DEFAULTS.keepaliveCountMax,
      reconnectWithinMs: options.reconnectWithinMs ?? DEFAULTS.reconnectWithinMs,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxOutput: options.maxOutput ?? DEFAULTS.maxOutput,
    };
    const fail = (problem: string) => new SshError(host, port, user, problem);
    if (options.privateKey === undefined && options.password === undefined) throw fail('no credentials: give a privateKey or a password');
    const privateKey = typeof options.privateKey === 'string'
      ? await readFile(options.privateKey).catch((error: Error) => { throw fail(`cannot read private key ${options.privateKey}: ${error.message}`); })
      : options.privateKey;
    const link = new SshLink(settings, privateKey);
    link.current = await link.handshake(settings.readyTimeoutMs);
    return link;
  }

  /** Where this link connects: host, port and user. */
  get target(): { readonly host: string; readonly port: number; readonly user: string } {
    return { host: this.settings.host, port: this.settings.port, user: this.settings.user };
  }

  /** Successful SSH handshakes, the first connection included: 1 means every command shared one connection. */
  get handshakes(): number {
    return this.handshakeCount;
  }

  get reconnects(): number {
    return this.reconnectCount;
  }

  /** The host key blob the server last presented (SSH wire format), e.g. for a known_hosts line. */
  get hostKeyBlob(): Buffer | undefined {
    return this.presentedKey;
  }

  /** Subscribes to reconnections; returns the unsubscribe function. */
  onReconnect(listener: (event: ReconnectEvent) => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /**
   * Runs one command on its own channel of the shared connection. On timeout the command is sent SIGKILL and its
   * channel closed; the connection stays up. Concurrent calls are queued (see `execute`).
   * Its stdin stays open and empty (ssh2 sends no signal once stdin got EOF): give a command that reads stdin `</dev/null`.
   */
  run(command: string, options: SshRunOptions = {}): Promise<SshResult> {
    return this.execute(command, options);
  }

  /** Runs a command and fails, naming it with its status and the tail of its stderr, unless it exits 0; returns stdout. */
  async check(command: string, options: SshRunOptions = {}): Promise<string> {
    const result = await this.run(command, options);
    if (result.status !== 0) throw this.commandFailed(result);
    return result.stdout;
  }

  /** Writes a local file (path) or bytes to `remotePath` on the machine, then sets `mode` if given; returns bytes sent. */
  async upload(source: string | Buffer, remotePath: string, mode?: number, options: SshRunOptions = {}): Promise<{ bytes: number; ms: number }> {
    if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o7777)) {
      throw this.error(`upload to ${remotePath}: mode ${mode} is not a file mode (0 to 0o7777)`);
    }
    const data = typeof source === 'string'
      ? await readFile(source).catch((error: Error) => { throw this.error(`upload to ${remotePath}: cannot read local file ${source}: ${error.message}`); })
      : source;
    const target = shellQuote(remotePath);
    const command = `cat > ${target}` + (mode === undefined ? '' : ` && chmod ${mode.toString(8)} ${target}`);
    const result = await this.execute(command, options, data);
    if (result.status !== 0) throw this.commandFailed(result);
    return { bytes: data.length, ms: result.ms };
  }

  /** Opens an interactive shell with a terminal (so Ctrl-C interrupts, as on a console) on the shared connection. */
  openShell(): Promise<SshShellStream> {
    return this.exclusive(async () => {
      const connection = await this.connection('shell');
      const channel = await this.openShellChannel(connection);
      return new ShellChannel(channel, connection, `ssh ${this.endpoint()} shell`, (work) => this.exclusive(work));
    });
  }

  /** Ends the connection; later calls fail. Bounded: a peer that does not answer is cut off. */
  async close(): Promise<void> {
    this.closed = true;
    const connection = this.current;
    this.current = undefined;
    if (!connection || connection.dropped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        connection.client.destroy();
        resolve();
      }, CLOSE_WAIT_MS);
      connection.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      connection.client.end();
    });
  }

  /** The live connection; after a drop, a reconnection shared by every caller waiting for it. */
  private connection(command: string): Promise<Connection> {
    if (this.closed) return Promise.reject(this.error('the link was closed', command));
    if (this.current) return Promise.resolve(this.current);
    this.reconnecting ??= this.reconnect().finally(() => {
      this.reconnecting = undefined;
    });
    return this.reconnecting;
  }

  /** Retries the handshake with growing pauses until it succeeds or `reconnectWithinMs` has passed. */
  private async reconnect(): Promise<Connection> {
    const drop = this.lastDrop ?? { reason: 'not connected', at: Date.now() };
    const deadline = Date.now() + this.settings.reconnectWithinMs;
    let delay = FIRST_RETRY_DELAY_MS;
    let attempts = 0;
    let lastError: Error | undefined;
    while (!this.closed && Date.now() < deadline) {
      attempts++;
      try {
        const connection = await this.handshake(Math.max(1, Math.min(this.settings.readyTimeoutMs, deadline - Date.now())));
        if (this.closed) {
          connection.client.end();
          break;
        }
        this.current = connection;
        this.reconnectCount++;
        const event = { reason: drop.reason, attempts, downMs: Date.now() - drop.at };
        for (const listener of this.reconnectListeners) listener(event);
        return connection;
      } catch (error) {
        if (error instanceof SshHostKeyError) throw error;
        lastError = error as Error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(delay, deadline - Date.now()))));
      delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
    }
    if (this.closed) throw this.error('the link was closed');
    const last = lastError ? `; last attempt: ${lastError.message}` : '';
    throw this.error(`the connection dropped (${drop.reason}) and did not come back within ${this.settings.reconnectWithinMs} ms (${attempts} attempts${last}); is the board powered and its SSH server running? (a board that reboots needs a longer reconnectWithinMs)`);
  }

  private async handshake(readyTimeoutMs: number): Promise<Connection> {
    const { host, port, user, hostKey, keepaliveIntervalMs, keepaliveCountMax, password, passphrase } = this.settings;
    // Loaded here, not with the module: every emulation worker imports the board code, and only a board connects.
    const { Client } = await import('ssh2');
    return new Promise((resolve, reject) => {
      const client = new Client();
      const connection: Connection = { client, lastError: undefined, dropped: undefined, dropWatchers: new Set() };
      let presented: string | undefined;
      let ready = false;
      let failed = false;
      const fail = (error: Error) => {
        if (ready || failed) return;
        failed = true;
        client.destroy();
        reject(this.connectError(error, presented, readyTimeoutMs));
      };
      client.on('error', (error) => {
        if (ready) connection.lastError = error.message;
        else fail(error);
      });
      client.on('close', () => {
        if (!ready) return fail(new Error('the server closed the connection during the handshake'));
        this.dropped(connection, connection.lastError ?? 'the server closed the connection');
      });
      client.once('ready', () => {
        ready = true;
        this.handshakeCount++;
        resolve(connection);
      });
      client.connect({
        host, port, username: user, password, passphrase, privateKey: this.privateKey,
        readyTimeout: readyTimeoutMs,
        keepaliveInterval: keepaliveIntervalMs,
        keepaliveCountMax,
        hostVerifier: (key: Buffer) => {
          presented = fingerprint(key);
          this.presentedKey = key;
          return hostKey === ACCEPT_ANY_HOST_KEY || presented === hostKey;
        },
      });
      // Without it, Nagle holds each small request until the server's delayed ACK: about 40 ms per command.
      client.setNoDelay(true);
    });
  }

  private dropped(connection: Connection, reason: string): void {
    if (connection.dropped !== undefined) return;
    connection.dropped = this.closed ? 'the link was closed' : reason;
    if (this.current === connection) {
      this.current = undefined;
      this.lastDrop = { reason, at: Date.now() };
    }
    for (const watcher of connection.dropWatchers) watcher(connection.dropped);
  }

  private connectError(error: Error, presented: string | undefined, readyTimeoutMs: number): SshError {
    const { host, port, user, hostKey } = this.settings;
    if (presented !== undefined && hostKey !== ACCEPT_ANY_HOST_KEY && presented !== hostKey) {
      return new SshHostKeyError(host, port, user,
        `host key mismatch: expected ${hostKey}, the server presented ${presented}; refusing to connect ` +
        '(another machine answers here, or this one was reinstalled: check, then update the pin)');
    }
    if (/timed out while waiting for handshake/i.test(error.message)) {
      return this.error(`no SSH handshake within ${readyTimeoutMs} ms (readyTimeout): ${error.message}`);
    }
    return this.error(`cannot connect: ${error.message}`);
  }

  /**
   * Channels are opened and commands run one at a time. dropbear 2022.82 to 2024.85 (Debian bookworm's 2022.83 among them) may
   * close a channel opened while another channel's process exits, failing it with "Unable to exec" or aborting the
   * whole connection (mkj/dropbear#321, fixed by #326). Opening and closing a shell channel take their turn too.
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => {});
    return next;
  }

  private execute(command: string, options: SshRunOptions, stdin?: Buffer): Promise<SshResult> {
    return this.exclusive(() => this.executeNow(command, options, stdin));
  }

  private async executeNow(command: string, options: SshRunOptions, stdin?: Buffer): Promise<SshResult> {
    const connection = await this.connection(command);
    try {
      return await this.exec(connection, command, options, stdin);
    } catch (error) {
      if (!(error instanceof CommandNotSent)) throw error;
      this.dropped(connection, 'found closed when a command was sent');
      connection.client.destroy();
      return this.exec(await this.connection(command), command, options, stdin);
    }
  }

  /** One command on one channel: output kept up to the bound, bounded by the timeout; `stdin`, if given, fed then closed. */
  private exec(connection: Connection, command: string, options: SshRunOptions, stdin?: Buffer): Promise<SshResult> {
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    const maxOutput = options.maxOutput ?? this.settings.maxOutput;
    const started = performance.now();
    const stdout = new BoundedOutput(maxOutput);
    const stderr = new BoundedOutput(maxOutput);
    let exit: { status: number | null; signal?: string } = { status: null };
    let channel: ClientChannel | undefined;
    return new Promise((resolve, reject) => {
      let settled = false;
      let timedOut: SshError | undefined;
      let closeWait: NodeJS.Timeout | undefined;
      const settle = (error?: SshError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(closeWait);
        connection.dropWatchers.delete(onDrop);
        if (error) return reject(error);
        const result = { command, ...exit, stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.dropped + stderr.dropped, ms: performance.now() - started };
        resolve(result);
      };
      const onDrop = (reason: string) => settle(this.error(`the connection dropped while \`${command}\` ran: ${reason}`, command));
      const timer = setTimeout(() => {
        timedOut = this.error(`\`${command}\` did not finish within ${timeoutMs} ms: sent SIGKILL and closed its channel (the connection stays up)`, command);
        if (!channel) return settle(timedOut);
        // Only the command's own process gets the signal (SSH signals one pid); closing the channel also cuts its pipes.
        // The server confirms the close once the process is gone: waiting for that (bounded) keeps the next command
        // clear of the dropbear bug above.
        channel.signal('KILL');
        channel.close();
        closeWait = setTimeout(() => settle(timedOut), CLOSE_WAIT_MS);
      }, timeoutMs);
      if (connection.dropped) return onDrop(connection.dropped);
      connection.dropWatchers.add(onDrop);
      const onOpened = (error: Error | undefined, opened: ClientChannel) => {
        if (settled) return opened?.close();
        if (error) return settle(this.error(`cannot start \`${command}\`: ${error.message}`, command));
        channel = opened;
        opened.on('data', (chunk: Buffer) => stdout.add(chunk));
        opened.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
        opened.on('exit', (status: number | null, signal?: string) => {
          exit = signal ? { status: null, signal } : { status };
        });
        opened.on('close', () => settle(timedOut));
        if (stdin) opened.end(stdin);
      };
      try {
        connection.client.exec(command, onOpened);
      } catch (error) {
        // ssh2 throws when the socket already ended but has not yet reported its close.
        const { host, port, user } = this.settings;
        settle(new CommandNotSent(host, port, user, `the connection dropped before \`${command}\` was sent: ${(error as Error).message}`, command));
      }
    });
  }

  /** A pty shell channel, bounded by readyTimeoutMs; one that opens after the bound is closed again. */
  private openShellChannel(connection: Connection): Promise<ClientChannel> {
    const timeoutMs = this.settings.readyTimeoutMs;
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        reject(this.error(`the shell channel did not open within ${timeoutMs} ms`));
      }, timeoutMs);
      connection.client.shell({ term: 'dumb', cols: 512, rows: 24 }, (error, channel) => {
        clearTimeout(timer);
        if (late) channel?.close();
        else if (error) reject(this.error(`cannot open a shell channel: ${error.message}`));
        else resolve(channel);
      });
    });
  }

  private commandFailed(result: SshResult): SshError {
    const how = result.signal ? `was ended by ${result.signal}` : `exited with status ${result.status ?? 'unknown'}`;
    const tail = result.stderr.trim().slice(-500);
    return this.error(`\`${result.command}\` ${how}: ${tail ? `stderr ends:\n${tail}` : '(no stderr)'}`, result.command);
  }

  private error(problem: string, command?: string): SshError {
    return new SshError(this.settings.host, this.settings.port, this.settings.user, problem, command);
  }

  private endpoint(): string {
    return `${this.settings.user}@${this.settings.host}:${this.settings.port}`;
  }
}

/** Keeps the first `max` bytes of a stream and counts the rest. */
class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;

  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    const room = Math.max(0, this.max - this.kept);
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.kept += Math.min(room, chunk.length);
    this.dropped += Math.max(0, chunk.length - room);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

class ShellChannel implements SshShellStream {
  private ended = false;
  private readonly closeListeners = new Set<(reason: string) => void>();

  constructor(
    private readonly channel: ClientChannel,
    private readonly connection: Connection,
    private readonly name: string,
    private readonly exclusive: (work: () => Promise<void>) => Promise<void>,
  ) {
    channel.once('close', () => this.end(this.connection.dropped ? `${this.name}: the connection dropped: ${this.connection.dropped}` : `${this.name} closed`));
  }

  write(data: string): void {
    if (!this.ended) this.channel.write(data);
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.channel.on('data', listener);
    return () => this.channel.off('data', listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Ends the channel for its users once, whether the server confirmed the close or not. */
  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const listener of [...this.closeListeners]) listener(reason);
  }

  close(): Promise<void> {
    return this.exclusive(() => this.closeNow());
  }

  private closeNow(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      // A server that never confirms (a busy one) must not leave the channel half open: it is closed for us anyway.
      const timer = setTimeout(() => {
        this.end(`${this.name} closed (the server did not confirm within ${CLOSE_WAIT_MS} ms)`);
        resolve();
      }, CLOSE_WAIT_MS);
      this.channel.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      // A hangup, as when a terminal goes away: the server closes a shell channel only once its shell has exited.
      this.channel.signal('HUP');
      this.channel.close();
    });
  }
}
