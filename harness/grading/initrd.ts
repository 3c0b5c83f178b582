/**
 * A guest initrd holding one student's module and nothing of anyone else's: the base image's initrd followed by a
 * second gzip'd newc archive with the .ko (the kernel unpacks concatenated archives in order). Each submission boots
 * its own, so no guest ever sees two submissions.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { newcArchive } from '../guest/initramfs.js';

/** Where the module lies in the guest. */
export const GUEST_MODULE_DIR = 'grading';

export async function writeSubmissionInitrd(options: { baseInitrd: string; modulePath: string; moduleName: string; out: string }): Promise<string> {
  const [base, module] = await Promise.all([readFile(options.baseInitrd), readFile(options.modulePath)]);
  const extra = gzipSync(newcArchive([{ kind: 'file', path: `${GUEST_MODULE_DIR}/${options.moduleName}.ko`, mode: 0o644, data: module }]));
  await writeFile(options.out, Buffer.concat([base, extra]));
  return path.posix.join('/', GUEST_MODULE_DIR, `${options.moduleName}.ko`);
}
