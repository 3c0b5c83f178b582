/**
 * The guest image: kernel, raspi3b device tree, initramfs and the SSH keys that reach it, built from Debian arm64
 * packages into a folder named by a hash of everything that goes into it, so it is built once and rebuilt only when a
 * package version or the guest's contents change.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  GUEST_MODULES, GUEST_PROMPT, GUEST_USER, INITRAMFS_PACKAGES, initramfsBuilt, initramfsSkeleton, kernelFiles,
  RASPI4B_DISABLED_NODES, REGISTER_FILE,
} from './contents.js';
import { buildModule, ensureBuildToolchain, type KernelHeaders } from '../grading/kbuild.js';
import { runInBuildSandbox } from '../grading/kbuild-sandbox.js';
import { execa } from 'execa';
import { entriesFromTree, writeInitramfs, type InitramfsEntry } from './initramfs.js';
import { extractModules } from './modules.js';
import { downloadPackages, extractFiles, resolvePackages, type DebianPackage, type Kernel, type Progress } from './packages.js';
import { makeGuestKeys, sshFingerprint } from './ssh-keys.js';
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
const FILES = {
  kernel: 'vmlinuz',
  raspi3bDtb: 'bcm2837-rpi-3-b.dtb',
  raspi4bDtb: 'bcm2711-rpi-4-b.dtb',
  initrd: 'initramfs.cpio.gz',
  sshPrivateKey: 'client_ed25519',
} as const;
const MANIFEST = 'image.json';

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
    registerFile: { ...REGISTER_FILE, sources: registerFileSources, toolFlags: TOOL_FLAGS },
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
async function readBuilt(dir: string, key: string): Promise<Manifest | undefined> {
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
 * Moves the finished image from `staged` to `dir` in one rename, so a reader, or another process building the same key
 * at the same time, sees all of one build or none of it: the SSH keys must match the initramfs they went into.
 */
