/**
 * Debian arm64 packages on an amd64 (or arm64) Debian host: resolve exact versions from the apt lists, download the
 * .deb files into a cache folder, extract selected files. Nothing is installed on the host.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

const ARCH = 'arm64';
/** Downloaded .deb files, shared by the guest image and the kernel headers. */
const DEB_CACHE = path.join(REPO_ROOT, '.cache', 'debs');
const KERNEL_META = 'linux-image-arm64';

export interface DebianPackage {
  readonly name: string;
  /** The exact version apt would install (the candidate), epoch included. */
  readonly version: string;
  /** `all` for a package built once for every architecture (such as the common kernel headers); arm64 by default. */
  readonly architecture?: typeof ARCH | 'all';
}

export type Progress = (message: string) => void;

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Runs a host tool to completion and returns its output, also when it exits non-zero (the caller judges that); a tool
 * that is missing, times out or is killed is an error naming it.
 */
async function run(file: string, args: readonly string[], cwd?: string) {
  const { execa } = await import('execa');
  const result = await execa(file, args, { cwd, reject: false, timeout: 600_000 });
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new Error(`${file} not found: the guest image is built from Debian packages, on a Debian host with apt and dpkg`);
  }
  if (result.exitCode === undefined) throw new Error(`${file} ${args.join(' ')} did not finish: ${result.message}`);
  return result;
}

/** apt's answers, kept while nothing apt reads has changed (each apt-cache call costs about a second here). */
export const APT_ANSWERS = path.join(REPO_ROOT, '.cache', 'apt-answers');
/** What apt's choice of candidates reads: its package lists, sources, preferences, architectures and dpkg's status. */
const APT_STATE = ['/var/lib/apt/lists', '/etc/apt/sources.list', '/etc/apt/sources.list.d', '/etc/apt/preferences', '/etc/apt/preferences.d', '/var/lib/dpkg/arch', '/var/lib/dpkg/status'];

/** A key for `names` asked of apt in its present state: every file above by name, size and modification time. */
export async function aptStateKey(names: readonly string[], state: readonly string[] = APT_STATE): Promise<string> {
  const hash = createHash('sha256').update(`${ARCH}\0${names.join('\0')}\0`);
  for (const entry of state) {
    const stats = await stat(entry).catch(() => undefined);
    const files = stats?.isDirectory() ? (await readdir(entry)).sort().map((name) => path.join(entry, name)) : [entry];
    for (const file of files) {
      const s = await stat(file).catch(() => undefined);
      hash.update(`${file} ${s?.size ?? '-'} ${s?.mtimeMs ?? '-'}\0`);
    }
  }
  return hash.digest('hex').slice(0, 24);
}

/** apt-cache paragraphs of the candidate versions, one per package, as field maps by package name. */
async function showCandidates(names: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const kept = path.join(APT_ANSWERS, `${await aptStateKey(names)}.json`);
  const answer = await readFile(kept, 'utf8').then((text) => JSON.parse(text) as Array<[string, Array<[string, string]>]>, () => undefined);
  if (answer) return new Map(answer.map(([name, fields]) => [name, new Map(fields)]));
  const found = await askCandidates(names);
  // Kept only when complete: a missing package makes the caller set up lists and ask again.
  if (names.every((n) => found.has(n))) {
    await mkdir(APT_ANSWERS, { recursive: true });
    const partial = `${kept}.${process.pid}`;
    await writeFile(partial, JSON.stringify([...found].map(([name, fields]) => [name, [...fields]])));
    await rename(partial, kept);
  }
  return found;
}

async function askCandidates(names: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const result = await run('apt-cache', ['show', '--no-all-versions', ...names.map((n) => `${n}:${ARCH}`)]);
  const byPackage = new Map<string, Map<string, string>>();
  for (const paragraph of result.stdout.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of paragraph.split('\n')) {
      const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (match) fields.set(match[1]!, match[2]!);
    }
    const name = fields.get('Package');
    if (name && fields.has('Version')) byPackage.set(name, fields);
  }
  return byPackage;
}

