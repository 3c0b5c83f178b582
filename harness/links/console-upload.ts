/**
 * A file written into the guest through its shell (a console has no other way in): base64 in a here-document, decoded
 * by the guest's base64 and checked by its md5sum. For small files (a kernel module): about 1.4 bytes typed per byte.
 */
import { createHash } from 'node:crypto';
import type { TargetShell } from '../targets/target.js';

/** The largest file this sends: a student's module is tens of kilobytes; a console is no place for megabytes. */
export const MAX_UPLOAD_BYTES = 4 << 20;

export async function uploadFile(shell: TargetShell, data: Buffer, guestPath: string): Promise<void> {
  if (!/^\/[\w./-]+$/.test(guestPath) || guestPath.includes('..')) throw new Error(`guest path ${JSON.stringify(guestPath)} is not a plain absolute path`);
  if (data.length > MAX_UPLOAD_BYTES) throw new Error(`${guestPath}: ${data.length} bytes is more than the ${MAX_UPLOAD_BYTES >> 20} MiB a console upload takes`);
  const lines = data.toString('base64').match(/.{1,76}/g) ?? [];
  // The delimiter has an underscore, which base64 never does: no line of the data can end the here-document.
  const written = await shell.check(`base64 -d > ${guestPath} <<'PINRIG_EOF'\n${lines.join('\n')}\nPINRIG_EOF\nmd5sum ${guestPath}`, { timeoutMs: 30_000 });
  const expected = createHash('md5').update(data).digest('hex');
  if (written.trim().split(/\s+/)[0] !== expected) throw new Error(`${guestPath}: the guest's copy does not match (md5 ${written.trim().slice(0, 32)}, sent ${expected})`);
}
