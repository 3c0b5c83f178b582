/**
 * The guest image: kernel, raspi3b device tree and initramfs, built from Debian arm64 packages into a folder named by
 * a hash of everything that goes into it, so it is built once and rebuilt only when a package version or the guest's
 * contents change.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GUEST_PROMPT, INITRAMFS_PACKAGES, initramfsSkeleton, kernelFiles } from './contents.js';
import { entriesFromTree, writeInitramfs } from './initramfs.js';
import { downloadPackages, extractFiles, resolvePackages, type DebianPackage, type Kernel, type Progress } from './packages.js';

export interface GuestImage {
  /** The folder holding the files below and image.json. */
  readonly dir: string;
  /** Hash of the package versions and the guest's contents; names the default folder. */
  readonly key: string;
  /** Uncompressed arm64 kernel Image (QEMU -kernel). */
  readonly kernel: string;
  /** Device tree for QEMU -M raspi3b (-dtb); the virt machine makes its own. */
  readonly raspi3bDtb: string;
  /** gzip'd newc initramfs (QEMU -initrd); boot it with rdinit=/init. */
  readonly initrd: string;
  /** What `uname -r` prints in the guest, e.g. 6.1.0-56-arm64; also the name under /lib/modules. */
  readonly kernelRelease: string;
  /** Debian package name → exact version the image was built from. */
  readonly packages: Readonly<Record<string, string>>;
  /** The shell prompt on the guest console. */
  readonly prompt: string;
}

export interface GuestImageOptions {
  /** Where to put the image; by default .cache/guest/<key> in the repository. */
  readonly dir?: string;
  /** Receives progress lines while downloading and building; by default they go to stderr. */
  readonly progress?: Progress;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const DEB_CACHE = path.join(REPO_ROOT, '.cache', 'debs');
const IMAGE_CACHE = path.join(REPO_ROOT, '.cache', 'guest');
const FILES = { kernel: 'vmlinuz', raspi3bDtb: 'bcm2837-rpi-3-b.dtb', initrd: 'initramfs.cpio.gz' } as const;
const MANIFEST = 'image.json';

const toStderr: Progress = (message) => process.stderr.write(`guest image: ${message}\n`);

function imageKey(kernel: Kernel, packages: readonly DebianPackage[]): string {
  const inputs = {
    kernel,
    packages,
    contents: INITRAMFS_PACKAGES,
    kernelFiles: kernelFiles(kernel.release),
    skeleton: initramfsSkeleton(),
    FILES,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

function describe(dir: string, key: string, kernel: Kernel, packages: readonly DebianPackage[]): GuestImage {
  return {
    dir,
    key,
    kernel: path.join(dir, FILES.kernel),
    raspi3bDtb: path.join(dir, FILES.raspi3bDtb),
    initrd: path.join(dir, FILES.initrd),
    kernelRelease: kernel.release,
    packages: Object.fromEntries([kernel.package, ...packages].map((p) => [p.name, p.version])),
    prompt: GUEST_PROMPT,
  };
}

/** True when `image.dir` holds a complete build with the same key (image.json is written last). */
async function isBuilt(image: GuestImage): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(path.join(image.dir, MANIFEST), 'utf8')) as { key?: unknown };
    if (manifest.key !== image.key) return false;
    await Promise.all([image.kernel, image.raspi3bDtb, image.initrd].map((file) => stat(file)));
    return true;
  } catch {
    return false;
  }
}

/** Builds in a scratch folder next to the target and moves the results in, so a crash never leaves a half image. */
async function build(image: GuestImage, kernel: Kernel, packages: readonly DebianPackage[], progress: Progress): Promise<void> {
  const debs = await downloadPackages([kernel.package, ...packages], DEB_CACHE, progress);
  await mkdir(path.dirname(image.dir), { recursive: true });
  const work = await mkdtemp(`${image.dir}.partial-`);
  try {
    progress(`extracting ${kernel.package.name} and ${INITRAMFS_PACKAGES.length} packages`);
    const fromKernel = kernelFiles(kernel.release);
    const kernelDir = path.join(work, 'kernel');
    await extractFiles(debs.get(kernel.package.name)!, kernelDir, [fromKernel.kernel, fromKernel.raspi3bDtb]);
    await rename(path.join(kernelDir, fromKernel.kernel), path.join(work, FILES.kernel));
    await rename(path.join(kernelDir, fromKernel.raspi3bDtb), path.join(work, FILES.raspi3bDtb));

    const root = path.join(work, 'root');
    for (const p of INITRAMFS_PACKAGES) await extractFiles(debs.get(p.name)!, root, p.initramfs);
    const entries = [...initramfsSkeleton(), ...(await entriesFromTree(root))];
    const size = await writeInitramfs(path.join(work, FILES.initrd), entries);
    progress(`initramfs ${(size / 1e6).toFixed(1)} MB`);

    const { key, kernelRelease, packages: versions, prompt } = image;
    const manifest = { key, kernelRelease, packages: versions, prompt, files: FILES };
    await writeFile(path.join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(image.dir, { recursive: true });
    for (const name of [...Object.values(FILES), MANIFEST]) await rename(path.join(work, name), path.join(image.dir, name));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Returns the guest image for the current Debian arm64 kernel and packages, building it first when it is missing or
 * out of date. Resolving versions asks apt each time (about 1 s); the download and build (seconds to a minute) happen
 * once per key.
 */
export async function ensureGuestImage(options: GuestImageOptions = {}): Promise<GuestImage> {
  const progress = options.progress ?? toStderr;
  const { kernel, packages } = await resolvePackages(INITRAMFS_PACKAGES.map((p) => p.name), progress);
  const key = imageKey(kernel, packages);
  const image = describe(path.resolve(options.dir ?? path.join(IMAGE_CACHE, key)), key, kernel, packages);
  if (await isBuilt(image)) return image;
  const started = performance.now();
  progress(`building ${image.dir} (kernel ${kernel.release})`);
  await build(image, kernel, packages, progress);
  progress(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return image;
}
