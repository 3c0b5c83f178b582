/**
 * sigrok-cli faults: missing, at a wrong path, no device, a refused option or channel, a trigger that never comes,
 * killed or frozen mid-capture, a file it cannot decode. Each a SigrokError naming the device and what to do.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { capture, decode, findDevice, INSTALL_COMMAND, scan, SigrokError, start, timing, uart } from '../../harness/instruments/sigrok/index.js';
import { InputError } from '../../harness/errors.js';
import { readSr } from '../../harness/files/sr.js';
import { bytesWritten, DEMO, INCREMENTAL, LOGIC, scratchFixtures, waitForCapturingSigrok, waitUntil, type ScratchFixtures } from '../instruments/sigrok-support.js';
import { expect, test as base } from './fixtures.js';

const test = base.extend<ScratchFixtures>(scratchFixtures);

test('no analyzer plugged in: findDevice fails saying what to check', async () => {
  const plugged = await scan({ driver: 'fx2lafw' });
  test.skip(plugged.length > 0, 'an fx2lafw analyzer is plugged in here');
  const error = await findDevice({ driver: 'fx2lafw' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  expect((error as SigrokError).message).toMatch(/^sigrok device fx2lafw: no such device found .*plugged in.*sigrok-firmware-fx2lafw.*plugdev/);
});

test('sigrok-cli missing from PATH: the error names the Debian package to install', async ({ scratch }) => {
  const empty = scratch('empty-bin');
  await mkdir(empty);
  const saved = process.env.PATH;
  process.env.PATH = empty;
  let error: unknown;
  try {
    error = await scan().catch((e: unknown) => e);
  } finally {
    process.env.PATH = saved;
  }
  expect(error).toBeInstanceOf(SigrokError);
  expect((error as Error).message).toContain('sigrok-cli is not installed (no sigrok-cli on PATH)');
  expect((error as Error).message).toContain(INSTALL_COMMAND);
  expect(INSTALL_COMMAND).toBe('apt-get install -y --no-install-recommends sigrok-cli');
});

test('a sigrok-cli path that does not exist: the capture fails naming the path and the package', async () => {
  const error = await capture({ device: DEMO, channels: ['D0'], samples: 10, binary: '/opt/nowhere/sigrok-cli' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  expect((error as Error).message).toContain('no program at /opt/nowhere/sigrok-cli');
  expect((error as Error).message).toContain(INSTALL_COMMAND);
});

test('a trigger that never matches: no samples, an error that says so; and a capture that outlasts its timeout is killed', async () => {
  // D7 of the demo's default pattern is always high: it never rises. The demo ends after its sample count anyway.
  const trigger = { when: { D7: 'r' } } as const;
  const never = await capture({ device: DEMO, channels: LOGIC, samplerate: '1MHz', samples: 1000, trigger }).catch((e: unknown) => e);
  expect(never).toBeInstanceOf(SigrokError);
  expect((never as Error).message).toMatch(/^sigrok demo \(channels D0,D1,D2,D3,D4,D5,D6,D7\): sigrok-cli sent no samples: the trigger D7=r never matched/);

  // A hardware analyzer waits for its trigger as long as it takes: the timeout bounds the wait.
  const late = await capture({ device: DEMO, channels: LOGIC, samplerate: '1MHz', samples: 100_000_000, trigger, timeoutMs: 1500 }).catch((e: unknown) => e);
  expect(late).toBeInstanceOf(SigrokError);
  expect((late as Error).message).toMatch(/^sigrok demo \(channels D0,D1,D2,D3,D4,D5,D6,D7\): the capture did not end within 1500 ms \(did the trigger D7=r ever match\?\); sigrok-cli was killed; 0 samples/);
  expect((late as SigrokError).partial?.waveform.length).toBe(0);
});

test('an option the device refuses fails with sigrok-cli\'s own message and the command line', async () => {
  // 'square' is a pattern of the demo's analog channels, not of its logic group.
  const error = await capture({ device: DEMO, channels: ['D0'], channelGroup: { name: 'Logic', config: { pattern: 'square' } }, samples: 100 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  const e = error as SigrokError;
  expect(e.where).toBe('sigrok demo (channels D0)');
  expect(e.sigrokMessage).toBe("Failed to set device option 'pattern': invalid argument.");
  expect(e.command).toEqual(['sigrok-cli', '-d', 'demo', '--channels', 'D0', '--channel-group', 'Logic', '--config', 'pattern=square', '--samples', '100', '-O', 'binary']);
});

test('an unknown channel, or a device option beside a channel group, is refused before sigrok-cli runs', async () => {
  const unknown = await capture({ device: DEMO, channels: ['D0', 'D9'], samples: 10 }).catch((e: unknown) => e);
  expect(unknown).toBeInstanceOf(InputError);
  expect((unknown as Error).message).toBe('sigrok demo (channels D0,D9): demo has no channel "D9" (it has D0 D1 D2 D3 D4 D5 D6 D7 A0 A1 A2 A3 A4)');

  const mixed = await capture({ device: DEMO, channels: ['D0'], channelGroup: INCREMENTAL, samplerate: '1MHz', samples: 10 }).catch((e: unknown) => e);
  expect((mixed as Error).message).toContain('sigrok-cli 0.7.2 applies --channel-group Logic to every --config option');

  const neither = await capture({ device: DEMO, channels: ['D0'] }).catch((e: unknown) => e);
  expect((neither as Error).message).toContain('give either samples or time');
  const fraction = await capture({ device: DEMO, channels: ['D0'], time: '1.5ms' }).catch((e: unknown) => e);
  expect((fraction as Error).message).toContain('sigrok-cli captures whole milliseconds, got 1.5ms');
});

test('sigrok-cli killed mid-capture: the error names the device, the channels and the signal, and keeps the samples', async ({ scratch }) => {
  const file = scratch('cut.sr');
  const running = capture({ device: DEMO, channels: ['D0', 'D1'], samplerate: '1MHz', time: '30s', file }).catch((e: unknown) => e);
  const pid = await waitForCapturingSigrok();
  await waitUntil('sigrok-cli writing samples', async () => (await bytesWritten(pid)) >= 10_000);
  process.kill(pid, 'SIGKILL'); // what a device unplugged mid-capture looks like from here: sigrok-cli gone
  const error = await running;
  expect(error).toBeInstanceOf(SigrokError);
  const e = error as SigrokError;
  expect(e.message).toMatch(/^sigrok demo \(channels D0,D1\): sigrok-cli died mid-capture \(killed by SIGKILL\): was the device unplugged\?; \d+ samples/);
  const kept = e.partial!;
  expect(kept.waveform.channels.map((c) => c.name)).toEqual(['D0', 'D1']);
  expect(kept.waveform.length, 'at least what sigrok-cli had written before it was killed').toBeGreaterThanOrEqual(10_000);
  expect(e.message).toContain(`${kept.waveform.length} samples`);
  expect(e.message).toContain(`kept in ${file}`);
  expect((await readSr(file)).waveform.length).toBe(kept.waveform.length);
});

test('sigrok-cli killed during a session: stop() fails naming the device and what was captured, and keeps it', async ({ scratch }) => {
  const file = scratch('cut.sr');
  const session = await start({ device: DEMO, channels: ['D0', 'D1'], samplerate: '1MHz', file });
  await waitUntil('samples flowing', () => session.samples >= 10_000);
  const seen = session.samples;
  process.kill(session.pid!, 'SIGKILL'); // as good as the analyzer being unplugged
  const error = await session.stop().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  const e = error as SigrokError;
  expect(e.where).toBe('sigrok demo (channels D0,D1)');
  expect(e.problem).toMatch(/^sigrok-cli died mid-capture \(killed by SIGKILL\): was the device unplugged\?; \d+ samples \(.+ at 1000000 Hz\) captured before it, kept in /);
  expect(e.partial!.waveform.length).toBeGreaterThanOrEqual(seen);
  expect(e.problem).toContain(`${e.partial!.waveform.length} samples`);
  expect(e.partial!.files.sr).toBe(file);
  expect((await readSr(file)).waveform.length).toBe(e.partial!.waveform.length);
});

test('sigrok-cli that does not react to stop (SIGSTOPped) is interrupted, then killed, within bounds; the samples stay', async () => {
  const session = await start({ device: DEMO, channels: ['D0', 'D1'], samplerate: '1MHz', stopTimeoutMs: 300 });
  await waitUntil('samples flowing', () => session.samples >= 10_000);
  process.kill(session.pid!, 'SIGSTOP'); // it can read neither its stdin nor a SIGINT now; only SIGKILL ends it
  const seen = session.samples;
  const error = await session.stop().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  const e = error as SigrokError;
  expect(e.problem).toMatch(/^sigrok-cli did not stop when asked and was killed with SIGKILL; \d+ samples/);
  expect(e.partial!.waveform.length).toBeGreaterThanOrEqual(seen);
});

test('a session the device refuses to start fails with sigrok-cli\'s message and leaves no process', async () => {
  const error = await start({ device: DEMO, channels: ['D0'], channelGroup: { name: 'Logic', config: { pattern: 'square' } } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  expect((error as SigrokError).sigrokMessage).toBe("Failed to set device option 'pattern': invalid argument.");
});

test('a file that is not a capture, a missing file, a missing sigrok-cli: each fails saying so', async ({ scratch }) => {
  const notCapture = scratch('notes.sr');
  await writeFile(notCapture, 'these are not samples\n');
  const error = await uart(notCapture, { channel: 'D0', baudrate: 9600 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  expect((error as SigrokError).where).toBe(`${notCapture} (decoder uart:rx=D0:baudrate=9600:format=hex)`);
  expect((error as SigrokError).problem).toBe('sigrok-cli failed (exit status 1)');
  expect((error as SigrokError).sigrokMessage).toBe('Error: no input module found for this file.');

  const missing = await timing(scratch('absent.sr'), { channel: 'D0' }).catch((e: unknown) => e);
  expect((missing as SigrokError).sigrokMessage).toContain('No such file or directory');

  const noBinary = await decode(notCapture, { id: 'uart', channels: { rx: 'D0' } }, 'uart=rx-data', { binary: '/opt/nowhere/sigrok-cli' }).catch((e: unknown) => e);
  expect((noBinary as Error).message).toContain(INSTALL_COMMAND);
});
