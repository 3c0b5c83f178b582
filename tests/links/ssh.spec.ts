import { test as base, expect } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Shell } from '../../harness/links/shell.js';
import { SshError, SshHostKeyError, SshLink, shellQuote, type SshOptions } from '../../harness/links/ssh.js';
import { fingerprint } from '../../harness/links/ssh-host-key.js';
import { startDropbear, type Dropbear } from '../support/dropbear.js';

// Every test gets its own real dropbear on loopback (some kill or freeze it) and a `connect` whose links are closed after.
const test = base.extend<{ server: Dropbear; connect: (extra?: Partial<SshOptions>) => Promise<SshLink> }>({
  server: async ({}, use) => {
    const server = await startDropbear();
    try {
      await use(server);
    } finally {
      await server.dispose();
    }
  },
  connect: async ({ server }, use) => {
    const links: SshLink[] = [];
    await use(async (extra = {}) => {
      const link = await SshLink.connect({
        host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath, hostKey: server.hostFingerprint,
        ...extra,
      });
      links.push(link);
      return link;
    });
    await Promise.all(links.map((link) => link.close()));
  },
});

// Concurrent calls also guard against dropbear 2022.83's channel race (mkj/dropbear#321): unqueued, some failed.
test('many commands, sequential and concurrent, share one connection', async ({ server, connect }) => {
  const link = await connect();
  for (let i = 0; i < 25; i++) expect((await link.run(`echo ${i}`)).stdout).toBe(`${i}\n`);
  const concurrent = await Promise.all(Array.from({ length: 30 }, (_, i) => link.run(`echo c${i}`)));
  expect(concurrent.map((r) => r.stdout)).toEqual(Array.from({ length: 30 }, (_, i) => `c${i}\n`));
  expect(link.handshakes).toBe(1);
  expect(server.logins()).toBe(1);
});

test('exit status, stdout and stderr come back separated; check names command, status and stderr', async ({ connect }) => {
  const link = await connect();
  expect(await link.run('echo out; echo err >&2; exit 3')).toMatchObject({ status: 3, stdout: 'out\n', stderr: 'err\n', truncated: 0 });
  expect(await link.run('kill -KILL $$')).toMatchObject({ status: null, signal: 'SIGKILL' });
  expect(await link.check('printf ok')).toBe('ok');
  const failure = await link.check('echo oops >&2; exit 4').catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(SshError);
  expect(String(failure)).toContain('`echo oops >&2; exit 4` exited with status 4');
  expect(String(failure)).toContain('oops');
  expect((failure as SshError).command).toBe('echo oops >&2; exit 4');
});

test('shellQuote makes any text one literal word for a real shell', async ({ connect }) => {
  const link = await connect();
  for (const text of ["it's", "'", "a b  c", '$HOME `id` $(id) "x" \\ ; | & * ?', 'line\nbreak', '']) {
    expect((await link.run(`printf %s ${shellQuote(text)}`)).stdout).toBe(text);
  }
});

test('upload writes exact bytes to a path with spaces and a quote, and sets the mode', async ({ server, connect }, testInfo) => {
  const link = await connect();
  const remoteDir = "/root/up load's dir";
  await link.check(`mkdir -p ${shellQuote(remoteDir)}`);
  const data = randomBytes(300_000);
  const remote = `${remoteDir}/it's a file.bin`;
  expect(await link.upload(data, remote, 0o750)).toMatchObject({ bytes: data.length });
  const [sum, mode] = (await link.check(`sha256sum < ${shellQuote(remote)}; stat -c %a ${shellQuote(remote)}`)).split('\n');
  expect(sum).toBe(`${createHash('sha256').update(data).digest('hex')}  -`);
  expect(mode).toBe('750');
  // The server's /root is the test's temp home: the bytes landed where the quoted path says.
  expect((await readFile(path.join(server.home, "up load's dir", "it's a file.bin"))).equals(data)).toBe(true);

  const local = testInfo.outputPath('local file.txt');
  await writeFile(local, 'from a file\n');
  await link.upload(local, `${remoteDir}/copy`);
  expect(await link.check(`cat ${shellQuote(`${remoteDir}/copy`)}`)).toBe('from a file\n');
  await expect(link.upload(testInfo.outputPath('missing'), '/root/x')).rejects.toThrow(/cannot read local file .*missing/);
});

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

test('no pin is an error; accept-any must be explicit', async ({ server, connect }) => {
  // As from a board profile that lacks the field: the type system is not there to catch it.
  await expect(connect({ hostKey: undefined as unknown as string })).rejects.toThrow(/no host key pin given.*'accept-any'/);
  await expect(connect({ hostKey: 'SHA256:tooshort' })).rejects.toThrow(/not an OpenSSH SHA256 fingerprint/);
  const link = await connect({ hostKey: 'accept-any' });
  expect(await link.check('echo any')).toBe('any\n');
  expect(fingerprint(link.hostKeyBlob!)).toBe(server.hostFingerprint);
});

test('password authentication works, a wrong password is refused', async ({ server, connect }) => {
  const link = await connect({ privateKey: undefined, password: server.password });
  expect(await link.check('id -un')).toBe('root\n');
  await expect(connect({ privateKey: undefined, password: 'wrong' })).rejects.toThrow(/cannot connect: All configured authentication methods failed/);
});

test('a command that overruns its timeout is killed and the connection stays usable', async ({ connect }) => {
  const link = await connect();
  const started = Date.now();
  await expect(link.run('sleep 30', { timeoutMs: 500 })).rejects.toThrow(/`sleep 30` did not finish within 500 ms/);
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(await link.check('echo still here')).toBe('still here\n');
  // The server's PID namespace holds only its own processes: the sleep is gone (bounded poll inside one command).
  expect(await link.check('for i in $(seq 50); do pgrep -x sleep >/dev/null || exit 0; sleep 0.1; done; exit 1')).toBe('');
  expect(link.handshakes).toBe(1);
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

test('Shell runs over an SSH shell channel; closing the channel ends it', async ({ connect }) => {
  const link = await connect();
  const stream = await link.openShell();
  const shell = new Shell(stream);
  await shell.sync();
  expect(await shell.run('echo one; echo two; false')).toMatchObject({ status: 1, output: 'one\ntwo\n' });
  expect(await shell.check(`printf %s ${shellQuote("it's")}`)).toBe("it's");
  await stream.close();
  await expect(shell.run('echo gone')).rejects.toThrow(/console closed: ssh root@127\.0\.0\.1:\d+ shell closed/);
  expect(await link.check('echo exec still works')).toBe('exec still works\n');
  expect(link.handshakes).toBe(1);
});
