/**
 * Saved, booted guests: one per machine and image, made once by booting and saving (QEMU migration to a file), then
 * restored for each clean guest in about a second instead of a boot. A state file is valid only for the same QEMU
 * build, machine, kernel, initramfs, device tree, plugin and arguments, so it is kept under a key made of all of them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureGpioStoresPlugin } from '../guest/qemu-plugin.js';
import { REPO_ROOT } from '../repo-root.js';
import { kernelArguments, QemuTarget, type GuestSnapshot, type QemuMachine, type QemuTargetOptions } from './qemu-target.js';

const SNAPSHOTS = path.join(REPO_ROOT, '.cache', 'snapshots');

/** What a state file depends on, hashed: QEMU's build, the machine and its arguments, the image's files, the plugin. */
export function snapshotKey(machine: QemuMachine, options: QemuTargetOptions, plugin: string): string {
  const qemu = options.qemu ?? 'qemu-system-aarch64';
  const hash = createHash('sha256');
  hash.update(execFileSync(qemu, ['--version'], { encoding: 'utf8', timeout: 10_000 }));
  hash.update(`\0${machine.name}\0${machine.args('').join('\0')}\0${options.image.key}\0${kernelArguments(options)}\0${(options.extraArgs ?? []).join('\0')}\0`);
  // How the state was saved: files saved while an interrupt was pending (before saveSnapshot checked) are not reused.
  hash.update('saved stopped, no pending interrupt dropped, with its GPIO block\0');
  hash.update(readFileSync(plugin));
  return hash.digest('hex').slice(0, 24);
}

/** The saved guest for this machine and these options, booting and saving it first if there is none yet. */
export async function ensureSnapshot(machine: QemuMachine, options: QemuTargetOptions): Promise<GuestSnapshot> {
  const dir = path.join(SNAPSHOTS, `${machine.name}-${snapshotKey(machine, options, options.plugin ?? await ensureGpioStoresPlugin())}`);
  const stateFile = path.join(dir, 'state');
  const savedFile = path.join(dir, 'saved.json');
  const load = (): GuestSnapshot => ({ stateFile, ...(JSON.parse(readFileSync(savedFile, 'utf8')) as Omit<GuestSnapshot, 'stateFile'>) });
  if (existsSync(stateFile) && existsSync(savedFile)) {
    utimesSync(dir, new Date(), new Date()); // in use: kept by pruneSnapshots
    return load();
  }
  // Made beside the final folder and renamed into place: a crash or a second worker never leaves half a snapshot.
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  try {
    const target = await QemuTarget.boot(machine, options);
    let saved: GuestSnapshot;
    try {
      saved = await target.saveSnapshot(path.join(partial, 'state'));
    } finally {
      await target.close();
    }
    writeFileSync(path.join(partial, 'saved.json'), JSON.stringify({ writes: saved.writes, gpio: saved.gpio }));
    try {
      renameSync(partial, dir);
    } catch (error) {
      if (!existsSync(stateFile)) throw error; // another worker got there first: use its snapshot
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  pruneSnapshots(SNAPSHOTS);
  return load();
}

/** How long a saved guest nobody restored is kept: each is about 90 MB, and every change of image or QEMU makes new ones. */
const UNUSED_DAYS = 7;

/**
 * Removes the saved guests in `folder` not restored for UNUSED_DAYS (ensureSnapshot marks a folder whenever it serves
 * it), and the half-made ones left that long by a crash; returns their names. Called when a new one is made.
 */
export function pruneSnapshots(folder: string, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(folder, entry.name);
    try {
      if (now - statSync(dir).mtimeMs < UNUSED_DAYS * 86_400_000) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(entry.name);
    } catch {
      // Gone meanwhile (another worker pruned it) or not ours to remove: housekeeping never fails a restore.
    }
  }
  return removed;
}
