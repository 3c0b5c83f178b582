/** SSH faults against a real dropbear: drop, refusal, a wrong host key, silence, a flood. */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { SshError, SshHostKeyError, SshLink } from '../../harness/links/ssh.js';
import { fingerprint } from '../../harness/links/ssh-host-key.js';
import { sshFixtures, type SshFixtures } from '../support/ssh-fixtures.js';
import { expect, test as base } from './fixtures.js';

const test = base.extend<SshFixtures>(sshFixtures);

test('a host key other than the pinned one is refused, showing both fingerprints, host and port', async ({ server, connect }) => {
  const wrong = fingerprint(randomBytes(51));
  const error = await connect({ hostKey: wrong }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SshHostKeyError);
  const message = String(error);
  expect(message).toContain(`expected ${wrong}`);
  expect(message).toContain(`presented ${server.hostFingerprint}`);
  expect(message).toContain(`${server.host}:${server.port}`);
  expect(server.logins()).toBe(0);
});

test('server killed mid-command: the command fails naming the drop; after a restart the next run reconnects', async ({ server, connect }) => {
  const link = await connect({ reconnectWithinMs: 1_500 });
  const reconnects: string[] = [];
  link.onReconnect((event) => reconnects.push(event.reason));
  const running = link.run('sleep 20').catch((e: unknown) => e);
  // Commands on one link are queued: a second connection watches for the sleep to be running.
  const watcher = await connect();
  await watcher.check('for i in $(seq 50); do pgrep -x sleep >/dev/null && exit 0; sleep 0.1; done; exit 1');
  await server.stop();
  const dropped = await running;
  expect(dropped).toBeInstanceOf(SshError);
  expect(String(dropped)).toMatch(/the connection dropped while `sleep 20` ran/);

  // While the server is down, a run retries within its bound, then fails naming the drop.
  await expect(link.run('true')).rejects.toThrow(/the connection dropped \(.+\) and did not come back within 1500 ms/);
  expect(reconnects).toEqual([]);

  await server.restart();
  expect(await link.check('echo back')).toBe('back\n');
  expect(link.reconnects).toBe(1);
  expect(link.handshakes).toBe(2);
  expect(reconnects).toHaveLength(1);
});

test('a peer that goes silent is detected by keepalives; the link reconnects once it answers again', async ({ server, connect }) => {
  const link = await connect({ keepaliveIntervalMs: 200, keepaliveCountMax: 2, readyTimeoutMs: 2_000 });
  await server.freeze();
  const started = Date.now();
  const error = await link.run('echo never', { timeoutMs: 20_000 }).catch((e: unknown) => e);
  expect(String(error)).toMatch(/the connection dropped while `echo never` ran: Keepalive timeout/);
  expect(Date.now() - started).toBeLessThan(15_000);
  await server.thaw();
  expect(await link.check('echo awake')).toBe('awake\n');
  expect(link.reconnects).toBe(1);
});

test('connecting to a port that accepts TCP but never speaks SSH fails within readyTimeout', async () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  try {
    const started = Date.now();
    const connecting = SshLink.connect({ host: '127.0.0.1', port, user: 'root', password: 'x', hostKey: 'accept-any', readyTimeoutMs: 800 });
    await expect(connecting).rejects.toThrow(`ssh root@127.0.0.1:${port}: no SSH handshake within 800 ms`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sockets.size).toBe(1);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('a flood on stdout and stderr is cut at the bound and counted; the next command still works', async ({ connect }) => {
  const link = await connect();
  const result = await link.run("head -c 3000000 /dev/zero | tr '\\0' x; head -c 500000 /dev/zero | tr '\\0' e >&2", { maxOutput: 65_536 });
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('x'.repeat(65_536));
  expect(result.stderr).toBe('e'.repeat(65_536));
  expect(result.truncated).toBe(3_000_000 + 500_000 - 2 * 65_536);
  expect(await link.check('echo next')).toBe('next\n');
});

test('a port where nothing listens: refused at once, naming user, host and port', async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const error = await SshLink.connect({ host: '127.0.0.1', port, user: 'root', password: 'x', hostKey: 'accept-any', readyTimeoutMs: 5_000 }).catch((e: unknown) => e);
  expect(String(error)).toMatch(new RegExp(`ssh root@127\\.0\\.0\\.1:${port}: cannot connect: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
});

test('the SSH server gone for good: the next command fails within the default reconnect window, naming the drop', async ({ server, connect }) => {
  const link = await connect();
  expect(await link.check('echo up')).toBe('up\n');
  await server.stop();
  const error = await link.run('true').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SshError);
  expect(String(error)).toMatch(/the connection dropped \(.+\) and did not come back within 10000 ms \(\d+ attempts; last attempt: .*ECONNREFUSED.*\); is the board powered and its SSH server running\?/);
});
