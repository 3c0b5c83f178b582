/**
 * Host keys as a board profile pins them: the OpenSSH fingerprint form `SHA256:<base64 without padding>`, which is what
 * `ssh-keygen -lf` and `dropbearkey -y` print, so a lab can copy it from the board's console.
 */
import { createHash } from 'node:crypto';

/** Trust whatever key the server presents; only ever by explicit choice (a throwaway guest). */
export const ACCEPT_ANY_HOST_KEY = 'accept-any';

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The OpenSSH SHA256 fingerprint of a public key blob (SSH wire format, as the server presents it). */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a public key blob names (its first SSH string), e.g. `ssh-ed25519`. */
export function keyType(keyBlob: Buffer): string {
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

/**
 * Checks a pin before any connection is made; returns it normalised (trailing `=` padding dropped), or a description
 * of what is wrong. A missing pin is an error: trusting any key must be asked for with `accept-any`.
 */
export function parseHostKeyPin(pin: unknown): { pin: string } | { problem: string } {
  if (pin === ACCEPT_ANY_HOST_KEY) return { pin };
  if (pin === undefined || pin === null || pin === '') {
    return { problem: `no host key pin given: pass the expected fingerprint (SHA256:...) or, explicitly, '${ACCEPT_ANY_HOST_KEY}'` };
  }
  const normalised = typeof pin === 'string' ? pin.trim().replace(/=+$/, '') : '';
  if (!FINGERPRINT.test(normalised)) {
    return { problem: `host key pin ${JSON.stringify(pin)} is not an OpenSSH SHA256 fingerprint (SHA256: followed by 43 base64 characters)` };
  }
  return { pin: normalised };
}
