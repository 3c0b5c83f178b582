/**
 * SSH keys for the guest, made on the host at image build time with dropbear's own tools: an ed25519 host key for the
 * guest's dropbear, and a client key pair for pinrig whose private half is converted to OpenSSH format (what ssh and
 * ssh2 read). They are made once per image and kept with it: a host key that changed on every build could not be pinned.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isRoot, type Progress } from './packages.js';

export interface GuestKeys {
  /** The guest's host key in dropbear's format: it goes into the initramfs and nowhere else. */
  readonly hostKey: Buffer;
  /** Its public half as an OpenSSH line, `ssh-ed25519 AAAA...`. */
  readonly hostPublicKey: string;
  /** pinrig's public key as an OpenSSH line, for the guest's authorized_keys. */
  readonly clientPublicKey: string;
}

const TOOLS = ['dropbearkey', 'dropbearconvert'];
const INSTALL = ['apt-get', 'install', '-y', '--no-install-recommends', 'dropbear-bin'];

/**
 * Makes the guest's host key and pinrig's client key in `scratch`, and writes the client's private key, OpenSSH
 * format and mode 0600 (ssh refuses a key others can read), to `clientPrivateKey`.
 */
export async function makeGuestKeys(scratch: string, clientPrivateKey: string, progress: Progress): Promise<GuestKeys> {
  await ensureDropbearTools(progress);
  const hostKeyFile = path.join(scratch, 'dropbear_ed25519_host_key');
  const clientKeyFile = path.join(scratch, 'client_ed25519.dropbear');
  const hostPublicKey = publicKeyLine(await tool('dropbearkey', ['-t', 'ed25519', '-f', hostKeyFile]));
  const clientPublicKey = publicKeyLine(await tool('dropbearkey', ['-t', 'ed25519', '-f', clientKeyFile]));
  await tool('dropbearconvert', ['dropbear', 'openssh', clientKeyFile, clientPrivateKey]);
  return { hostKey: await readFile(hostKeyFile), hostPublicKey, clientPublicKey };
}

/** OpenSSH's fingerprint of a public key line (`SHA256:` and the unpadded base64 of the SHA-256 of the key blob). */
export function sshFingerprint(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1];
  if (!blob) throw new Error(`not an OpenSSH public key line: ${publicKey}`);
  const digest = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** The `ssh-ed25519 AAAA...` line dropbearkey prints, without its comment (the build host's user@name). */
function publicKeyLine(dropbearkeyOutput: string): string {
  const line = dropbearkeyOutput.split('\n').find((l) => l.startsWith('ssh-ed25519 '));
  if (!line) throw new Error(`dropbearkey printed no ssh-ed25519 public key:\n${dropbearkeyOutput}`);
  return line.split(' ').slice(0, 2).join(' ');
}

async function tool(file: string, args: readonly string[]): Promise<string> {
  const { execa } = await import('execa');
  const result = await execa(file, args, { reject: false, timeout: 60_000 });
  if (result.failed) throw new Error(`${file} ${args.join(' ')} failed: ${result.stderr || result.message}`);
  return result.stdout;
}

async function onPath(file: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (await access(path.join(dir, file), constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

/** Installs dropbear-bin on the host when root (as the arm64 apt lists are set up), else names the command to run. */
async function ensureDropbearTools(progress: Progress): Promise<void> {
  const missing: string[] = [];
  for (const file of TOOLS) if (!(await onPath(file))) missing.push(file);
  if (missing.length === 0) return;
  const why = `the guest's SSH keys are made with ${TOOLS.join(' and ')} (Debian dropbear-bin); missing: ${missing.join(', ')}`;
  if (!isRoot()) throw new Error(`${why}: run \`sudo ${INSTALL.join(' ')}\``);
  progress(`running ${INSTALL.join(' ')}: ${why}`);
  const [file, ...args] = INSTALL;
  const { execa } = await import('execa');
  const result = await execa(file!, args, { reject: false, timeout: 600_000, env: { DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.failed) throw new Error(`${INSTALL.join(' ')} failed: ${result.stderr || result.message}`);
}
