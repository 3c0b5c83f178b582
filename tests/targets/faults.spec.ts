import { test, expect } from '@playwright/test';
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

interface ReportedTest {
  title: string;
  status: string;
  error?: string;
  steps: string[];
  annotations: Array<{ type: string; description?: string }>;
  attachments: string[];
}

const CONFIG = path.join(import.meta.dirname, 'faults', 'faults.config.ts');

/** Runs fault scenarios in a Playwright run of their own and returns what its JSON report says of each test. */
async function runFaults(file: string, env: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-faults-'));
  try {
    const run = await execa('npx', ['playwright', 'test', '-c', CONFIG, file], {
      env: { ...env, PINRIG_FAULT_REPORT: path.join(dir, 'report.json'), PINRIG_FAULT_OUTPUT: path.join(dir, 'out') },
      reject: false,
      timeout: 120_000,
      stdin: 'ignore',
    });
    const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'));
    const tests: ReportedTest[] = [];
    const walk = (suite: any) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests) {
          const result = t.results[t.results.length - 1];
          tests.push({
            title: spec.title,
            status: result.status,
            error: result.error?.message,
            steps: (result.steps ?? []).map((s: any) => s.title),
            annotations: [...(t.annotations ?? []), ...(result.annotations ?? [])],
            attachments: (result.attachments ?? []).map((a: any) => a.name),
          });
        }
      }
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of report.suites) walk(suite);
    return { exitCode: run.exitCode, tests };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function qemuPids(): Promise<number[]> {
  const { stdout } = await execa('pgrep', ['-f', 'pinrig-qemu-'], { reject: false });
  return stdout.split('\n').filter(Boolean).map(Number);
}

test.describe.configure({ timeout: 180_000 });

test('QEMU killed in a step fails that test naming the exit status and the step; the next test gets a fresh guest', async () => {
  const { exitCode, tests } = await runFaults('qemu-killed.fault.ts');
  expect(exitCode).toBe(1);
  const [killed, next] = tests;
  expect(killed!.status).toBe('failed');
  expect(killed!.error).toMatch(/console closed while `while true; do echo 1 > \/sys\/class\/gpio\/gpio\d+\/value; echo 0 > .*; done` ran: qemu-system-aarch64 killed by SIGKILL/);
  expect(killed!.steps).toContain('toggle GPIO17 while QEMU dies');
  // The recording could not be stopped (its machine is gone): what it had is kept, and why is noted.
  expect(killed!.attachments).toEqual(expect.arrayContaining(['dying-unfinished.sr', 'dying-unfinished.vcd', 'dying-unfinished.svg', 'dying-unfinished.registers.txt']));
  expect(killed!.annotations.find((a) => a.type === 'unfinished capture')?.description).toMatch(/^dying: could not be stopped \(.+\); kept what was recorded up to the last change$/);
  expect(next!.status).toBe('passed');
  const pid = (t: ReportedTest) => t.annotations.find((a) => a.type === 'qemu pid')?.description;
  expect(pid(next!)).toBeDefined();
  expect(pid(next!)).not.toBe(pid(killed!));
});

test('a guest kernel panic ends the step at once, naming the panic line; the next test gets a fresh guest', async () => {
  const { tests } = await runFaults('kernel-panic.fault.ts');
  const [panicked, next] = tests;
  expect(panicked!.status).toBe('failed');
  expect(panicked!.error).toMatch(/console closed while `echo c > \/proc\/sysrq-trigger` ran: qemu-system-aarch64 was stopped: the guest kernel panicked: Kernel panic - not syncing: sysrq triggered crash/);
  expect(next!.status).toBe('passed');
  const pid = (t: ReportedTest) => t.annotations.find((a) => a.type === 'qemu pid')?.description;
  expect(pid(next!)).not.toBe(pid(panicked!));
});

test('a worker that crashes leaves no QEMU behind', async () => {
  const before = await qemuPids();
  const { tests } = await runFaults('worker-crash.fault.ts');
  expect(tests[0]!.status).not.toBe('passed');
  await expect.poll(async () => (await qemuPids()).filter((p) => !before.includes(p)), { timeout: 10_000 }).toEqual([]);
});

test('a machine that cannot start is an infrastructure failure, not a scenario result', async () => {
  const { tests } = await runFaults('infrastructure.fault.ts', { PINRIG_QEMU: '/nonexistent/qemu-system-aarch64' });
  expect(tests[0]!.status).toBe('failed');
  expect(tests[0]!.error).toMatch(/^Error: infrastructure failure: qemu-raspi3b did not come up/);
  expect(tests[0]!.annotations.map((a) => a.type)).toContain('infrastructure failure');
});
