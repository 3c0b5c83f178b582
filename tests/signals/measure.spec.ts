import { test, expect } from '@playwright/test';
import { InputError } from '../../harness/errors.js';
import { dutyCycle, edgeCount, edges, frequency, glitches, jitter, periods, pulses, windowTicks } from '../../harness/signals/measure.js';
import { NANOSECONDS } from '../../harness/signals/waveform.js';
import { kiloHertz, squareEdges, wave } from './waves.js';

const MHZ24 = 24_000_000;

/** The parts of a measurement that are in seconds, so that two timebases can be compared. */
function inSeconds(w: ReturnType<typeof kiloHertz>) {
  const p = periods(w, 'D0');
  const h = pulses(w, 'D0');
  return {
    period: { count: p.count, min: p.min, max: p.max, mean: p.mean, median: p.median, stdDev: p.stdDev, dutyCycle: p.dutyCycle },
    periods: p.periods.map(({ start, end, period, high, dutyCycle }) => ({ start, end, period, high, dutyCycle })),
    pulses: h.pulses.map(({ level, start, end, width }) => ({ level, start, end, width })),
    edges: edges(w, 'D0').map(({ direction, seconds }) => ({ direction, seconds })),
    frequency: frequency(w, 'D0'),
    dutyCycle: dutyCycle(w, 'D0'),
  };
}

test.describe('edges', () => {
  test('lists each edge with its direction, tick and seconds', () => {
    const w = wave(1000, 10, { D0: [1, [2, 5, 7]] });
    expect(edges(w, 'D0')).toEqual([
      { index: 0, direction: 'falling', tick: 2, seconds: 0.002 },
      { index: 1, direction: 'rising', tick: 5, seconds: 0.005 },
      { index: 2, direction: 'falling', tick: 7, seconds: 0.007 },
    ]);
  });

  test('a window includes an edge at its start and excludes one at its end', () => {
    const w = kiloHertz(MHZ24);
    const found = edges(w, 'D0', { window: { start: '2ms', end: '4ms' } });
    expect(found.map((e) => e.tick)).toEqual([48_000, 60_000, 72_000, 84_000]);
    expect(found.map((e) => e.direction)).toEqual(['falling', 'rising', 'falling', 'rising']);
  });

  test('a window reaching past the waveform, even to infinity, holds the edges inside it', () => {
    const w = kiloHertz(NANOSECONDS);
    expect(edges(w, 'D0', { window: { start: -1, end: Number.POSITIVE_INFINITY } })).toHaveLength(20);
    expect(edgeCount(w, 'D0', { window: { start: '9.8ms', end: '1s' } })).toMatchObject({ total: 1, falling: 1, start: 0.0098, end: 0.011 });
    expect(edges(w, 'D0', { window: { start: '20ms', end: '30ms' } })).toEqual([]);
  });

  test('filters by direction', () => {
    const w = kiloHertz(NANOSECONDS);
    expect(edges(w, 'D0', { direction: 'falling' }).map((e) => e.seconds)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((ms) => ms / 1000));
  });

  test('an empty window is an InputError naming the channel and the window', () => {
    const w = kiloHertz(NANOSECONDS);
    expect(() => edges(w, 'D0', { window: { start: '3ms', end: '3ms' } })).toThrow('D0 window: ends (3ms) at or before it starts (3ms)');
    expect(() => windowTicks(w, 'D0', { start: '1 parsec' })).toThrow(/D0 window start: cannot read "1 parsec"/);
  });

  test('an unknown channel is an InputError naming it', () => {
    const w = kiloHertz(NANOSECONDS);
    expect(() => pulses(w, 'GPIO99')).toThrow(InputError);
    expect(() => pulses(w, 'GPIO99')).toThrow('channel "GPIO99": not in this waveform (it has D0)');
  });
});

