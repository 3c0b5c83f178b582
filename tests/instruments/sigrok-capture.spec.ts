/**
 * Fixed-length captures from sigrok's demo device, whose patterns are known: by samples, by time, with a trigger,
 * and the ways a capture fails (a refused option, an unknown channel, a trigger that never comes, sigrok-cli killed).
 */
import { expect } from '@playwright/test';
import { readSr } from '../../harness/files/sr.js';
import { capture, inspect, SigrokError } from '../../harness/instruments/sigrok/index.js';
import { InputError } from '../../harness/errors.js';
import { periods } from '../../harness/signals/measure.js';
import { expectSameWaveform } from '../files/support.js';
import { bytesWritten, DEMO, expectNoSigrokLeft, firstMatch, INCREMENTAL, LOGIC, test, waitForCapturingSigrok, waitUntil } from './sigrok-support.js';

test.afterEach(expectNoSigrokLeft);

test('by samples: the incremental pattern gives square waves of period 2, 4, 8, 16 samples on D0..D3', async () => {
  const c = await capture({ device: DEMO, channels: ['D0', 'D1', 'D2', 'D3'], channelGroup: INCREMENTAL, samples: 1000 });
  expect(c.source).toEqual({ instrument: 'sigrok:demo', samplerate: 200_000 }); // the demo's rate, asked with --get
  expect(c.waveform.rate).toBe(200_000);
  expect(c.waveform.length).toBe(1000);
  expect(c.waveform.channels.map((ch) => ch.name)).toEqual(['D0', 'D1', 'D2', 'D3']);
  ['D0', 'D1', 'D2', 'D3'].forEach((name, n) => {
    const stats = periods(c.waveform, name);
    expect(stats.count, name).toBeGreaterThan(10);
    expect(new Set(stats.periods.map((p) => p.periodTicks)), `${name} periods in samples`).toEqual(new Set([2 ** (n + 1)]));
    expect(new Set(stats.periods.map((p) => p.dutyCycle)), `${name} duty cycle`).toEqual(new Set([0.5]));
  });
  // D3 at 200 kHz: 16 samples is 80 us.
  expect(periods(c.waveform, 'D3').mean).toBeCloseTo(80e-6, 12);
});

test('by time: 50 ms at 1 MHz is 50000 samples, the same as asking for 50000 samples, and sigrok-cli reads the .sr back', async ({ scratch }) => {
  const file = scratch('demo.sr');
  const byTime = await capture({ device: DEMO, channels: LOGIC, samplerate: '1MHz', time: '50ms', file, pins: { D0: 'GPIO17' } });
  expect(byTime.waveform.length).toBe(50_000);
  expect(byTime.files).toEqual({ sr: file });
  expect(byTime.pins).toEqual({ D0: 'GPIO17' });
  const bySamples = await capture({ device: DEMO, channels: LOGIC, samplerate: 1e6, samples: 50_000 });
  expect(byTime.waveform.channels.reduce((n, ch) => n + ch.edges.length, 0), 'the sigrok pattern has edges').toBeGreaterThan(10_000);
  expectSameWaveform(byTime.waveform, bySamples.waveform);

  // Written after the capture with pinrig's writer: sigrok-cli and pinrig's reader agree on what is in it.
  expect(await inspect(file)).toEqual({ samplerate: 1_000_000, logicSamples: 50_000, channels: LOGIC.map((name) => ({ name, type: 'logic' })) });
  expectSameWaveform((await readSr(file)).waveform, byTime.waveform);
});

test('with a trigger: the trigger condition first holds at captureratio percent of the capture', async () => {
  const when = { D4: 'r', D5: '0', D6: '1' } as const;
  const c = await capture({ device: DEMO, channels: LOGIC, samplerate: '1MHz', samples: 200, trigger: { when, captureratio: 10 } });
  expect(c.source.trigger).toBe('D4=r,D5=0,D6=1');
  // 10% of 200 samples come before the trigger; the pattern first matches 43 samples in, so all 20 are available.
  expect(firstMatch(c.waveform, when)).toBe(20);
  expect(c.waveform.channels[4]!.edges).toContain(20);
  // libsigrok's demo counts the 23 samples it dropped before the trigger against --samples.
  expect(c.waveform.length).toBe(177);

  const other = await capture({ device: DEMO, channels: LOGIC, samplerate: '1MHz', samples: 400, trigger: { when, captureratio: 8 } });
  expect(firstMatch(other.waveform, when)).toBe(32);
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
