/**
 * The register file in a guest: /dev/gpio-regs (pinrig_regs.ko, harness/guest/register-file/), whose offsets are the
 * GPIO controller's registers. A batch of accesses is one run of the guest tool pinrig-regs (harness/guest/
 * register-tool/): each access one pread or pwrite of `bytes` bytes at a byte offset, so the module sees exactly the
 * access asked for (a 4-byte one is one readl/writel), in order, stopping at the first refusal. Everything the host
 * sends is a number it formatted itself; what comes back is parsed strictly, line by line, and anything else is an
 * error naming the target.
 */
import { REGISTER_FILE } from '../guest/contents.js';
import type { TargetShell } from './target.js';

export type RegisterAccess =
  | { readonly kind: 'read'; readonly offset: number; readonly bytes?: number }
  | { readonly kind: 'write'; readonly offset: number; readonly value: number; readonly bytes?: number }
  /** A pause in the guest between accesses (guest-side timing, usleep), in microseconds. */
  | { readonly kind: 'wait'; readonly us: number };

/** The register file refused an access (the module's errno, as the guest tool reported it). */
export class RegisterFileError extends Error {
  override name = 'RegisterFileError';
  constructor(
    message: string,
    /** 'EINVAL' (length or alignment), 'ENXIO' (past the window), or the message the guest tool printed. */
    readonly errno: string,
    /** Index of the refused access in its batch; the ones before it were made. */
    readonly index: number,
    /** Values of the reads made before the refusal, in order. */
    readonly reads: readonly number[],
  ) {
    super(message);
  }
}

export interface RegisterFileWindow {
  /** Physical base and size in bytes, as the module found them (device tree or module parameters). */
  readonly base: number;
  readonly size: number;
}

const DEVICE = REGISTER_FILE.device;
const TOOL = `/${REGISTER_FILE.tool.path}`;
const PARAMETERS = `/sys/module/${REGISTER_FILE.module}/parameters`;
/** Lines of one command: the guest's terminal takes at most 4095 characters a line. */
const ACCESSES_PER_LINE = 40;
/** Wall-clock allowance per access, far above what one takes (microseconds of guest time): a bound for a stuck guest. */
const MS_PER_ACCESS = 20;
const ERRNOS: Record<string, string> = { 'Invalid argument': 'EINVAL', 'No such device or address': 'ENXIO' };

function checkOffset(offset: number, where: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`${where}: offset ${offset} is not a non-negative integer`);
}

function checkBytes(bytes: number, where: string): void {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 8) throw new Error(`${where}: ${bytes} bytes: an access is 1 to 8 bytes`);
}

function checkValue(value: number, bytes: number, where: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * bytes)) throw new Error(`${where}: value ${value} does not fit in ${bytes} bytes`);
}

/** The guest command for a batch: the tool's arguments, decimal numbers only (exported for tests of the command). */
export function batchCommand(accesses: readonly RegisterAccess[], where: string): string {
  const steps = accesses.map((access) => {
    if (access.kind === 'wait') {
      if (!Number.isInteger(access.us) || access.us < 0 || access.us > 10_000_000) throw new Error(`${where}: a wait of ${access.us} µs: give whole microseconds up to 10 s`);
      return `u:${access.us}`;
    }
    const bytes = access.bytes ?? 4;
    checkOffset(access.offset, where);
    checkBytes(bytes, where);
    if (access.kind === 'read') return `r:${access.offset}:${bytes}`;
    checkValue(access.value, bytes, where);
    return `w:${access.offset}:${bytes}:${access.value}`;
  });
  const lines: string[] = [];
  for (let i = 0; i < steps.length; i += ACCESSES_PER_LINE) lines.push(steps.slice(i, i + ACCESSES_PER_LINE).join(' '));
  return `${TOOL} ${DEVICE} ${lines.join(' \\\n')}`;
}

/**
 * Makes the accesses in order, in one shell command; returns the values read, in order. A refusal throws a
 * RegisterFileError naming the access (through `describe`) and the target; the accesses before it were made.
 */
export async function runBatch(
  shell: TargetShell,
  accesses: readonly RegisterAccess[],
  where: { target: string; describe: (access: RegisterAccess) => string },
): Promise<number[]> {
  if (accesses.length === 0) return [];
  const command = batchCommand(accesses, where.target);
  const waitedMs = accesses.reduce((ms, a) => ms + (a.kind === 'wait' ? a.us / 1000 : 0), 0);
  const result = await shell.run(command, { timeoutMs: 10_000 + MS_PER_ACCESS * accesses.length + 4 * waitedMs, maxOutput: 4096 + 64 * accesses.length });
  const reads: number[] = [];
  let next = 0;
  for (const line of result.output.split('\n').filter((l) => l.trim() !== '')) {
    const read = /^=(\d+)((?: [0-9a-f]{2})+)$/.exec(line.trim().replace(/\s+/g, ' '));
    const refused = /^!(\d+) (.*)$/.exec(line.trim());
    const index = Number((read ?? refused)?.[1] ?? NaN);
    const access = accesses[index];
    if (!access || index < next) throw new Error(`${where.target}: unexpected output from the register file ${DEVICE}: ${JSON.stringify(line.slice(0, 200))}`);
    next = index + 1;
    if (refused) {
      const said = refused[2]!.trim();
      const known = Object.entries(ERRNOS).find(([text]) => said.includes(text));
      const errno = known?.[1] ?? said;
      throw new RegisterFileError(`${where.target}: ${DEVICE} refused ${where.describe(access)}: ${known ? `${known[1]} (${known[0]})` : said}`, errno, index, reads);
    }
    const bytes = read![2]!.trim().split(' ').map((b) => parseInt(b, 16));
    const expected = access.kind === 'read' ? (access.bytes ?? 4) : -1;
    if (bytes.length !== expected) throw new Error(`${where.target}: ${DEVICE} gave ${bytes.length} bytes for ${where.describe(access)}, expected ${expected}`);
    reads.push(bytes.reduceRight((v, b) => v * 256 + b, 0));
  }
  if (result.status !== 0) throw new Error(`${where.target}: the register file batch exited with status ${result.status} without naming a refused access: ${result.output.slice(-300)}`);
  const expectedReads = accesses.filter((a) => a.kind === 'read').length;
  if (reads.length !== expectedReads) throw new Error(`${where.target}: ${DEVICE} answered ${reads.length} of ${expectedReads} reads`);
  return reads;
}

/** The window the module maps, or a reason the target has no register file. */
export async function registerFileWindow(shell: TargetShell): Promise<RegisterFileWindow | { missing: string }> {
  const result = await shell.run(`[ -c ${DEVICE} ] && [ -x ${TOOL} ] && cat ${PARAMETERS}/base ${PARAMETERS}/size`, { timeoutMs: 5000, maxOutput: 256 });
  const numbers = /^(\d{1,15})\n(\d{1,10})\n$/.exec(result.output);
  if (result.status !== 0 || !numbers) return { missing: `no register file: ${DEVICE}, ${TOOL} or ${PARAMETERS} is missing (${REGISTER_FILE.module}.ko and its tool are in pinrig's guest image only)` };
  return { base: Number(numbers[1]), size: Number(numbers[2]) };
}
