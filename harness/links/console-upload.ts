/**
 * A file written into the guest through its shell (a console has no other way in): gzip'd and base64'd in a
 * here-document, unpacked by the guest's busybox base64 and gunzip, and checked by its md5sum. Console bytes are what
 * an upload costs (raspi3b's mini-UART takes an interrupt per byte): a stripped kernel module of 10.6 kB took 0.34-
 * 0.60 s as plain base64, and 0.23-0.27 s gzip'd (2.8 kB).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { TargetShell } from '../targets/target.js';

/** The largest file this sends: a student's module is tens of kilobytes; a console is no place for megabytes. */
export const MAX_UPLOAD_BYTES = 4 << 20;

export async function uploadFile(shell: TargetShell, data: Buffer, guestPath: string): Promise<void> {
  if (!/^\/[\w./-]+$/.test(guestPath) || guestPath.includes('..')) throw new Error(`guest path ${JSON.stringify(guestPath)} is not a plain absolute path`);
  if (data.length > MAX_UPLOAD_BYTES) throw new Error(`${guestPath}: ${data.length} bytes is more than the ${MAX_UPLOAD_BYTES >> 20} MiB a console upload takes`);
  const lines = gzipSync(data, { level: 9 }).toString('base64').match(/.{1,76}/g) ?? [];
  // The delimiter has an underscore, which base64 never does: no line of the data can end the here-document.
  const written = await shell.check(`base64 -d <<'PINRIG_EOF' | gunzip -c > ${guestPath}\n${lines.join('\n')}\nPINRIG_EOF\nmd5sum ${guestPath}`, { timeoutMs: 30_000 });
  const expected = createHash('md5').update(data).digest('hex');
  if (written.trim().split(/\s+/)[0] !== expected) throw new Error(`${guestPath}: the guest's copy does not match (md5 ${written.trim().slice(0, 32)}, sent ${expected})`);
}
