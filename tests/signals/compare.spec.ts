import { test, expect } from '@playwright/test';
import { compareWaveforms } from '../../harness/signals/compare.js';
import { NANOSECONDS } from '../../harness/signals/waveform.js';
import { kiloHertz, squareEdges, wave } from './waves.js';

const MHZ24 = 24_000_000;
const US = 1000; // ticks at 1 GHz

/** The 1 kHz square wave of kiloHertz() at 1 GHz with edge `index` moved by `shift` ticks. */
function shifted(index: number, shift: number) {
  const edges = squareEdges({ period: 1e6, high: 5e5, periods: 10, first: 5e5 });
  edges[index]! += shift;
  return wave(NANOSECONDS, 11e6, { D0: [0, edges] });
}

test('the same signal on two timebases matches exactly', () => {
  const result = compareWaveforms(kiloHertz(MHZ24), kiloHertz(NANOSECONDS));
  expect(result.ok).toBe(true);
  expect(result.firstDifference).toBeUndefined();
  expect(result.channels).toEqual([{ name: 'D0', ok: true, expectedEdges: 20, seenEdges: 20, worstDeviation: 0 }]);
  expect(result.message).toBe('D0: 20 edges as expected (all on time)');
});

test('a late edge: where, which edge, expected and seen times', () => {
  const result = compareWaveforms(shifted(3, 130 * US), kiloHertz(NANOSECONDS), { tolerance: '50us' });
  expect(result.ok).toBe(false);
  expect(result.message).toBe('D0: edge 4 (falling) expected at 2ms ±50us, seen at 2.13ms (130us late)');
  expect(result.firstDifference).toMatchObject({ channel: 'D0', kind: 'edge-time', edge: 3, direction: 'falling', expected: 0.002, seen: 0.00213, at: 0.002 });
  expect(result.firstDifference!.allowed).toBeCloseTo(50e-6, 15);
});

test('an early edge, found against a 24 MHz prediction', () => {
  const result = compareWaveforms(shifted(6, -80 * US), kiloHertz(MHZ24), { tolerance: '50us' });
  expect(result.message).toBe('D0: edge 7 (rising) expected at 3.5ms ±50us, seen at 3.42ms (80us early)');
  expect(result.firstDifference?.at).toBe(0.00342);
});

test('a deviation equal to the tolerance passes; within tolerance the worst deviation is reported', () => {
  const result = compareWaveforms(shifted(3, 50 * US), kiloHertz(NANOSECONDS), { tolerance: '50us' });
  expect(result.ok).toBe(true);
  expect(result.message).toBe('D0: 20 edges as expected (worst 50us late)');
  expect(compareWaveforms(shifted(3, 50 * US + 1), kiloHertz(NANOSECONDS), { tolerance: '50us' }).ok).toBe(false);
});

test('a relative tolerance is a share of the predicted interval before the edge', () => {
  // The interval before edge 4 is 500us: 2% of it is 10us.
  expect(compareWaveforms(shifted(3, 10 * US), kiloHertz(NANOSECONDS), { tolerance: '2%' }).ok).toBe(true);
  const result = compareWaveforms(shifted(3, 11 * US), kiloHertz(NANOSECONDS), { tolerance: '2%' });
  expect(result.message).toBe('D0: edge 4 (falling) expected at 2ms ±10us (2% of 500us), seen at 2.011ms (11us late)');
  const both = compareWaveforms(shifted(3, 70 * US), kiloHertz(NANOSECONDS), { tolerance: { absolute: '50us', relative: '2%' } });
  expect(both.message).toBe('D0: edge 4 (falling) expected at 2ms ±60us (50us + 2% of 500us), seen at 2.07ms (70us late)');
});

test('a missing edge at the end', () => {
  const predicted = wave(1000, 12, { GPIO17: [0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] });
  const observed = wave(1000, 12, { GPIO17: [0, [1, 2, 3, 4, 5, 6, 7, 8, 9]] });
  const result = compareWaveforms(observed, predicted);
  expect(result.message).toBe('GPIO17: expected 10 edges, saw 9; first missing: edge 10 (falling) at 10ms');
  expect(result.firstDifference).toMatchObject({ kind: 'missing-edge', edge: 9, direction: 'falling', at: 0.01 });
});

test('an extra edge at the end', () => {
  const predicted = wave(1000, 12, { GPIO17: [0, [1, 2, 3, 4, 5, 6, 7, 8, 9]] });
  const observed = wave(1000, 12, { GPIO17: [0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 11]] });
  const result = compareWaveforms(observed, predicted);
  expect(result.message).toBe('GPIO17: expected 9 edges, saw 10; first extra: edge 10 (falling) at 11ms');
  expect(result.firstDifference).toMatchObject({ kind: 'extra-edge', seen: 0.011 });
});

test('a wrong initial level', () => {
  const result = compareWaveforms(wave(1000, 10, { D0: [1, [5]] }), wave(1000, 10, { D0: [0, [5]] }));
  expect(result.message).toBe('D0: expected to start low, starts high');
  expect(result.firstDifference).toMatchObject({ kind: 'initial-level', at: 0 });
});

test('a missing channel', () => {
  const result = compareWaveforms(wave(1000, 10, { D0: [0, []] }), wave(1000, 10, { D0: [0, []], GPIO27: [0, [3]] }));
  expect(result.ok).toBe(false);
  expect(result.message).toBe('GPIO27: missing from the observed waveform (it has D0)');
  expect(result.channels.map((c) => c.ok)).toEqual([true, false]);
});

test('the first difference is the earliest over all channels; the message lists all, earliest first', () => {
  const predicted = wave(1000, 10, { A: [0, [2, 8]], B: [0, [1, 5]] });
  const observed = wave(1000, 10, { A: [0, [2, 9]], B: [0, [1, 6]] });
  const result = compareWaveforms(observed, predicted);
  expect(result.firstDifference).toMatchObject({ channel: 'B', edge: 1 });
  expect(result.message.split('\n')).toEqual([
    'B: edge 2 (falling) expected at 5ms, seen at 6ms (1ms late)',
    'A: edge 2 (falling) expected at 8ms, seen at 9ms (1ms late)',
  ]);
});

test('compares only the channels asked for; an unknown one or a tolerance in the wrong unit is an InputError', () => {
  const predicted = wave(1000, 10, { A: [0, [2]], B: [0, [1]] });
  const observed = wave(1000, 10, { A: [0, [2]], B: [0, [3]] });
  expect(compareWaveforms(observed, predicted, { channels: ['A'] }).ok).toBe(true);
  expect(() => compareWaveforms(observed, predicted, { channels: ['C'] })).toThrow('channel "C": not in the predicted waveform');
  expect(() => compareWaveforms(observed, predicted, { tolerance: '5kHz' })).toThrow(/comparison tolerance: tolerance "5kHz" is a frequency/);
});