test.describe('edge counts', () => {
  test('counts rising and falling edges in a window', () => {
    const w = kiloHertz(NANOSECONDS);
    expect(edgeCount(w, 'D0')).toEqual({ channel: 'D0', rising: 10, falling: 10, total: 20, start: 0, end: 0.011 });
    expect(edgeCount(w, 'D0', { window: { start: '1ms', end: '2.6ms' } })).toEqual({
      channel: 'D0', rising: 2, falling: 2, total: 4, start: 0.001, end: 0.0026,
    });
    expect(edgeCount(w, 'D0', { window: { start: '1.2ms', end: '2.6ms' } })).toMatchObject({ rising: 2, falling: 1, total: 3 });
  });

  test('a flat channel has no edges', () => {
    const w = wave(1000, 10, { D0: [1, []] });
    expect(edgeCount(w, 'D0')).toMatchObject({ rising: 0, falling: 0, total: 0 });
  });
});

test.describe('pulses', () => {
  test('complete high pulses with widths in seconds and statistics', () => {
    const w = wave(NANOSECONDS, 10_000, { D0: [0, [1000, 1500, 3000, 3600, 5000, 5800, 9000]] });
    const high = pulses(w, 'D0');
    expect(high.pulses.map((p) => [p.level, p.startTick, p.widthTicks])).toEqual([['high', 1000, 500], ['high', 3000, 600], ['high', 5000, 800]]);
    expect(high).toMatchObject({ channel: 'D0', count: 3, min: 500e-9, max: 800e-9, median: 600e-9 });
    expect(high.mean).toBeCloseTo(633.333e-9, 12);
    expect(high.stdDev).toBeCloseTo(124.722e-9, 12);
    // The last rise at 9000 is never closed: not a pulse.
    expect(pulses(w, 'D0', { level: 'low' }).pulses.map((p) => p.widthTicks)).toEqual([1500, 1400, 3200]);
    expect(pulses(w, 'D0', { level: 'any' }).count).toBe(6);
  });

  test('a window keeps only pulses with both edges inside it', () => {
    const w = kiloHertz(NANOSECONDS);
    const inside = pulses(w, 'D0', { window: { start: '0.5ms', end: '3ms' } });
    expect(inside.pulses.map((p) => p.start)).toEqual([0.0005, 0.0015]);
  });

  test('no edges or one edge give count 0 and figures 0, not NaN', () => {
    for (const edgeList of [[], [5]]) {
      const w = wave(1000, 10, { D0: [0, edgeList] });
      const stats = pulses(w, 'D0', { level: 'any' });
      expect(stats).toEqual({ channel: 'D0', count: 0, min: 0, max: 0, mean: 0, median: 0, stdDev: 0, pulses: [] });
    }
  });

  test('glitches are the pulses of either level narrower than a width', () => {
    // A 3 ns low spike inside the high pulse from 3000 to 3500.
    const edgeList = [...squareEdges({ period: 1000, high: 500, periods: 4, first: 1000 }), 3200, 3203].sort((a, b) => a - b);
    const w = wave(NANOSECONDS, 6000, { D0: [0, edgeList] });
    const found = glitches(w, 'D0', '100ns');
    expect(found.pulses.map((p) => [p.level, p.startTick, p.widthTicks])).toEqual([['low', 3200, 3]]);
    expect(glitches(kiloHertz(NANOSECONDS), 'D0', '100ns').count).toBe(0);
  });
});

