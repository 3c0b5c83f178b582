/**
 * The QEMU pinrig runs on emulation, and its gpio-stores TCG plugin (harness/instruments/qemu/gpio-stores.c), compiled
 * with gcc against the genuine qemu-plugin.h of that same QEMU: the header comes from Debian's source tarball of the
 * pinned version (apt-get source; apt checks it against the signed Sources index, and we check its sha256 again).
 * The plugin is cached under .cache/qemu-plugin/ by a hash of its source and the header.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

/** The one QEMU for emulation: Debian bookworm-backports' build (harness/setup.sh installs exactly this). */
export const QEMU_DEBIAN_VERSION = '1:10.0.2+ds-2+deb13u1~bpo12+1';
const ORIG_TARBALL = { name: 'qemu_10.0.2+ds.orig.tar.xz', sha256: '0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1' };
const HEADER = { member: 'qemu-10.0.2/include/qemu/qemu-plugin.h', sha256: 'ceca12f3ba448340b38223617b1c66d7b92e0e0d78687d1e108c42287542836e' };

const CACHE = path.join(REPO_ROOT, '.cache', 'qemu-plugin');
const SOURCE = path.join(REPO_ROOT, 'harness', 'instruments', 'qemu', 'gpio-stores.c');

/** A plugin that cannot be built: an infrastructure failure naming the step, never a scenario's result. */
export class PluginBuildError extends Error {
  override name = 'PluginBuildError';
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

async function tool(file: string, args: readonly string[], cwd: string, step: string): Promise<void> {
  const { execa } = await import('execa');
  const result = await execa(file, args, { cwd, reject: false, timeout: 300_000, all: true });
  if (result.exitCode !== 0) {
    throw new PluginBuildError(`gpio-stores plugin: ${step} failed (${file} ${args.join(' ')}): ${String(result.all || result.message).trim().split('\n').slice(-5).join('\n')}`);
  }
}

/** The folder holding the genuine qemu-plugin.h of the pinned QEMU, fetched once. */
async function pluginHeaderDir(): Promise<string> {
  const dir = path.join(CACHE, 'include', QEMU_DEBIAN_VERSION.replace(/[^\w.+-]/g, '_'));
  const header = path.join(dir, 'qemu-plugin.h');
  if (await exists(header) && await sha256(header) === HEADER.sha256) return dir;
  const work = await mkdtemp(path.join(os.tmpdir(), 'pinrig-qemu-source-'));
  try {
    await tool('apt-get', ['source', '--download-only', '--tar-only', `qemu=${QEMU_DEBIAN_VERSION}`], work,
      'downloading the QEMU source tarball (needs a deb-src line for bookworm-backports; harness/setup.sh adds it)');
    const tarball = path.join(work, ORIG_TARBALL.name);
    if (await sha256(tarball) !== ORIG_TARBALL.sha256) throw new PluginBuildError(`gpio-stores plugin: ${ORIG_TARBALL.name} does not have the pinned sha256`);
    await tool('tar', ['-xJf', tarball, HEADER.member], work, `extracting ${HEADER.member}`);
    if (await sha256(path.join(work, HEADER.member)) !== HEADER.sha256) throw new PluginBuildError(`gpio-stores plugin: ${HEADER.member} does not have the pinned sha256`);
    await mkdir(dir, { recursive: true });
    await rename(path.join(work, HEADER.member), header);
    return dir;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds the plugin if its source or the header changed; returns the path of the .so. */
export async function ensureGpioStoresPlugin(): Promise<string> {
  const include = await pluginHeaderDir();
  const key = createHash('sha256').update(await readFile(SOURCE)).update(HEADER.sha256).digest('hex').slice(0, 16);
  const plugin = path.join(CACHE, `gpio-stores-${key}.so`);
  if (await exists(plugin)) return plugin;
  const { execa } = await import('execa'); // loaded only to build: every QEMU start passes here
  const glib = await execa('pkg-config', ['--cflags', 'glib-2.0'], { reject: false });
  if (glib.exitCode !== 0) throw new PluginBuildError('gpio-stores plugin: pkg-config finds no glib-2.0 (install libglib2.0-dev; harness/setup.sh does)');
  const partial = `${plugin}.partial-${process.pid}`;
  await tool('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-I', include, ...glib.stdout.trim().split(/\s+/), '-o', partial, SOURCE, '-lpthread'], CACHE, 'compiling');
  await rename(partial, plugin);
  return plugin;
}
