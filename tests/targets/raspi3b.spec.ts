import { test, expect } from '../../fixtures/index.js';

// Under icount a sleeping guest skips ahead in virtual time; a busy loop is what hangs it, and the wall clock bounds it.
test('a guest command that hangs times out in wall-clock time with the last console lines, and the guest answers after', async ({ target }) => {
  await target.shell.check('echo before-the-hang');
  const error = await target.shell.run('while :; do :; done', { timeoutMs: 1000 }).catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(/`while :; do :; done` did not finish within 1000 ms of wall-clock time \(the shell was interrupted and answers again\)/);
  expect((error as Error).message).toMatch(/last console lines[\s\S]*before-the-hang/);
  expect((await target.shell.run('echo alive')).output).toBe('alive\n');
  await target.health();
});

test('a command that floods the console is cut at the bound and reported; the run continues', async ({ target }) => {
  const result = await target.shell.run("head -c 200000 /dev/zero | tr '\\0' x", { maxOutput: 8192, timeoutMs: 60_000 });
  expect(result.status).toBe(0);
  expect(result.output.length).toBe(8192);
  expect(result.truncated).toBe(200_000 - 8192);
  expect((await target.shell.run('echo next')).output).toBe('next\n');
});

test('an endless flood is interrupted at the timeout and the guest answers after', async ({ target }) => {
  const error = await target.shell.run('yes flood', { maxOutput: 4096, timeoutMs: 1500 }).catch((e: Error) => e);
  expect((error as Error).message).toMatch(/`yes flood` did not finish within 1500 ms of wall-clock time \(the shell was interrupted and answers again\)/);
  expect((await target.shell.run('echo calm')).output).toBe('calm\n');
});

test('pins resolve by BCM name, line number and header pin; an unknown pin names the board', async ({ target }) => {
  expect(target.pin('GPIO17')).toMatchObject({ line: 17, header: 11 });
  expect(target.pin(17).name).toBe('GPIO17');
  expect(target.pin('pin 11').name).toBe('GPIO17');
  expect(() => target.pin('GPIO99')).toThrow(/board rpi3b: no pin "GPIO99"/);
  expect(await target.sysfsNumber('GPIO17')).toBe(458 + 17);
});

// With echo off busybox reads with stdio: a background job ending while the shell waited used to end the shell, and
// then (with ignoreeof) left an error on its stdin that broke every applet forked after it.
test('a background job that ends while the shell waits leaves the shell and its pipelines working', async ({ target }) => {
  const shellPid = (await target.shell.check('echo $$')).trim();
  await target.shell.check('sleep 0.3 &');
  await target.elapse(800); // the job ends while the shell waits for its next line
  expect((await target.shell.check('echo $$')).trim()).toBe(shellPid);
  expect(await target.shell.check('echo abc | head -c 2')).toBe('ab');
});
