/**
 * Command round trip (`true`) over SSH three ways: pinrig's reused connection, a fresh ssh2 connection per command
 * (connect + exec + close), and the `ssh` command line through execa (when openssh-client is installed).
 * Target: the reused connection at most 5 ms median.
 * Run: npx tsx bench/ssh.ts [host port user keyfile fingerprint]
 * Without a machine, against a dropbear started on loopback as in the tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { SshLink, type SshOptions } from '../harness/links/ssh.js';
import { keyType } from '../harness/links/ssh-host-key.js';
import { startDropbear, type Dropbear } from '../tests/support/dropbear.js';
import { median, row } from './stats.js';

const TARGET_MS = 5;
const RUNS = 30;
const machine = process.argv.slice(2);
if (machine.length !== 0 && machine.length !== 5) throw new Error('usage: npx tsx bench/ssh.ts [host port user keyfile fingerprint]');

const server: Dropbear | undefined = machine.length ? undefined : await startDropbear();
const options: SshOptions = server
  ? { host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath, hostKey: server.hostFingerprint }
  : { host: machine[0]!, port: Number(machine[1]), user: machine[2]!, privateKey: machine[3]!, hostKey: machine[4]! };
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
  try {
    await repeat(3, () => link.check('true'));
    reused = await repeat(RUNS, () => link.check('true'));
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

  console.log(`SSH command round trip (\`true\`) to ${options.user}@${options.host}:${options.port}${server ? ' (dropbear on loopback)' : ''}, ${RUNS} runs each`);
  console.log(row('pinrig, one reused connection', reused, 'ms', 2));
  console.log(row('ssh2, fresh connection per command', fresh, 'ms', 2));
  if (cli) console.log(row('ssh command line (execa, BatchMode)', cli, 'ms', 2));
  else console.log('ssh command line: not measured (openssh-client is not installed)');
  const base = median(reused);
  console.log(`ratios to the reused connection: fresh ${(median(fresh) / base).toFixed(0)}x` + (cli ? `, ssh command line ${(median(cli) / base).toFixed(0)}x` : ''));
  console.log(`target: reused <= ${TARGET_MS} ms median: ${base <= TARGET_MS ? 'met' : 'NOT met'} (${base.toFixed(2)} ms)`);
} finally {
  await server?.dispose();
  await rm(scratch, { recursive: true, force: true });
}
