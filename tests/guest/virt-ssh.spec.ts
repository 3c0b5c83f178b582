/**
 * The guest image serves the QEMU virt machine over SSH: dropbear behind a QEMU user-networking port forward logs
 * pinrig in with the image's client key, presents the host key the image records (pinned, never learned), and the
 * guest it runs in sees the PL061 GPIO controller.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, expect } from '@playwright/test';
import { execa } from 'execa';
import { ensureGuestImage, type GuestImage } from '../../harness/guest/image.js';
import { QemuProcess } from '../../harness/targets/qemu-process.js';
import { freeLoopbackPort } from '../../harness/links/free-port.js';

const HOST = '127.0.0.1';
const BOOT_TIMEOUT_MS = 60_000;
const SSH_TIMEOUT_MS = 20_000;

function virtArgs(image: GuestImage, port: number): string[] {
  return [
    '-M', 'virt', '-cpu', 'cortex-a53', '-smp', '2', '-m', '512', '-nodefaults', '-accel', 'tcg,thread=single',
    '-kernel', image.kernel, '-initrd', image.initrd, '-append', 'console=ttyAMA0 rdinit=/init quiet',
    '-display', 'none', '-serial', 'stdio',
    // -nodefaults drops the default NIC: the virtio-net device on virtio-mmio is the guest's eth0.
    '-netdev', `user,id=n0,hostfwd=tcp:${HOST}:${port}-:22`, '-device', 'virtio-net-device,netdev=n0',
  ];
}


/**
 * True when the forwarded port answers with an SSH banner. QEMU accepts on the host side before anything listens in
 * the guest and then drops the connection, so an open port alone says nothing.
 */
function sshBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: HOST, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('SSH-2.0-')));
    socket.once('close', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Polls `probe` until it holds, failing at once if QEMU exits and after `timeoutMs` with the console's tail. */
async function until(qemu: QemuProcess, consoleTail: () => string, what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean) {
  const deadline = performance.now() + timeoutMs;
  while (!(await qemu.unlessExited(Promise.resolve(probe())))) {
    if (performance.now() > deadline) throw new Error(`virt guest: ${what} not within ${timeoutMs} ms\n--- console tail ---\n${consoleTail()}`);
    await qemu.unlessExited(sleep(100));
  }
}

/** ssh with only the given key and known_hosts file: no agent, no user config, no learning host keys. */
function ssh(image: GuestImage, port: number, knownHosts: string, command: string) {
  return execa('ssh', [
    '-F', 'none', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=10',
    '-i', image.ssh.privateKey, '-p', String(port), `${image.ssh.user}@${HOST}`, command,
  ], { reject: false, timeout: SSH_TIMEOUT_MS });
}

test('virt guest: SSH with the pinned host key reaches a shell that sees the PL061; a wrong pin is refused', async () => {
  test.setTimeout(15 * 60_000); // the first run downloads the packages and builds the image

  const image = await test.step('guest image', () => ensureGuestImage());
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pinrig-virt-ssh-'));
  const port = await freeLoopbackPort();
  const started = performance.now();
  const qemu = QemuProcess.start('qemu-system-aarch64', virtArgs(image, port), { stdio: 'pipe' });
  try {
    // Always drain the console: a guest whose console output nobody reads blocks.
    let transcript = '';
    qemu.stdout!.on('data', (chunk: Buffer) => {
      transcript = (transcript + chunk.toString('utf8')).slice(-16_384);
    });
    const tail = (): string => transcript.slice(-2_000);
    const seconds = (): string => `${((performance.now() - started) / 1000).toFixed(2)} s`;

    await test.step('boot to prompt and SSH banner', async () => {
      await until(qemu, tail, `prompt ${JSON.stringify(image.prompt)}`, BOOT_TIMEOUT_MS, () => transcript.includes(image.prompt));
      test.info().annotations.push({ type: 'boot-to-prompt', description: seconds() });
      await until(qemu, tail, `SSH banner on ${HOST}:${port}`, BOOT_TIMEOUT_MS, () => sshBanner(port));
      test.info().annotations.push({ type: 'boot-to-ssh-ready', description: seconds() });
    });

    const knownHosts = path.join(scratch, 'known_hosts');
    await writeFile(knownHosts, `[${HOST}]:${port} ${image.ssh.hostPublicKey}\n`);

    await test.step('the recorded fingerprint is OpenSSH\'s', async () => {
      const { stdout } = await execa('ssh-keygen', ['-l', '-f', knownHosts], { timeout: SSH_TIMEOUT_MS });
      expect(stdout.split(' ')[1]).toBe(image.ssh.hostKeyFingerprint);
    });

    await test.step('gpiodetect over SSH', async () => {
      const result = await ssh(image, port, knownHosts, 'gpiodetect');
      test.info().annotations.push({ type: 'boot-to-first-command', description: seconds() });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^gpiochip\d+ \[9030000\.pl061\] \(8 lines\)$/m);
    });

    await test.step('the image\'s modules are loaded', async () => {
      const result = await ssh(image, port, knownHosts, 'cat /proc/modules');
      expect(result.exitCode, result.stderr).toBe(0);
      const live = result.stdout.split('\n').filter((line) => line.includes(' Live ')).map((line) => line.split(' ')[0]);
      expect(live.sort()).toEqual([...image.modules].sort());
    });

    await test.step('a wrong pinned host key is refused', async () => {
      const wrongKey = path.join(scratch, 'wrong_ed25519');
      await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey], { timeout: SSH_TIMEOUT_MS });
      const wrongPublic = (await execa('ssh-keygen', ['-y', '-f', wrongKey], { timeout: SSH_TIMEOUT_MS })).stdout.trim();
      const wrongHosts = path.join(scratch, 'known_hosts.wrong');
      await writeFile(wrongHosts, `[${HOST}]:${port} ${wrongPublic}\n`);
      const result = await ssh(image, port, wrongHosts, 'gpiodetect');
      expect(result.exitCode).toBe(255);
      expect(result.stderr).toContain('Host key verification failed');
      expect(result.stdout).toBe('');
    });
  } finally {
    await qemu.stop();
    await rm(scratch, { recursive: true, force: true });
  }
});
