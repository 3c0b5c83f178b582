import { test, expect } from './fixtures.js';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { ConsoleLog } from '../../harness/links/console-log.js';
import { SocketConsole } from '../../harness/links/socket-console.js';
import { watchForKernelFault } from '../../harness/targets/kernel-fault-watch.js';
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

test('a guest command that hangs, floods or writes garbage and fake markers: each named, the guest answers after', async () => {
  const { tests } = await runFaults('console.fault.ts');
  const [hang, flood, garbage, after] = tests;
  expect(hang!.error).toMatch(/`while :; do :; done` did not finish within 2000 ms of wall-clock time \(the shell was interrupted and answers again\)/);
  expect(hang!.error).toMatch(/last console lines[\s\S]*before-the-hang/);
  // The flood is cut at the bound and counted; the garbage does not end the command early (the real status is 1).
  expect(flood!.error).toMatch(/characters cut[\s\S]*Expected: 0\s+Received: 391808/);
  // An error message stays short whatever the guest printed: the console tail is cut per line.
  expect(hang!.error!.length).toBeLessThan(5_000);
  expect(garbage!.error).toMatch(/Expected: 0\s+Received: 1/);
  expect(after!.status).toBe('passed');
});

test('a megabyte on one console line leaves an error message short: the tail cuts each line', () => {
  const log = new ConsoleLog();
  log.append('before\n' + 'x'.repeat(1_000_000) + '\n$ ');
  const tail = log.tail();
  expect(tail.length).toBeLessThan(1_000);
  expect(tail).toBe(`[…] ${'x'.repeat(200)}\n$ `);
});

test('a kernel oops on the console is seen when its line is complete, even split across reads; grading can leave oopses to its watchdog', async ({}, testInfo) => {
  const socketPath = testInfo.outputPath('console.sock');
  await mkdir(testInfo.outputDir, { recursive: true });
  const peers: net.Socket[] = [];
  const server = net.createServer((peer) => peers.push(peer));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const serial = await SocketConsole.connect(socketPath);
  try {
    const seen: string[] = [];
    const panicsOnly: string[] = [];
    watchForKernelFault(serial, ['panicked', 'oopsed'], (fault, line) => seen.push(`${fault}: ${line}`));
    watchForKernelFault(serial, ['panicked'], (fault, line) => panicsOnly.push(`${fault}: ${line}`));
    await expect.poll(() => peers.length).toBe(1);
    peers[0]!.write('[   12.345678] Unable to handle kernel NULL pointer dereference at virtual ');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen, 'not before the line is complete').toEqual([]);
    peers[0]!.write('address 0000000000000008\r\n[   12.345700] Internal error: Oops: 96000005 [#1] SMP\r\n');
    await expect.poll(() => seen).toEqual(['oopsed: Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008']);
    expect(panicsOnly).toEqual([]);
  } finally {
    await serial.close();
    for (const peer of peers) peer.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a restored guest that does not answer is replaced by a second restore, said in the machine note; it leaves no QEMU', async () => {
  const { tests } = await runFaults('restore-fails.fault.ts');
  const [stopper, next] = tests;
  expect(stopper!.status, stopper!.error).toBe('passed');
  expect(next!.status, next!.error).toBe('passed');
  expect(next!.annotations.find((a) => a.type === 'machine')?.description).toMatch(/^restored in \d+\.\d\d s, the second time: the first restored guest did not answer \(.*no answer within 5000 ms\)$/);
  const stopped = Number(stopper!.annotations.find((a) => a.type === 'stopped qemu')?.description);
  expect(next!.annotations.find((a) => a.type === 'qemu pid')?.description).not.toBe(String(stopped));
  expect(() => process.kill(stopped, 0), 'the stopped QEMU is gone').toThrow();
});

test('a scenario that fails midway leaves nothing to the next: each test gets a clean guest', async () => {
  const { tests } = await runFaults('clean-slate.fault.ts');
  const [failed, next] = tests;
  expect(failed!.status).toBe('failed');
  expect(next!.status, next!.error).toBe('passed');
  expect(next!.annotations.find((a) => a.type === 'machine')?.description).toMatch(/^restored in \d+\.\d\d s$/);
});
