import { test, expect } from '@playwright/test';
import { latency } from '../../harness/signals/measure-latency.js';
import { NANOSECONDS } from '../../harness/signals/waveform.js';
import { wave } from './waves.js';

const US = 1000; // ticks at 1 GHz

// IN toggles at 100, 200, 300, 400us; OUT follows 10, 25 and 40us later and misses the last one.
const mirror = wave(NANOSECONDS, 500 * US, {
  IN: [0, [100 * US, 200 * US, 300 * US, 400 * US]],
  OUT: [0, [110 * US, 225 * US, 340 * US]],
});

test('pairs each edge of `from` with the next edge of `to`, and lists the unanswered', () => {
  const l = latency(mirror, 'IN', 'OUT');
  expect(l.pairs.map((p) => [p.from.tick, p.to.tick, p.ticks])).toEqual([[100 * US, 110 * US, 10 * US], [200 * US, 225 * US, 25 * US], [300 * US, 340 * US, 40 * US]]);
  expect(l.pairs.map((p) => p.to.direction)).toEqual(['rising', 'falling', 'rising']);
  expect(l).toMatchObject({ from: 'IN', to: 'OUT', count: 3, min: 10e-6, max: 40e-6, mean: 25e-6, median: 25e-6 });
  expect(l.unanswered.map((e) => e.seconds)).toEqual([400e-6]);
});

test('a direction for `to` skips edges of the other direction', () => {
  const l = latency(mirror, 'IN', 'OUT', { toEdge: 'rising' });
  expect(l.pairs.map((p) => p.to.tick)).toEqual([110 * US, 340 * US, 340 * US]);
  expect(l.pairs.map((p) => p.seconds)).toEqual([10e-6, 140e-6, 40e-6]);
});

test('a direction for `from` picks the causes', () => {
  const l = latency(mirror, 'IN', 'OUT', { fromEdge: 'falling' });
  expect(l.pairs.map((p) => [p.from.direction, p.from.tick, p.to.tick])).toEqual([['falling', 200 * US, 225 * US]]);
  expect(l.unanswered.map((e) => e.tick)).toEqual([400 * US]);
});

test('answers later than max are no answers', () => {
  const l = latency(mirror, 'IN', 'OUT', { max: '25us' });
  expect(l.pairs.map((p) => p.from.tick)).toEqual([100 * US, 200 * US]);
  expect(l.unanswered.map((e) => e.tick)).toEqual([300 * US, 400 * US]);
});

test('an edge on both channels at the same tick is answered after 0s', () => {
  const w = wave(NANOSECONDS, 100, { A: [0, [10]], B: [1, [10]] });
  expect(latency(w, 'A', 'B').pairs.map((p) => p.seconds)).toEqual([0]);
});

test('no edges to answer gives count 0, not NaN', () => {
  const w = wave(NANOSECONDS, 100, { A: [0, []], B: [0, [5]] });
  expect(latency(w, 'A', 'B')).toEqual({ from: 'A', to: 'B', count: 0, min: 0, max: 0, mean: 0, median: 0, stdDev: 0, pairs: [], unanswered: [] });
});

test('unknown channels and a negative max are InputErrors', () => {
  expect(() => latency(mirror, 'IN', 'GPIO27')).toThrow('channel "GPIO27": not in this waveform (it has IN, OUT)');
  expect(() => latency(mirror, 'GPIO17', 'OUT')).toThrow('channel "GPIO17": not in this waveform');
  expect(() => latency(mirror, 'IN', 'OUT', { max: -1 })).toThrow('latency IN → OUT: max must not be negative, got -1');
});
