/**
 * Builds the timed-inputs QEMU plugin (timed-inputs.c) with gcc, cached under .cache/qemu-plugin/ by a hash of its
 * source. It declares the little plugin ABI it needs itself, so unlike gpio-stores it needs no QEMU source tarball.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { PluginBuildError } from '../../guest/qemu-plugin.js';
import { REPO_ROOT } from '../../repo-root.js';

const CACHE = path.join(REPO_ROOT, '.cache', 'qemu-plugin');
const SOURCE = path.join(REPO_ROOT, 'harness', 'instruments', 'qemu', 'timed-inputs.c');

/** Builds the plugin if its source changed; returns the path of the .so. */
export async function ensureTimedInputsPlugin(): Promise<string> {
  const key = createHash('sha256').update(await readFile(SOURCE)).digest('hex').slice(0, 16);
  const plugin = path.join(CACHE, `timed-inputs-${key}.so`);
  if (await stat(plugin).then(() => true, () => false)) return plugin;
  await mkdir(CACHE, { recursive: true });
  const partial = `${plugin}.partial-${process.pid}`;
  const { execa } = await import('execa');
  const result = await execa('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-Werror', '-o', partial, SOURCE, '-lpthread'], { reject: false, timeout: 120_000, all: true });
  if (result.exitCode !== 0) {
    throw new PluginBuildError(`timed-inputs plugin: compiling ${SOURCE} failed: ${String(result.all || result.message).trim().split('\n').slice(-5).join('\n')}`);
  }
  await rename(partial, plugin);
  return plugin;
}
