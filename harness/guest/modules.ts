/**
 * Kernel modules for the initramfs, taken from the kernel package with everything they depend on. Debian's package
 * ships no modules.dep (depmod writes it on install), so dependencies come from each module's own `.modinfo`
 * `depends=` field (what modpost recorded at build time), and modules.order maps module names to files.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { extractFiles } from './packages.js';

export interface KernelModule {
  /** The module's name as lsmod shows it (underscores, even where the file name has dashes). */
  readonly name: string;
  /** Its path in the kernel package and in the initramfs, e.g. lib/modules/<release>/kernel/net/core/failover.ko. */
  readonly path: string;
}

const moduleName = (file: string): string => path.posix.basename(file, '.ko').replaceAll('-', '_');

/**
 * Extracts the named modules and their dependencies from the kernel package into `dir` and returns them in load
 * order (every module after the ones it depends on). One pass over the package per level of dependencies.
 */
export async function extractModules(deb: string, release: string, wanted: readonly string[], dir: string): Promise<KernelModule[]> {
  const base = `lib/modules/${release}`;
  await extractFiles(deb, dir, [`${base}/modules.order`, `${base}/modules.builtin`]);
  const index = async (name: string) => (await readFile(path.join(dir, base, name), 'utf8')).split('\n').filter(Boolean);
  const files = new Map((await index('modules.order')).map((file) => [moduleName(file), `${base}/${file}`]));
  const builtIn = new Set((await index('modules.builtin')).map(moduleName));

  const depends = new Map<string, readonly string[]>();
  for (let level = [...new Set(wanted)]; level.length > 0;) {
    for (const name of level) {
      if (builtIn.has(name)) throw new Error(`kernel module ${name} is built into ${release}: it needs no loading`);
      if (!files.has(name)) throw new Error(`kernel ${release} has no module ${name} (see ${base}/modules.order in its package)`);
    }
    await extractFiles(deb, dir, level.map((name) => files.get(name)!));
    for (const name of level) {
      const file = path.join(dir, files.get(name)!);
      depends.set(name, modinfoDepends(await readFile(file), file));
    }
    level = [...new Set(level.flatMap((name) => depends.get(name)!))].filter((name) => !depends.has(name));
  }

  const order: string[] = [];
  const visit = (name: string, chain: readonly string[]): void => {
    if (order.includes(name)) return;
    if (chain.includes(name)) throw new Error(`kernel modules depend on each other in a cycle: ${[...chain, name].join(' -> ')}`);
    for (const dependency of depends.get(name)!) visit(dependency, [...chain, name]);
    order.push(name);
  };
  for (const name of wanted) visit(name, []);
  return order.map((name) => ({ name, path: files.get(name)! }));
}

/** The modules a .ko file needs loaded first: the `depends=` entry of its .modinfo section. */
export function modinfoDepends(ko: Buffer, file: string): string[] {
  const fields = elfSection(ko, '.modinfo', file).toString('latin1').split('\0');
  const depends = fields.find((field) => field.startsWith('depends='));
  if (depends === undefined) throw new Error(`${file}: its .modinfo has no depends= entry`);
  return depends.slice('depends='.length).split(',').filter(Boolean);
}

/** A section of a 64-bit little-endian ELF file (every arm64 kernel module), by name. */
function elfSection(elf: Buffer, name: string, file: string): Buffer {
  const isElf64LE = elf.length >= 0x40 && elf.readUInt32BE(0) === 0x7f454c46 && elf[4] === 2 && elf[5] === 1;
  if (!isElf64LE) throw new Error(`${file}: not a 64-bit little-endian ELF file`);
  const sectionHeaders = Number(elf.readBigUInt64LE(0x28));
  const headerSize = elf.readUInt16LE(0x3a);
  const count = elf.readUInt16LE(0x3c);
  const header = (index: number): number => sectionHeaders + index * headerSize;
  // Section header fields: name offset at 0 (into the section-name table), file offset at 24, size at 32.
  const offsetOf = (index: number): number => Number(elf.readBigUInt64LE(header(index) + 24));
  const names = offsetOf(elf.readUInt16LE(0x3e));
  for (let index = 0; index < count; index++) {
    const start = names + elf.readUInt32LE(header(index));
    if (elf.toString('latin1', start, elf.indexOf(0, start)) !== name) continue;
    const offset = offsetOf(index);
    return elf.subarray(offset, offset + Number(elf.readBigUInt64LE(header(index) + 32)));
  }
  throw new Error(`${file}: no ${name} section`);
}
