/**
 * What the sigrok instrument tests share: the demo device (a real libsigrok driver with known patterns), the real
 * captures, and a check that no sigrok-cli this worker started is still running.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Fixtures } from '@playwright/test';
import { execa } from 'execa';
import { levelAt, type Waveform } from '../../harness/signals/waveform.js';
import type { DeviceRef } from '../../harness/instruments/sigrok/index.js';

export { CAPTURES } from '../files/support.js';

/**
 * `scratch(name)`: a path in a folder of the test's own under the system temp dir, removed afterwards. Not the
 * test's outputPath: reports/test-results is emptied by any Playwright run that starts meanwhile in this checkout.
 */
export interface ScratchFixtures {
  scratch: (name: string) => string;
}

export const scratchFixtures: Fixtures<ScratchFixtures> = {
  // The empty pattern is how Playwright is told this fixture needs no other fixture.
  scratch: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'pinrig-sigrok-'));
    await use((name) => join(dir, name));
    await rm(dir, { recursive: true, force: true });
  },
};

export const test = base.extend<ScratchFixtures>(scratchFixtures);

export const DEMO: DeviceRef = { driver: 'demo' };
export const LOGIC = ['D0', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7'];
/** The demo's 'incremental' pattern: a counter, so channel Dn is a square wave of period 2^(n+1) samples. */
export const INCREMENTAL = { name: 'Logic', config: { pattern: 'incremental' } };

/** sigrok-cli processes that are children of this worker (other workers' and other helpers' are not counted). */
export async function sigrokChildren(): Promise<number[]> {
  const { stdout } = await execa('pgrep', ['-P', String(process.pid), '-x', 'sigrok-cli'], { reject: false });
  return stdout.split('\n').filter(Boolean).map(Number);
}

export async function expectNoSigrokLeft(): Promise<void> {
  expect(await sigrokChildren(), 'sigrok-cli processes left running by this worker').toEqual([]);
}

/** Polls (bounded) until this worker has a sigrok-cli capturing (not a scan), and returns its pid. */
export async function waitForCapturingSigrok(timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout } = await execa('pgrep', ['-P', String(process.pid), '-f', '^sigrok-cli .* -O binary$'], { reject: false });
    const [pid] = stdout.split('\n').filter(Boolean).map(Number);
    if (pid !== undefined) return pid;
    if (Date.now() > deadline) throw new Error(`no capturing sigrok-cli appeared within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Bytes a process has written so far (to its stdout pipe, for a capturing sigrok-cli), from /proc. */
export async function bytesWritten(pid: number): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  return Number(/^wchar: (\d+)$/m.exec(io)![1]);
}

/** Polls (bounded) until `check` holds. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The first tick at which every condition of a sigrok trigger (e.g. D4: 'r', D5: '0') holds. */
export function firstMatch(waveform: Waveform, when: Record<string, '0' | '1' | 'r' | 'f'>): number | undefined {
  const channels = Object.entries(when).map(([name, match]) => ({ ch: waveform.channels.find((c) => c.name === name)!, match }));
  for (let tick = 1; tick < waveform.length; tick++) {
    const holds = channels.every(({ ch, match }) => {
      const now = levelAt(ch, tick);
      const before = levelAt(ch, tick - 1);
      if (match === 'r') return before === 0 && now === 1;
      if (match === 'f') return before === 1 && now === 0;
      return now === Number(match);
    });
    if (holds) return tick;
  }
  return undefined;
}