async function publish(staged: string, dir: string, key: string): Promise<void> {
  try {
    await rename(staged, dir); // atomic where dir is missing or an empty folder
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  if (await readBuilt(dir, key)) return; // another process finished this key first: keep its build whole
  // A folder holding something else (--out pointed at an older image): replace the files, image.json last.
  await rm(path.join(dir, MANIFEST), { force: true });
  const names = (await readdir(staged)).filter((name) => name !== MANIFEST);
  for (const name of [...names, MANIFEST]) await rename(path.join(staged, name), path.join(dir, name));
}

/** Sets status = "disabled" on device tree nodes (fdtput, from device-tree-compiler). */
async function disableNodes(dtb: string, nodes: readonly string[]): Promise<void> {
  for (const node of nodes) {
    const result = await execa('fdtput', ['-t', 's', dtb, node, 'status', 'disabled'], { reject: false, timeout: 30_000 });
    if (result.exitCode !== 0) throw new Error(`${path.basename(dtb)}: cannot disable ${node} with fdtput (install device-tree-compiler): ${result.stderr || result.message}`);
  }
}

/** The register file's module, built for this kernel in the module build sandbox, as an initramfs entry. */
async function buildRegisterFile(kernel: Kernel, work: string, progress: Progress): Promise<Array<InitramfsEntry & { kind: 'file' }>> {
  const headers = await ensureBuildToolchain({ kernel, progress });
  progress(`building ${REGISTER_FILE.module}.ko (${REGISTER_FILE.device}) against ${headers.buildTree}, and ${path.basename(REGISTER_FILE.tool.path)}`);
  const built = await buildModule(path.join(REPO_ROOT, REGISTER_FILE.sourceDir), { moduleName: REGISTER_FILE.module, workDir: path.join(work, 'kbuild'), headers });
  if (!built.ok) throw new Error(`${REGISTER_FILE.sourceDir}/${REGISTER_FILE.module}.c did not build for ${kernel.release}:\n${built.errors}`);
  const at = `lib/modules/${kernel.release}/${REGISTER_FILE.installDir}/${REGISTER_FILE.module}.ko`;
  return [
    { kind: 'file', path: at, mode: 0o644, data: await readFile(built.module!) },
    { kind: 'file', path: REGISTER_FILE.tool.path, mode: 0o755, data: await buildRegisterTool(headers, path.join(work, 'tool')) },
  ];
}

/** Static and freestanding: the guest has no libc headers to build against, and the tool needs none. */
const TOOL_FLAGS = ['-Os', '-static', '-nostdlib', '-ffreestanding', '-fno-builtin', '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-s', '-Wall', '-Wextra', '-Werror'];

/** The register file's guest tool, compiled with the kernel's cross compiler in the build sandbox. */
async function buildRegisterTool(headers: KernelHeaders, buildDir: string): Promise<Buffer> {
  const source = path.basename(REGISTER_FILE.tool.source);
  const program = path.basename(REGISTER_FILE.tool.path);
  await mkdir(buildDir);
  await copyFile(path.join(REPO_ROOT, REGISTER_FILE.tool.source), path.join(buildDir, source));
  const run = await runInBuildSandbox([headers.crossCompiler, ...TOOL_FLAGS, '-o', program, source], { buildDir, headers, timeoutMs: 60_000 });
  if (run.exitCode !== 0) throw new Error(`${REGISTER_FILE.tool.source} did not build with ${headers.crossCompiler}: ${run.stopped ?? run.output.trim().slice(-2000)}`);
  return readFile(path.join(buildDir, program));
}

/** Builds in a scratch folder next to the target and publishes the result whole, so a crash never leaves a half image. */
async function build(dir: string, key: string, kernel: Kernel, packages: readonly DebianPackage[], progress: Progress): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  const work = await mkdtemp(`${dir}.partial-`);
  try {
    const staged = path.join(work, 'image');
    const kernelDir = path.join(work, 'kernel');
    const root = path.join(work, 'root');
    const keysDir = path.join(work, 'keys');
    await Promise.all([staged, keysDir].map((folder) => mkdir(folder)));
    const keys = await makeGuestKeys(keysDir, path.join(staged, FILES.sshPrivateKey), progress);

    const debs = await downloadPackages([kernel.package, ...packages], progress);
    const kernelDeb = debs.get(kernel.package.name)!;
    progress(`extracting ${kernel.package.name} and ${INITRAMFS_PACKAGES.length} packages`);
    const fromKernel = kernelFiles(kernel.release);
    await extractFiles(kernelDeb, kernelDir, [fromKernel.kernel, fromKernel.raspi3bDtb, fromKernel.raspi4bDtb]);
    await rename(path.join(kernelDir, fromKernel.kernel), path.join(staged, FILES.kernel));
    await rename(path.join(kernelDir, fromKernel.raspi3bDtb), path.join(staged, FILES.raspi3bDtb));
    await rename(path.join(kernelDir, fromKernel.raspi4bDtb), path.join(staged, FILES.raspi4bDtb));
    await disableNodes(path.join(staged, FILES.raspi4bDtb), RASPI4B_DISABLED_NODES);
    const modules = await extractModules(kernelDeb, kernel.release, GUEST_MODULES.map((m) => m.name), kernelDir);
    progress(`kernel modules in load order: ${modules.map((m) => m.name).join(', ')}`);
    const moduleFiles = await Promise.all(modules.map(async (m): Promise<InitramfsEntry> => (
      { kind: 'file', path: m.path, mode: 0o644, data: await readFile(path.join(kernelDir, m.path)) }
    )));

    const registerFile = await buildRegisterFile(kernel, work, progress);
    const registerModule = registerFile[0]!;

    for (const p of INITRAMFS_PACKAGES) await extractFiles(debs.get(p.name)!, root, p.initramfs);
    const entries = [
      ...initramfsSkeleton(),
      ...(await entriesFromTree(root)),
      ...moduleFiles,
      ...registerFile,
      ...initramfsBuilt(keys, [...modules.map((m) => m.path), registerModule.path]),
    ];
    const size = await writeInitramfs(path.join(staged, FILES.initrd), entries);
    progress(`initramfs ${(size / 1e6).toFixed(1)} MB`);

    const manifest = {
      key,
      kernelRelease: kernel.release,
      packages: Object.fromEntries([kernel.package, ...packages].map((p) => [p.name, p.version])),
      prompt: GUEST_PROMPT,
      files: FILES,
      modules: [...modules.map((m) => m.name), REGISTER_FILE.module],
      ssh: {
        user: GUEST_USER,
        privateKey: FILES.sshPrivateKey,
        hostPublicKey: keys.hostPublicKey,
        hostKeyFingerprint: sshFingerprint(keys.hostPublicKey),
      },
    };
    await writeFile(path.join(staged, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await publish(staged, dir, key);
  } finally {
    await rm(work, { recursive: true, force: true });
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
    await build(dir, key, kernel, packages, progress);
    progress(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    manifest = await readBuilt(dir, key);
    if (!manifest) throw new Error(`${dir}: the build finished but ${MANIFEST} or one of ${Object.values(FILES).join(', ')} is missing`);
  }
  return describe(dir, kernel, packages, manifest);
}