/** Makes apt see arm64 packages: adds the architecture and updates the lists when root, else names the commands to run. */
async function setUpArm64Lists(progress: Progress): Promise<void> {
  const foreign = (await run('dpkg', ['--print-foreign-architectures'])).stdout.split('\n');
  const hasArch = foreign.includes(ARCH) || (await run('dpkg', ['--print-architecture'])).stdout.trim() === ARCH;
  const commands = [...(hasArch ? [] : [['dpkg', '--add-architecture', ARCH]]), ['apt-get', 'update']];
  if (!isRoot()) {
    const fix = commands.map((c) => `sudo ${c.join(' ')}`).join(' && ');
    throw new Error(`apt has no ${ARCH} package lists (needed to build the guest image) and this is not root: run \`${fix}\``);
  }
  for (const [file, ...args] of commands) {
    progress(`running ${file} ${args.join(' ')}`);
    const result = await run(file!, args);
    if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.stderr}`);
  }
}

/** The kernel the meta package points at now: `release` as `uname -r` prints it (e.g. 6.1.0-56-arm64), and its package. */
export interface Kernel {
  readonly release: string;
  readonly package: DebianPackage;
}

function kernelFromMeta(meta: Map<string, string>): Kernel {
  const depends = meta.get('Depends') ?? '';
  const match = /linux-image-(\S+-arm64) \(= ([^)\s]+)\)/.exec(depends);
  if (!match) throw new Error(`cannot read the kernel from ${KERNEL_META}:${ARCH} (Depends: ${depends || 'none'})`);
  return { release: match[1]!, package: { name: `linux-image-${match[1]!}`, version: match[2]! } };
}

/**
 * Resolves the current kernel (from the meta package) and the candidate version of each named package, setting up
 * arm64 package lists first where they are missing. One apt-cache call: each costs about a second where apt keeps no
 * binary cache.
 */
export async function resolvePackages(
  names: readonly string[],
  progress: Progress,
): Promise<{ kernel: Kernel; packages: DebianPackage[] }> {
  const wanted = [KERNEL_META, ...names];
  let found = await showCandidates(wanted);
  if (!found.has(KERNEL_META)) {
    await setUpArm64Lists(progress);
    found = await showCandidates(wanted);
  }
  const missing = wanted.filter((n) => !found.has(n));
  if (missing.length > 0) {
    const unknown = missing.map((n) => `${n}:${ARCH}`).join(', ');
    throw new Error(`apt does not know ${unknown}: check the name and /etc/apt/sources.list(.d), or run \`apt-get update\` as root`);
  }
  return {
    kernel: kernelFromMeta(found.get(KERNEL_META)!),
    packages: names.map((name) => ({ name, version: found.get(name)!.get('Version')! })),
  };
}

/** apt-get download's own file name: the epoch's colon is URI-escaped. */
const debFileName = (pkg: DebianPackage): string => `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_${pkg.architecture ?? ARCH}.deb`;

/** What apt-get download is asked for: `name:arm64=version`, or `name=version` (apt does not resolve `:arm64` for arch-all). */
const downloadSpec = (pkg: DebianPackage): string =>
  pkg.architecture === 'all' ? `${pkg.name}=${pkg.version}` : `${pkg.name}:${ARCH}=${pkg.version}`;

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/**
 * Downloads the packages missing from the .deb cache (.cache/debs) and returns the path of each package's .deb, by name.
 * apt-get download checks each file against the signed lists; a file lands in the cache only once complete.
 */
export async function downloadPackages(
  packages: readonly DebianPackage[],
  progress: Progress,
): Promise<Map<string, string>> {
  await mkdir(DEB_CACHE, { recursive: true });
  const debs = new Map(packages.map((p) => [p.name, path.join(DEB_CACHE, debFileName(p))]));
  const missing: DebianPackage[] = [];
  for (const p of packages) if (!(await exists(debs.get(p.name)!))) missing.push(p);
  if (missing.length === 0) return debs;

  progress(`downloading ${missing.map((p) => `${p.name} ${p.version}`).join(', ')}`);
  const partial = await mkdtemp(path.join(DEB_CACHE, '.partial-'));
  try {
    const result = await run('apt-get', ['download', ...missing.map(downloadSpec)], partial);
    if (result.exitCode !== 0) {
      const errors = result.stderr.split('\n').filter((l) => l.startsWith('E:')).join('\n') || result.stderr;
      throw new Error(`apt-get download failed (stale arm64 package lists? run \`apt-get update\` as root):\n${errors}`);
    }
    const downloaded = await readdir(partial);
    for (const p of missing) {
      const file = downloaded.find((f) => f.startsWith(`${p.name}_`) && f.endsWith(`_${p.architecture ?? ARCH}.deb`));
      if (!file) throw new Error(`apt-get download reported success but left no .deb for ${p.name} in ${partial}`);
      await rename(path.join(partial, file), debs.get(p.name)!);
    }
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return debs;
}

/**
 * Extracts the given paths (tar wildcards allowed, relative to the package root) from a .deb into `dir`,
 * without unpacking the rest: the kernel package alone is 350 MB unpacked. A path that matches nothing is an error.
 */
export async function extractFiles(deb: string, dir: string, files: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const members = files.map((f) => `./${f}`);
  const { execa } = await import('execa');
  try {
    await execa('dpkg-deb', ['--fsys-tarfile', deb], { buffer: { stdout: false }, timeout: 600_000 })
      .pipe('tar', ['-x', '--wildcards', '--no-same-owner', '-C', dir, ...members], { timeout: 600_000 });
  } catch (error) {
    throw new Error(`cannot extract ${files.join(', ')} from ${deb}: ${(error as Error).message}`);
  }
}
