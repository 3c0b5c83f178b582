import { test, expect } from './fixtures.js';
import { runFaults, type ReportedTest } from './runs/run-faults.js';

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

test('a worker that crashes leaves no QEMU behind (the fixture checks every process the run started)', async () => {
  const { tests } = await runFaults('worker-crash.fault.ts');
  expect(tests[0]!.status).not.toBe('passed');
  expect(tests[0]!.error).toMatch(/worker process exited unexpectedly/);
});

test('a machine that cannot start is an infrastructure failure, not a scenario result', async () => {
  const { tests } = await runFaults('infrastructure.fault.ts', { env: { PINRIG_QEMU: '/nonexistent/qemu-system-aarch64' } });
  expect(tests[0]!.status).toBe('failed');
  expect(tests[0]!.error).toMatch(/^Error: infrastructure failure: qemu-raspi3b did not come up/);
  expect(tests[0]!.annotations.map((a) => a.type)).toContain('infrastructure failure');
});
