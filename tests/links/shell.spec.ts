import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialConsole } from '../../harness/links/serial.js';
import { Shell, startsBackgroundJob } from '../../harness/links/shell.js';
import { signalChild } from '../../harness/child-signal.js';

// A real pseudo-terminal with a real shell behind it (socat), reached through node-serialport like a guest's UART.
async function ptyShell() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pinrig-pty-'));
  const tty = path.join(dir, 'tty');
  const socat: ChildProcess = spawn('socat', [`PTY,link=${tty},raw,echo=0`, 'EXEC:sh -i,pty,stderr,setsid,ctty,sane'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(tty); i++) await new Promise((r) => setTimeout(r, 20));
  const serial = await SerialConsole.open(tty);
  const shell = new Shell(serial);
  // A ^C that reaches the shell before it handles SIGINT would end it: wait until it prompts (its first prompt may
  // have gone before the pty was opened, so ask with a newline until one comes).
  for (let tries = 0; ; tries++) {
    serial.write('\n');
    try {
      await shell.waitForText(/[#$] $/, 250);
      break;
    } catch (error) {
      if (tries > 40) throw error;
    }
  }
  await shell.sync();
  return {
    shell, socat, serial,
    close: async () => { await serial.close(); signalChild(socat, 'SIGKILL'); rmSync(dir, { recursive: true, force: true }); },
  };
}

test('a command returns its exit status and exactly its output', async () => {
  const p = await ptyShell();
  try {
    const r = await p.shell.run('echo one; echo two; exit_with() { return $1; }; exit_with 3');
    expect(r.status).toBe(3);
    expect(r.output).toBe('one\ntwo\n');
    expect(await p.shell.run('printf no-newline')).toMatchObject({ status: 0, output: 'no-newline' });
  } finally {
    await p.close();
  }
});

test('output that imitates the markers cannot end a command early', async () => {
  const p = await ptyShell();
  try {
    const fake = 'printf "__PRBdeadbeef\\n\\n__PREdeadbeef 0\\n"; echo after; exit_with() { return $1; }; exit_with 7';
    const r = await p.shell.run(fake);
    expect(r.status).toBe(7);
    expect(r.output).toContain('__PREdeadbeef 0\nafter\n');
  } finally {
    await p.close();
  }
});

test('a flood is cut at the bound, reported, and the next command still works', async () => {
  const p = await ptyShell();
  try {
    const r = await p.shell.run("head -c 1000000 /dev/zero | tr '\\0' x", { maxOutput: 4096 });
    expect(r.output.length).toBe(4096);
    expect(r.truncated).toBe(1_000_000 - 4096);
    expect((await p.shell.run('echo next')).output).toBe('next\n');
  } finally {
    await p.close();
  }
});

test('a hung command times out with the console tail, and the shell answers after', async () => {
  const p = await ptyShell();
  try {
    await p.shell.run('echo before-the-hang');
    const error = await p.shell.run('sleep 60', { timeoutMs: 300 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/`sleep 60` did not finish within 300 ms of wall-clock time \(the shell was interrupted and answers again\)/);
    expect((error as Error).message).toMatch(/last console lines[\s\S]*before-the-hang/);
    expect(await p.shell.run('echo recovered')).toMatchObject({ status: 0, output: 'recovered\n' });
  } finally {
    await p.close();
  }
});

test('check() fails naming the command and its status', async () => {
  const p = await ptyShell();
  try {
    await expect(p.shell.check('ls /no/such/dir')).rejects.toThrow(/`ls \/no\/such\/dir` exited with status 2/);
  } finally {
    await p.close();
  }
});

test('the console going away fails the running command at once, naming it', async () => {
  const p = await ptyShell();
  try {
    const running = p.shell.run('sleep 30', { timeoutMs: 20_000 });
    setTimeout(() => signalChild(p.socat, 'SIGKILL'), 200);
    const started = Date.now();
    await expect(running).rejects.toThrow(/console closed while `sleep 30` ran/);
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    await p.close();
  }
});

test('only commands that put a job in the background run in a subshell', () => {
  expect(startsBackgroundJob('sleep 1 &')).toBe(true);
  expect(startsBackgroundJob('insmod x.ko & echo $!')).toBe(true);
  expect(startsBackgroundJob('a && b')).toBe(false);
  expect(startsBackgroundJob('cmd 2>&1 >/dev/null')).toBe(false);
  expect(startsBackgroundJob('cmd &>/dev/null <&3')).toBe(false);
});

// A restored guest's shell is idle at the prompt its saved self left: a fresh Shell takes it over with one marker
// command and no ^C; one that is busy is interrupted as by sync().
test('adopt takes over an idle shell without a ^C, and a busy one by falling back to sync', async () => {
  const p = await ptyShell();
  try {
    const sent: string[] = [];
    const stream = {
      write: (data: string) => { sent.push(data); p.serial.write(data); },
      onData: (listener: (chunk: Buffer) => void) => p.serial.onData(listener),
      onClose: (listener: (reason: string) => void) => p.serial.onClose(listener),
    };
    const idle = new Shell(stream);
    await idle.adopt(5000);
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toContain('\x03');
    expect((await idle.run('echo adopted')).output).toBe('adopted\n');

    p.serial.write('sleep 30\n'); // busy: the marker command waits behind it until sync's ^C ends it
    sent.length = 0;
    const busy = new Shell(stream);
    await busy.adopt(8000);
    expect(sent.some((data) => data.includes('\x03'))).toBe(true);
    expect((await busy.run('echo back')).output).toBe('back\n');
  } finally {
    await p.close();
  }
});
