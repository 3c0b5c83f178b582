/**
 * Command round trip (`true`) over SSH three ways: pinrig's reused connection, a fresh ssh2 connection per command
 * (connect + exec + close), and the `ssh` command line through execa (when openssh-client is installed).
 * Target: the reused connection at most 5 ms median.
 * Run: npx tsx bench/ssh.ts [--loopback | host port user keyfile fingerprint]
 * By default against the qemu-virt guest's dropbear (forwarded on 127.0.0.1); --loopback uses a dropbear started on
 * the host as in the tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { SshLink, type SshOptions } from '../harness/links/ssh.js';
import { Shell } from '../harness/links/shell.js';
import { keyType } from '../harness/links/ssh-host-key.js';
import { startDropbear, type Dropbear } from '../tests/support/dropbear.js';
import { ensureGuestImage } from '../harness/guest/image.js';
import { bootVirtWithSsh } from '../harness/targets/rehearsal.js';
import { median, row } from './stats.js';

const TARGET_MS = 5;
const RUNS = 30;
const args = process.argv.slice(2);
const loopback = args[0] === '--loopback';
if (!(args.length === 0 || loopback || args.length === 5)) throw new Error('usage: npx tsx bench/ssh.ts [--loopback | host port user keyfile fingerprint]');

const server: Dropbear | undefined = loopback ? await startDropbear() : undefined;
const guest = args.length === 0 ? await bootVirtWithSsh(await ensureGuestImage({ progress: () => {} })) : undefined;
const options: SshOptions = server
  ? { host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath, hostKey: server.hostFingerprint }
  : guest
    ? guest.ssh
    : { host: args[0]!, port: Number(args[1]), user: args[2]!, privateKey: args[3]!, hostKey: args[4]! };
const where = server ? ' (dropbear on loopback)' : guest ? ' (the qemu-virt guest)' : '';
const scratch = await mkdtemp(path.join(os.tmpdir(), 'pinrig-bench-ssh-'));

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function repeat(times: number, action: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) ms.push(await timed(action));
  return ms;
}

/** `ssh` pinned to the same host key: a known_hosts file written from the key the pinned connection was shown. */
async function sshCommandLine(link: SshLink): Promise<string[] | undefined> {
  if ((await execa('ssh', ['-V'], { reject: false })).exitCode !== 0) return undefined;
  const knownHosts = path.join(scratch, 'known_hosts');
  const blob = link.hostKeyBlob!;
  await writeFile(knownHosts, `[${options.host}]:${options.port} ${keyType(blob)} ${blob.toString('base64')}\n`);
  return [
    '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-i', String(options.privateKey),
    '-p', String(options.port), `${options.user}@${options.host}`, 'true',
  ];
}

try {
  const link = await SshLink.connect(options);
  let reused: number[];
  let framed: number[];
  try {
    await repeat(3, () => link.check('true'));
    reused = await repeat(RUNS, () => link.check('true'));
    const stream = await link.openShell();
    try {
      const shell = new Shell(stream);
      await shell.sync();
      framed = await repeat(RUNS, () => shell.check('true'));
    } finally {
      await stream.close();
    }
    if (link.handshakes !== 1) throw new Error(`the reused link made ${link.handshakes} handshakes`);
  } finally {
    await link.close();
  }
  const fresh = await repeat(RUNS, async () => {
    const once = await SshLink.connect(options);
    try {
      await once.check('true');
    } finally {
      await once.close();
    }
  });
  const sshArgs = await sshCommandLine(link);
  const cli = sshArgs ? await repeat(RUNS, () => execa('ssh', sshArgs)) : undefined;

  console.log(`SSH command round trip (\`true\`) to ${options.user}@${options.host}:${options.port}${where}, ${RUNS} runs each`);
  console.log(row('pinrig, one reused connection, exec channel', reused, 'ms', 2));
  console.log(row('pinrig, one reused connection, shell channel', framed!, 'ms', 2));
  console.log(row('ssh2, fresh connection per command', fresh, 'ms', 2));
  if (cli) console.log(row('ssh command line (execa, BatchMode)', cli, 'ms', 2));
  else console.log('ssh command line: not measured (openssh-client is not installed)');
  const base = Math.min(median(reused), median(framed!));
  console.log(`ratios to the reused connection: fresh ${(median(fresh) / base).toFixed(0)}x` + (cli ? `, ssh command line ${(median(cli) / base).toFixed(0)}x` : ''));
  console.log(`target: reused <= ${TARGET_MS} ms median: ${base <= TARGET_MS ? 'met' : 'NOT met'} (${base.toFixed(2)} ms)`);
} finally {
  await server?.dispose();
  await guest?.machine.close();
  await rm(scratch, { recursive: true, force: true });
}
