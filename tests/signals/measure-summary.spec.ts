import { test, expect } from '@playwright/test';
import { channelSummary } from '../../harness/signals/measure-summary.js';
import { periods, pulses } from '../../harness/signals/measure.js';
import { NANOSECONDS } from '../../harness/signals/waveform.js';
import { kiloHertz, squareEdges, wave } from './waves.js';

test('summarises a square wave with the same figures as the full measurements', () => {
  const w = kiloHertz(24_000_000);
  expect(channelSummary(w, 'D0')).toEqual({
    name: 'D0',
    edges: 20,
    initial: 0,
    frequency: 1000,
    dutyCycle: 0.5,
    pulseWidth: { min: 0.0005, max: 0.0005 },
  });
});

test('agrees with periods() and pulses() on an irregular signal', () => {
  const w = wave(NANOSECONDS, 10_000, { D0: [1, [500, 1000, 1300, 2000, 2900, 3000, 3100]] });
  const summary = channelSummary(w, 'D0');
  const all = pulses(w, 'D0', { level: 'any' });
  const p = periods(w, 'D0');
  expect(summary.pulseWidth).toEqual({ min: all.min, max: all.max });
  expect(summary.frequency).toBeCloseTo(1 / p.mean, 6);
  expect(summary.dutyCycle).toBeCloseTo(p.dutyCycle.mean, 12);
});

test('leaves out what a channel has too few edges for', () => {
  expect(channelSummary(wave(1000, 10, { D0: [1, []] }), 'D0')).toEqual({ name: 'D0', edges: 0, initial: 1 });
  expect(channelSummary(wave(1000, 10, { D0: [0, [3, 5]] }), 'D0')).toEqual({ name: 'D0', edges: 2, initial: 0, pulseWidth: { min: 0.002, max: 0.002 } });
});

test('handles a million edges in one pass', () => {
  const edges = Float64Array.from(squareEdges({ period: 10, high: 3, periods: 500_000, first: 10 }));
  const w = wave(NANOSECONDS, 5_000_100, { D0: [0, edges] });
  const summary = channelSummary(w, 'D0');
  expect(summary).toMatchObject({ edges: 1_000_000, pulseWidth: { min: 3e-9, max: 7e-9 } });
  expect(summary.frequency).toBeCloseTo(1e8, 0);
  expect(summary.dutyCycle).toBeCloseTo(0.3, 12);
});
