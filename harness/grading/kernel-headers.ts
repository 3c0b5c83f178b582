/**
 * What a module build for the guest kernel needs: Debian's linux-headers for the exact guest kernel, unpacked (never
 * installed) into .cache/kernel-headers/<release>/, and the host tools the build runs (cross gcc, the host kbuild of the
 * headers' upstream version, make, bubblewrap). Everything is derived from the packages' own metadata, not hard-coded.
 */
import { mkdir, mkdtemp, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { downloadPackages, extractFiles, resolvePackages, type DebianPackage, type Kernel, type Progress } from '../guest/packages.js';
import { hostToolsFor, type HeadersDepends } from './kbuild-host-tools.js';
import { REPO_ROOT } from '../repo-root.js';

export interface KernelHeaders {
  /** The guest kernel, as `uname -r` prints it there (e.g. 6.1.0-56-arm64). */
  readonly release: string;
  /** Debian version of the kernel and its headers (e.g. 6.1.192-2). */
  readonly version: string;
  /** Host folder with the unpacked `linux-headers-*` folders; the build sandbox mounts it at /usr/src. */
  readonly srcDir: string;
  /** Folder name of the arm64 headers under srcDir, the one `make -C` enters (linux-headers-<release>). */
  readonly buildTree: string;
  /** The host kbuild the headers' scripts and tools links point at (e.g. /usr/lib/linux-kbuild-6.1). */
  readonly kbuildDir: string;
  /** The cross C compiler the kernel was built with (aarch64-linux-gnu-gcc-12), on the sandbox's PATH. */
  readonly crossCompiler: string;
}

export interface ToolchainOptions {
  /** The guest kernel; by default the one the Debian meta package points at now, as ensureGuestImage resolves it. */
  readonly kernel?: Kernel;
  /** Receives progress lines while downloading, unpacking and installing; silent by default. */
  readonly progress?: Progress;
}

const HEADERS_CACHE = path.join(REPO_ROOT, '.cache', 'kernel-headers');
/** Written last into an unpacked tree: its presence means the tree is complete and fixed. */
const MANIFEST = 'headers.json';
const TIMEOUT_MS = 600_000;

interface Manifest {
  readonly version: string;
  readonly depends: HeadersDepends;
}

/** The headers package's Depends, e.g. `linux-headers-6.1.0-56-common (= 6.1.192-2), linux-kbuild-6.1 (>= 6.1.192-2), gcc-12`. */
function parseDepends(depends: string): HeadersDepends {
  const common = /(linux-headers-\S+-common) \(= ([^)\s]+)\)/.exec(depends);
  const kbuild = /linux-kbuild-(\d+\.\d+) \(>= ([^)\s]+)\)/.exec(depends);
  const gcc = /\bgcc-(\d+)\b/.exec(depends);
  if (!common || !kbuild || !gcc) throw new Error(`unexpected Depends in the kernel headers package: ${depends}`);
  return {
    common: { name: common[1]!, version: common[2]! },
    kbuild: { series: kbuild[1]!, minVersion: kbuild[2]! },
    gccMajor: gcc[1]!,
  };
}

/**
 * The two fixes that make the unpacked tree work where it is not installed (kernel-modules.md): the arm64 Makefile
 * includes the common Makefile by absolute /usr/src path (made relative to itself, so the tree works both on the host
 * and mounted at /usr/src in the sandbox), and `scripts`/`tools` link into a packaged kbuild that is not unpacked
 * (pointed at the host's installed one).
 */
