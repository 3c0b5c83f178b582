/**
 * The guest image: kernel, raspi3b device tree, initramfs and the SSH keys that reach it, built from Debian arm64
 * packages into a folder named by a hash of everything that goes into it, so it is built once and rebuilt only when a
 * package version or the guest's contents change.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { GUEST_MODULES, GUEST_PROMPT, INITRAMFS_PACKAGES, initramfsBuilt, initramfsSkeleton, kernelFiles, RASPI4B_DISABLED_NODES, REGISTER_FILE } from './contents.js';
import { resolvePackages, type DebianPackage, type Kernel, type Progress } from './packages.js';
import { sshFingerprint } from './ssh-keys.js';
import { REPO_ROOT } from '../repo-root.js';

/** How to log in to the guest over SSH, where the machine has a network card (virt: forward a host port to its 22). */
export interface GuestSsh {
  readonly user: string;
  /** pinrig's private key (OpenSSH format, mode 0600), the one the guest's authorized_keys holds. */
  readonly privateKey: string;
  /** The guest's host key as an OpenSSH public key line, `ssh-ed25519 AAAA...`, for a known_hosts file. */
  readonly hostPublicKey: string;
  /** Its OpenSSH fingerprint, `SHA256:...`: the same on every boot of this image, so pin it. */
  readonly hostKeyFingerprint: string;
}

export interface GuestImage {
  /** The folder holding the files below and image.json. */
  readonly dir: string;
  /** Hash of the package versions and the guest's contents; names the default folder. */
  readonly key: string;
  /** Uncompressed arm64 kernel Image (QEMU -kernel). */
  readonly kernel: string;
  /** Device tree for QEMU -M raspi3b (-dtb); the virt machine makes its own. */
  readonly raspi3bDtb: string;
  /** Device tree for QEMU -M raspi4b: Debian's, with the blocks QEMU lacks disabled. */
  readonly raspi4bDtb: string;
  /** gzip'd newc initramfs (QEMU -initrd); boot it with rdinit=/init. */
  readonly initrd: string;
  /** What `uname -r` prints in the guest, e.g. 6.1.0-56-arm64; also the name under /lib/modules. */
  readonly kernelRelease: string;
  /** Debian package name → exact version the image was built from. */
  readonly packages: Readonly<Record<string, string>>;
  /** The shell prompt on the guest console. */
  readonly prompt: string;
  /** The kernel modules /init loads, in load order (dependencies first), as lsmod names them. */
  readonly modules: readonly string[];
  readonly ssh: GuestSsh;
}

export interface GuestImageOptions {
  /** Where to put the image; by default .cache/guest/<key> in the repository. */
  readonly dir?: string;
  /** Receives progress lines while downloading and building; by default they go to stderr. */
  readonly progress?: Progress;
}

const IMAGE_CACHE = path.join(REPO_ROOT, '.cache', 'guest');
export const FILES = {
  kernel: 'vmlinuz',
  raspi3bDtb: 'bcm2837-rpi-3-b.dtb',
  raspi4bDtb: 'bcm2711-rpi-4-b.dtb',
  initrd: 'initramfs.cpio.gz',
  sshPrivateKey: 'client_ed25519',
} as const;
export const MANIFEST = 'image.json';

/** What image.json must hold beyond what the key already determines: what the build resolved and made. */
const Manifest = z.object({
  key: z.string(),
  modules: z.array(z.string()),
  ssh: z.object({ user: z.string(), hostPublicKey: z.string() }),
});
type Manifest = z.infer<typeof Manifest>;

const toStderr: Progress = (message) => process.stderr.write(`guest image: ${message}\n`);

function imageKey(kernel: Kernel, packages: readonly DebianPackage[], registerFileSources: readonly string[]): string {
  const inputs = {
    kernel,
    packages,
    registerFile: { ...REGISTER_FILE, sources: registerFileSources },
    contents: INITRAMFS_PACKAGES,
    modules: GUEST_MODULES,
    kernelFiles: kernelFiles(kernel.release),
    raspi4bDisabled: RASPI4B_DISABLED_NODES,
    skeleton: initramfsSkeleton(),
    // The layout of what the build makes, without the keys it makes afresh.
    built: initramfsBuilt({ hostKey: Buffer.alloc(0), clientPublicKey: '' }, []),
    FILES,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

function describe(dir: string, kernel: Kernel, packages: readonly DebianPackage[], manifest: Manifest): GuestImage {
  return {
    dir,
    key: manifest.key,
    kernel: path.join(dir, FILES.kernel),
    raspi3bDtb: path.join(dir, FILES.raspi3bDtb),
    raspi4bDtb: path.join(dir, FILES.raspi4bDtb),
    initrd: path.join(dir, FILES.initrd),
    kernelRelease: kernel.release,
    packages: Object.fromEntries([kernel.package, ...packages].map((p) => [p.name, p.version])),
    prompt: GUEST_PROMPT,
    modules: manifest.modules,
    ssh: {
      user: manifest.ssh.user,
      privateKey: path.join(dir, FILES.sshPrivateKey),
      hostPublicKey: manifest.ssh.hostPublicKey,
      hostKeyFingerprint: sshFingerprint(manifest.ssh.hostPublicKey),
    },
  };
}

/** The manifest of a complete build of `key` in `dir` (image.json is written last), else undefined. */
export async function readBuilt(dir: string, key: string): Promise<Manifest | undefined> {
  try {
    const manifest = Manifest.parse(JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')));
    if (manifest.key !== key) return undefined;
    await Promise.all(Object.values(FILES).map((name) => stat(path.join(dir, name))));
    return manifest;
  } catch {
    return undefined;
  }
}

/**
 * Returns the guest image for the current Debian arm64 kernel and packages, building it first when it is missing or
 * out of date. Resolving versions asks apt each time (about 1 s); the download and build (seconds to a minute) happen
 * once per key, and so do the SSH keys: every boot of one image has the same host key.
 */
export async function ensureGuestImage(options: GuestImageOptions = {}): Promise<GuestImage> {
  const progress = options.progress ?? toStderr;
  const { kernel, packages } = await resolvePackages(INITRAMFS_PACKAGES.map((p) => p.name), progress);
  const registerFileSources = await Promise.all([path.join(REGISTER_FILE.sourceDir, `${REGISTER_FILE.module}.c`), REGISTER_FILE.tool.source]
    .map((source) => readFile(path.join(REPO_ROOT, source), 'utf8')));
  const key = imageKey(kernel, packages, registerFileSources);
  const dir = path.resolve(options.dir ?? path.join(IMAGE_CACHE, key));
  let manifest = await readBuilt(dir, key);
  if (!manifest) {
    const started = performance.now();
    progress(`building ${dir} (kernel ${kernel.release})`);
    // The build's code (Debian downloads, the module sandbox, execa) is loaded only when there is something to build.
    const { buildImage } = await import('./image-build.js');
    await buildImage(dir, key, kernel, packages, progress);
    progress(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    manifest = await readBuilt(dir, key);
    if (!manifest) throw new Error(`${dir}: the build finished but ${MANIFEST} or one of ${Object.values(FILES).join(', ')} is missing`);
  }
  return describe(dir, kernel, packages, manifest);
}