test.describe('periods, frequency, duty cycle', () => {
  test('a 1 kHz 50% square wave', () => {
    const w = kiloHertz(NANOSECONDS);
    const p = periods(w, 'D0');
    expect(p).toMatchObject({ count: 9, min: 0.001, max: 0.001, mean: 0.001, median: 0.001, stdDev: 0 });
    expect(p.dutyCycle).toEqual({ count: 9, min: 0.5, max: 0.5, mean: 0.5, median: 0.5, stdDev: 0 });
    expect(frequency(w, 'D0')).toBe(1000);
    expect(dutyCycle(w, 'D0')).toBe(0.5);
  });

  test('8 MHz at 24 MHz sampling: periods of 3 ticks, 41.67 ns high, not a whole number of nanoseconds', () => {
    const w = wave(MHZ24, 100, { D0: [0, squareEdges({ period: 3, high: 1, periods: 20, first: 2 })] });
    const p = periods(w, 'D0');
    expect(p.count).toBe(19);
    expect(p.periods[0]).toMatchObject({ startTick: 2, endTick: 5, periodTicks: 3, highTicks: 1, high: 1 / MHZ24, period: 3 / MHZ24 });
    expect(p.mean * 1e9).toBeCloseTo(125, 9);
    expect(frequency(w, 'D0')).toBeCloseTo(8e6, 3);
    expect(dutyCycle(w, 'D0')).toBeCloseTo(1 / 3, 12);
    expect(pulses(w, 'D0').min * 1e9).toBeCloseTo(41.6667, 3);
  });

  test('the same signal at two timebases measures the same', () => {
    expect(inSeconds(kiloHertz(MHZ24))).toEqual(inSeconds(kiloHertz(NANOSECONDS)));
  });

  test('duty cycle per period and its mean', () => {
    // Periods of 1000 ticks, high for 200, 500 and 800.
    const w = wave(NANOSECONDS, 5000, { D0: [0, [1000, 1200, 2000, 2500, 3000, 3800, 4000]] });
    const p = periods(w, 'D0');
    expect(p.periods.map((x) => x.dutyCycle)).toEqual([0.2, 0.5, 0.8]);
    expect(p.dutyCycle).toMatchObject({ count: 3, min: 0.2, max: 0.8, median: 0.5 });
    expect(dutyCycle(w, 'D0')).toBeCloseTo(0.5, 12);
  });

  test('a channel starting high measures its periods from its first rising edge', () => {
    const w = wave(1000, 20, { D0: [1, [2, 4, 7, 9, 12, 14]] });
    expect(periods(w, 'D0').periods.map((p) => [p.startTick, p.endTick, p.highTicks])).toEqual([[4, 9, 3], [9, 14, 3]]);
    expect(frequency(w, 'D0')).toBe(200);
  });

  test('too few edges: periods are empty, a frequency or duty cycle is an InputError saying why', () => {
    const one = wave(1000, 10, { D0: [0, [5]] });
    expect(periods(one, 'D0')).toMatchObject({ count: 0, mean: 0, periods: [], dutyCycle: { count: 0, mean: 0 } });
    expect(() => frequency(one, 'D0')).toThrow('D0: 1 rising edge, but a frequency needs 2 (one period, rising to rising)');
    expect(() => dutyCycle(wave(1000, 10, { D0: [1, []] }), 'D0')).toThrow('D0: 0 rising edges, but a duty cycle needs 2');
    const w = kiloHertz(NANOSECONDS);
    expect(() => frequency(w, 'D0', { window: { start: '1ms', end: '2ms' } })).toThrow(
      'D0: 1 rising edge between 1ms and 2ms, but a frequency needs 2 (one period, rising to rising)',
    );
  });
});

test.describe('jitter', () => {
  test('standard deviation and peak-to-peak of the periods', () => {
    // Periods of 1000, 1010, 990 and 1000 ns.
    const rises = [1000, 2000, 3010, 4000, 5000];
    const edgeList = rises.flatMap((r) => [r, r + 400]);
    const w = wave(NANOSECONDS, 6000, { D0: [0, edgeList] });
    const j = jitter(w, 'D0');
    expect(j.peakToPeak).toBe(20e-9);
    expect(j.stdDev).toBeCloseTo(Math.sqrt(50) * 1e-9, 15);
    expect(j.period).toMatchObject({ count: 4, min: 990e-9, max: 1010e-9, mean: 1000e-9 });
  });

  test('needs two periods', () => {
    const w = wave(NANOSECONDS, 6000, { D0: [0, [1000, 1400, 2000, 2400]] });
    expect(() => jitter(w, 'D0')).toThrow('D0: 2 rising edges, but jitter needs 3 (2 periods, rising to rising)');
  });
});
