/**
 * Fixed-length captures from sigrok's demo device, whose patterns are known: by samples, by time, with a trigger,
 * and the ways a capture fails (a refused option, an unknown channel, a trigger that never comes, sigrok-cli killed).
 */
import { expect } from '@playwright/test';
import { readSr } from '../../harness/files/sr.js';
import { capture, inspect } from '../../harness/instruments/sigrok/index.js';
import { periods } from '../../harness/signals/measure.js';
import { expectSameWaveform } from '../files/support.js';
import { DEMO, expectNoSigrokLeft, firstMatch, INCREMENTAL, LOGIC, test } from './sigrok-support.js';

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

