import { test, expect } from '@playwright/test';
import path from 'node:path';
import { ensureGuestImage } from '../../harness/guest/image.js';
import { GUEST_PATHS } from '../../harness/guest/contents.js';
import { loadBoardProfile } from '../../harness/targets/board-profile.js';
import type { BoardTarget } from '../../harness/targets/board.js';
import { rehearseOnVirt } from '../../harness/targets/rehearsal.js';
import { GuestGpio } from '../../harness/targets/guest-gpio.js';
import { bootTarget } from '../../fixtures/targets.js';

// The board path (SSH link with a pinned host key, profile pins, analyzer wiring) against the qemu-virt guest.
const REHEARSAL = path.resolve(import.meta.dirname, '../../fixtures/boards/orin-rehearsal.yaml');

test.describe.configure({ mode: 'serial', timeout: 120_000 });

let board: BoardTarget;
test.beforeAll(async () => {
  board = await rehearseOnVirt(loadBoardProfile(REHEARSAL), await ensureGuestImage({ progress: () => {} }), 'board under test');
});
test.afterAll(async () => {
  await board?.close();
});

test('pins by pad and header name; sysfs numbers from the guest\'s gpiochip base', async () => {
  expect(board.pin('pin 16').name).toBe('PBB.01');
  expect(await board.sysfsNumber('PBB.01')).toBe((await board.sysfsNumber('PN.01')) + 1);
  expect((await board.shell.check('gpiodetect')).trim()).toMatch(/9030000\.pl061\] \(8 lines\)/);
});

test('the GPIO verbs over SSH: pads claimed by name and header pin, set and read back, all released', async () => {
  const gpio = new GuestGpio(board);
  const [pn, pbb] = [await gpio.output('PN.01'), await gpio.output('pin 16', 1)];
  expect(await pbb.get()).toBe(1);
  await pn.set(1);
  expect(await pn.get()).toBe(1);
  await pn.pulse('20ms', { level: 0 });
  expect(await pn.get()).toBe(1);
  const exported = `ls -d /sys/class/gpio/gpio${await board.sysfsNumber('PN.01')} /sys/class/gpio/gpio${await board.sysfsNumber('PBB.01')} 2>/dev/null | wc -l`;
  expect((await board.shell.check(exported)).trim()).toBe('2');
  await gpio.releaseAll();
  expect((await board.shell.check(exported)).trim()).toBe('0');
});

test('a pin the analyzer is not wired to is refused, naming the wiring', async () => {
  await expect(board.record(['PH.00'])).rejects.toThrow(/PH\.00 is not wired to the analyzer \(wired: D0 → PN\.01 \(pin 15\), D1 → PBB\.01 \(pin 16\)\)/);
  await expect(board.drive('PN.01')).rejects.toThrow(/cannot drive PN\.01 from outside/);
});

test('a failing command names itself and its status; stdout and stderr arrive apart', async () => {
  await expect(board.shell.check('ls /no/such/pin')).rejects.toThrow(/`ls \/no\/such\/pin` exited with status 1: ls: \/no\/such\/pin: No such file or directory/);
  expect(board.consoleLog()).toContain('No such file or directory');
  const result = await board.ssh!.run('echo out; echo err >&2');
  expect([result.stdout, result.stderr]).toEqual(['out\n', 'err\n']);
});

test('the SSH server goes away mid-command and comes back: the command fails naming the drop, the next one reconnects', async () => {
  const ssh = board.ssh!;
  const before = ssh.reconnects;
  // Restart the guest's SSH server a second after killing it, as a board that reboots its network would.
  const restart = `/usr/sbin/dropbear -r /${GUEST_PATHS.hostKey} -s -p 22`;
  const drop = board.shell.run(`setsid sh -c 'sleep 1; ${restart}' </dev/null >/dev/null 2>&1 & sleep 0.3; kill $(pidof dropbear); sleep 5`, { timeoutMs: 20_000 });
  await expect(drop).rejects.toThrow(/console closed while `setsid sh -c .*` ran/);
  expect((await board.shell.check('echo back')).trim()).toBe('back');
  expect(ssh.reconnects).toBe(before + 1);
});

test('a host key that is not the pinned one is refused, showing both fingerprints', async () => {
  const profile = loadBoardProfile(REHEARSAL);
  const image = await ensureGuestImage({ progress: () => {} });
  const { BoardTarget } = await import('../../harness/targets/board.js');
  const wrong = 'SHA256:' + 'A'.repeat(43);
  const { port } = board.ssh!.target;
  await expect(BoardTarget.connect(profile, { ssh: { host: '127.0.0.1', port, user: 'root', privateKey: image.ssh.privateKey, hostKey: wrong } }))
    .rejects.toThrow(new RegExp(`${wrong.replace('+', '\\+')}[\\s\\S]*${image.ssh.hostKeyFingerprint.replace(/[+/]/g, '\\$&')}`));
});

test('a board records through sigrok per its wiring (the demo device standing in for the USB analyzer)', async () => {
  const rehearsal = loadBoardProfile(REHEARSAL);
  const profile = { ...rehearsal, analyzer: { driver: 'demo', samplerate: '1MHz', channels: { D0: 'pin 15', D1: 'pin 16' } } };
  const { BoardTarget } = await import('../../harness/targets/board.js');
  const { sigrokBoardAnalyzer } = await import('../../harness/targets/board-analyzer.js');
  const image = await ensureGuestImage({ progress: () => {} });
  const { port } = board.ssh!.target;
  const withSigrok = await BoardTarget.connect(profile, {
    ssh: { host: '127.0.0.1', port, user: 'root', privateKey: image.ssh.privateKey, hostKey: image.ssh.hostKeyFingerprint },
    analyzer: sigrokBoardAnalyzer(profile.analyzer, 'test profile'),
  });
  try {
    const recording = await withSigrok.record(['PN.01', 'PBB.01']);
    await withSigrok.shell.check('sleep 0.2');
    const { capture } = await recording.stop();
    expect(capture.source.instrument).toBe('sigrok:demo');
    expect(capture.pins).toEqual({ D0: 'PN.01', D1: 'PBB.01' });
    expect(capture.waveform.length).toBeGreaterThan(100_000); // 0.2 s and more at 1 MHz
    expect(capture.waveform.channels.map((c) => c.edges.length).every((n) => n > 0)).toBe(true);
  } finally {
    await withSigrok.close();
  }
});

test('a board project without its profile variable fails at once, naming the variable', async () => {
  const saved = process.env.PINRIG_RPI_PROFILE;
  delete process.env.PINRIG_RPI_PROFILE;
  try {
    await expect(bootTarget('rpi')).rejects.toThrow(/the rpi target needs a board profile: set PINRIG_RPI_PROFILE to its path/);
  } finally {
    if (saved !== undefined) process.env.PINRIG_RPI_PROFILE = saved;
  }
});