async function fixTree(srcDir: string, buildTree: string, depends: HeadersDepends, kbuildDir: string): Promise<void> {
  const makefile = path.join(srcDir, buildTree, 'Makefile');
  const text = await readFile(makefile, 'utf8');
  const include = `include /usr/src/${depends.common.name}/Makefile`;
  if (!text.includes(include)) throw new Error(`${makefile} does not hold \`${include}\`: the headers' layout changed`);
  const relative = `include $(dir $(lastword $(MAKEFILE_LIST)))../${depends.common.name}/Makefile`;
  await writeFile(makefile, text.replace(include, relative));

  for (const tree of [buildTree, depends.common.name]) {
    for (const link of ['scripts', 'tools']) {
      const at = path.join(srcDir, tree, link);
      const target = await readlink(at);
      if (!target.endsWith(`/lib/linux-kbuild-${depends.kbuild.series}/${link}`)) {
        throw new Error(`${at} points at ${target}, not into linux-kbuild-${depends.kbuild.series}`);
      }
      await rm(at);
      await symlink(path.join(kbuildDir, link), at);
    }
  }
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Downloads both headers packages and unpacks usr/src of each into `dir`, through a scratch folder beside it. */
async function unpackHeaders(kernel: Kernel, dir: string, progress: Progress): Promise<Manifest> {
  const arm64 = { name: `linux-headers-${kernel.release}`, version: kernel.package.version };
  const arm64Deb = (await downloadPackages([arm64], progress)).get(arm64.name)!;
  const control = await execa('dpkg-deb', ['--field', arm64Deb, 'Depends'], { timeout: TIMEOUT_MS });
  const depends = parseDepends(control.stdout);
  const common: DebianPackage = { ...depends.common, architecture: 'all' };
  const commonDeb = (await downloadPackages([common], progress)).get(common.name)!;

  progress(`unpacking ${arm64.name} and ${depends.common.name} into ${dir}`);
  await mkdir(path.dirname(dir), { recursive: true });
  const work = await mkdtemp(`${dir}.partial-`);
  try {
    for (const deb of [arm64Deb, commonDeb]) await extractFiles(deb, work, ['usr/src']);
    const srcDir = path.join(work, 'usr', 'src');
    await fixTree(srcDir, arm64.name, depends, hostToolsFor(depends).kbuildDir);
    const manifest: Manifest = { version: kernel.package.version, depends };
    await writeFile(path.join(srcDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    // Another process may have finished the same tree meanwhile: keep its copy. Anything else there is stale.
    const existing = await readManifest(dir);
    if (existing?.version === manifest.version) return existing;
    await rm(dir, { recursive: true, force: true });
    await rename(srcDir, dir).catch(async (error: unknown) => {
      if ((await readManifest(dir))?.version !== manifest.version) throw error;
    });
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Installs missing host tools when root; otherwise throws with the apt-get command to run. */
async function ensureHostTools(depends: HeadersDepends, progress: Progress): Promise<void> {
  const tools = hostToolsFor(depends);
  const missing = await tools.missingPackages();
  if (missing.length === 0) return;
  const args = ['install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    throw new Error(`building kernel modules needs ${missing.join(', ')} on the host: run \`sudo apt-get ${args.join(' ')}\``);
  }
  progress(`running apt-get ${args.join(' ')}`);
  const result = await execa('apt-get', args, { reject: false, timeout: TIMEOUT_MS, env: { DEBIAN_FRONTEND: 'noninteractive' } });
  const still = await tools.missingPackages();
  if (still.length > 0) {
    throw new Error(`apt-get ${args.join(' ')} left ${still.join(', ')} missing or too old (run \`apt-get update\`?):\n${result.stderr}`);
  }
}

const pending = new Map<string, Promise<KernelHeaders>>();

/**
 * Returns the unpacked, fixed headers of the guest kernel, downloading and unpacking them the first time (about 12 MB
 * of packages), and makes sure the host tools are there. Calls in one process share one result per kernel.
 */
export function ensureBuildToolchain(options: ToolchainOptions = {}): Promise<KernelHeaders> {
  const key = options.kernel?.release ?? 'current';
  let result = pending.get(key);
  if (!result) {
    result = prepare(options);
    pending.set(key, result);
    result.catch(() => pending.delete(key));
  }
  return result;
}

async function prepare(options: ToolchainOptions): Promise<KernelHeaders> {
  const progress = options.progress ?? (() => {});
  const kernel = options.kernel ?? (await resolvePackages([], progress)).kernel;
  const dir = path.join(HEADERS_CACHE, kernel.release);
  const cached = await readManifest(dir);
  const manifest = cached?.version === kernel.package.version ? cached : await unpackHeaders(kernel, dir, progress);
  await ensureHostTools(manifest.depends, progress);
  return {
    release: kernel.release,
    version: manifest.version,
    srcDir: dir,
    buildTree: `linux-headers-${kernel.release}`,
    kbuildDir: hostToolsFor(manifest.depends).kbuildDir,
    crossCompiler: `aarch64-linux-gnu-gcc-${manifest.depends.gccMajor}`,
  };
}
