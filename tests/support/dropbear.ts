/**
 * A real dropbear SSH server on 127.0.0.1 for the SSH link's tests and bench, as a board would run it.
 *
 * dropbear has no option for an authorized_keys path: it reads ~/.ssh/authorized_keys of the login user's passwd home,
 * and checks passwords against /etc/shadow. Rather than touch /root or /etc, the server runs in its own mount and PID
 * namespaces (unshare): a temp dir is bind-mounted over /root and a temp shadow file (a throwaway root password) over
 * /etc/shadow, visible to that server only. Ending the namespace takes the listener, every session and every command
 * with it: no orphans, also when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { freeLoopbackPort } from '../../harness/links/free-port.js';

export interface Dropbear {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The client's private key file, OpenSSH format (what ssh2 and ssh read). */
  readonly clientKeyPath: string;
  /** The host key fingerprint as dropbearkey printed it: `SHA256:...`. */
  readonly hostFingerprint: string;
  /** The server's home for root: what the server writes under /root lands here. */
  readonly home: string;
  /** How many SSH logins the server accepted, from its own log (readiness probes never log in). */
  logins(): number;
  /** SIGSTOPs every server process (a hung board: TCP still open, nothing answers); `thaw` resumes them. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Kills the server with its sessions and commands (a board losing power); resolves once the port refuses. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same host key (the board came back). */
  restart(): Promise<void>;
  /** Stops the server and removes its files. */
  dispose(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;

export async function startDropbear(): Promise<Dropbear> {
  // An unprivileged user namespace will not do: dropbear's setgroups() for the login is refused there.
  if (process.getuid?.() !== 0) throw new Error('the test dropbear needs root (a mount namespace with its own /root and /etc/shadow)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-dropbear-'));
  try {
    const keys = await makeKeys(dir);
    const password = randomBytes(9).toString('base64');
    const home = path.join(dir, 'home');
    await mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    await writeFile(path.join(home, '.ssh', 'authorized_keys'), `${keys.clientPublic}\n`, { mode: 0o600 });
    const shadow = path.join(dir, 'shadow');
    const hash = (await execa('openssl', ['passwd', '-6', '-stdin'], { input: password })).stdout.trim();
    await writeFile(shadow, `root:${hash}:19000:0:99999:7:::\n`, { mode: 0o600 });
    return await Server.start({ dir, home, shadow, password, port: await freeLoopbackPort(), ...keys });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

interface Setup {
  dir: string;
  home: string;
  shadow: string;
  password: string;
  port: number;
  hostKey: string;
  hostFingerprint: string;
  clientKeyPath: string;
}

class Server implements Dropbear {
  readonly host = HOST;
  readonly user = 'root';
  private process: ChildProcess | undefined;
  private log = '';
  private loginCount = 0;
  private partialLine = '';

  private constructor(private readonly setup: Setup) {}

  static async start(setup: Setup): Promise<Server> {
    const server = new Server(setup);
    try {
      await server.restart();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get port() { return this.setup.port; }
  get password() { return this.setup.password; }
  get clientKeyPath() { return this.setup.clientKeyPath; }
  get hostFingerprint() { return this.setup.hostFingerprint; }
  get home() { return this.setup.home; }

  logins(): number {
    return this.loginCount;
  }

  async restart(): Promise<void> {
    if (this.process) throw new Error(`dropbear on ${HOST}:${this.port} is already running`);
    const { home, shadow, port, hostKey, dir } = this.setup;
    // The binds are the script's positional parameters, never pasted into its text.
    const script = 'mount --bind "$1" /root && mount --bind "$2" /etc/shadow && shift 2 && exec dropbear "$@"';
    // setpriv --pdeathsig: if this Node process dies without cleaning up, the kernel kills unshare, and so the server.
    const child = spawn('setpriv', [
      '--pdeathsig', 'KILL', '--',
      'unshare', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private',
      'sh', '-c', script, 'sh', home, shadow,
      '-F', '-E', '-p', `${HOST}:${port}`, '-r', hostKey, '-P', path.join(dir, 'dropbear.pid'),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    child.stderr!.setEncoding('utf8').on('data', (text: string) => this.record(text));
    await waitForBanner(port, child, () => this.log);
  }

  async freeze(): Promise<void> {
    for (const pid of await this.serverPids()) process.kill(pid, 'SIGSTOP');
  }

  async thaw(): Promise<void> {
    for (const pid of await this.serverPids()) process.kill(pid, 'SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Killing the namespace's init (dropbear) takes every process in it; unshare then reaps it and exits, so nothing
    // is left even as a zombie. Killing unshare itself is the fallback.
    const [init] = await childrenOf(child.pid);
    if (init) process.kill(init, 'SIGKILL');
    const fallback = setTimeout(() => child.kill('SIGKILL'), init ? START_TIMEOUT_MS : 0);
    await exited;
    clearTimeout(fallback);
    await waitUntilRefused(this.port);
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.setup.dir, { recursive: true, force: true });
  }

  /** Keeps the log's tail for error messages and counts logins, whole lines only (a chunk may end mid-line). */
  private record(text: string): void {
    const lines = (this.partialLine + text).split('\n');
    this.partialLine = lines.pop()!;
    this.loginCount += lines.filter((line) => line.includes('auth succeeded for')).length;
    this.log = (this.log + text).slice(-8192);
  }

  /** Every process in the server's namespace: the descendants of unshare. */
  private async serverPids(): Promise<number[]> {
    const pids: number[] = [];
    const queue = this.process?.pid ? [this.process.pid] : [];
    while (queue.length) {
      const children = await childrenOf(queue.shift()!);
      pids.push(...children);
      queue.push(...children);
    }
    return pids;
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return children.split(' ').filter(Boolean).map(Number);
}

async function makeKeys(dir: string) {
  const hostKey = path.join(dir, 'host_ed25519');
  const clientDropbearKey = path.join(dir, 'client_ed25519.dropbear');
  const clientKeyPath = path.join(dir, 'client_ed25519');
  const host = await execa('dropbearkey', ['-t', 'ed25519', '-f', hostKey]);
  await execa('dropbearkey', ['-t', 'ed25519', '-f', clientDropbearKey]);
  await execa('dropbearconvert', ['dropbear', 'openssh', clientDropbearKey, clientKeyPath]);
  const clientPublic = (await execa('dropbearkey', ['-y', '-f', clientDropbearKey])).stdout.split('\n').find((l) => l.startsWith('ssh-'));
  const hostFingerprint = /Fingerprint: (SHA256:\S+)/.exec(host.stdout)?.[1];
  if (!clientPublic || !hostFingerprint) throw new Error(`dropbearkey printed no public key or fingerprint:\n${host.stdout}`);
  return { hostKey, hostFingerprint, clientKeyPath, clientPublic };
}


/** Resolves once the port answers with an SSH banner; fails if the server exits or the bound passes. */
async function waitForBanner(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dropbear exited while starting:\n${log()}`);
    if (await readBanner(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dropbear did not answer on ${HOST}:${port} within ${START_TIMEOUT_MS} ms:\n${log()}`);
}

function readBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: HOST, port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('SSH-2.0-')));
    socket.once('error', () => done(false));
  });
}

async function waitUntilRefused(port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.createConnection({ host: HOST, port });
      socket.once('connect', () => { socket.destroy(); resolve(false); });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${HOST}:${port} still accepts connections ${START_TIMEOUT_MS} ms after dropbear was killed`);
}
