import { test as base, expect } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Shell } from '../../harness/links/shell.js';
import { SshShell } from '../../harness/links/ssh-shell.js';
import { SshError, shellQuote } from '../../harness/links/ssh.js';
import { fingerprint } from '../../harness/links/ssh-host-key.js';
import { sshFixtures, type SshFixtures } from '../support/ssh-fixtures.js';

const test = base.extend<SshFixtures>(sshFixtures);

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

test('a shell that is slow to start is not ended by the first sync\'s ^C', async ({ server, connect }) => {
  // A login that takes a second before its interactive shell runs (a busy board, a slow profile): a ^C in that second
  // reaches a process that does not ignore SIGINT, and ends the session.
  // Only the interactive login is slow: the exec channels SshShell uses first still run their command at once.
  const login = '#!/bin/sh\n[ -n "$SSH_ORIGINAL_COMMAND" ] && exec sh -c "$SSH_ORIGINAL_COMMAND"\nsleep 1\nexec sh -i\n';
  await writeFile(path.join(server.home, 'slow-login.sh'), login, { mode: 0o755 });
  const keys = path.join(server.home, '.ssh', 'authorized_keys');
  await writeFile(keys, `command="/root/slow-login.sh" ${await readFile(keys, 'utf8')}`); // the server sees home as /root
  const shell = new SshShell(await connect());
  expect((await shell.run('echo up')).output).toBe('up\n');
});
