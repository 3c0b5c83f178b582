import { test } from '@playwright/test';
import { expect } from '../../fixtures/index.js';
import type { Capture } from '../../harness/signals/capture.js';
import { makeWaveform, NANOSECONDS, type Waveform } from '../../harness/signals/waveform.js';
import { kiloHertz, squareEdges, wave } from '../signals/waves.js';

const US = 1000; // ticks at 1 GHz

/** A 1 kHz, 50% square wave on analyzer channel D0, wired to GPIO17: high pulses at 0.5ms, 1.5ms, … 9.5ms. */
function capture(waveform: Waveform = kiloHertz(NANOSECONDS)): Capture {
  return { waveform, source: { instrument: 'file', samplerate: waveform.rate }, pins: { D0: 'GPIO17' }, files: {} };
}

/** The square wave of capture() with edge `index` moved by `shift` microseconds. */
function shifted(index: number, shift: number): Capture {
  const edges = squareEdges({ period: 1000 * US, high: 500 * US, periods: 10, first: 500 * US });
  edges[index]! += shift * US;
  return capture(wave(NANOSECONDS, 11_000 * US, { D0: [0, edges] }));
}

test.describe('toHavePulses', () => {
  test('passes on pulses of the width and count expected, by pin or by channel', () => {
    expect(capture()).toHavePulses('GPIO17', { width: '500us', tolerance: '2%', count: 10, level: 'high' });
    expect(kiloHertz(NANOSECONDS)).toHavePulses('D0', { width: 0.0005, count: 9, level: 'low' });
    expect(capture()).toHavePulses('GPIO17');
  });

  test('names the first pulse out of tolerance, with its time and width', () => {
    expect(() => expect(shifted(5, 120)).toHavePulses('GPIO17', { width: '500us', tolerance: '2%' })).toThrow(
      'GPIO17 (D0): pulse 3 (high) at 2.5ms is 620us wide, expected 500us ±2% (490us..510us)',
    );
    expect(() => expect(shifted(5, 120)).toHavePulses('GPIO17', { width: '500us', tolerance: '2%', level: 'low' })).toThrow(
      'GPIO17 (D0): pulse 3 (low) at 3.12ms is 380us wide, expected 500us ±2% (490us..510us)',
    );
    const pwm = wave(NANOSECONDS, 5000 * US, { PWM: [0, squareEdges({ period: 1000 * US, high: 600 * US, periods: 4, first: 500 * US })] });
    expect(() => expect(pwm).toHavePulses('PWM', { width: '500us', tolerance: '2%', level: 'low' })).toThrow(
      'PWM: pulse 1 (low) at 1.1ms is 400us wide, expected 500us ±2% (490us..510us)\n3 of 3 pulses are outside, at 1.1ms, 2.1ms, 3.1ms',
    );
  });

  test('a wrong count lists the pulses seen', () => {
    expect(() => expect(capture()).toHavePulses('GPIO17', { count: 9, window: { end: '5ms' } })).toThrow(
      // The pulse from 4.5ms ends at 5ms, outside the window [0, 5ms).
      'GPIO17 (D0): expected 9 high pulses between 0s and 5ms, saw 4 high pulses\nsaw 4 high pulses between 0s and 5ms, all 500us wide, at 500us, 1.5ms, 2.5ms, 3.5ms',
    );
    expect(() => expect(wave(1000, 10, { D0: [0, [5]] })).toHavePulses('D0')).toThrow('D0: expected high pulses, saw no high pulses');
  });

  test('.not passes where the pulses differ and fails, saying what is there, where they match', () => {
    expect(capture()).not.toHavePulses('GPIO17', { width: '1ms', tolerance: '2%' });
    expect(capture()).not.toHavePulses('GPIO17', { count: 3 });
    expect(() => expect(capture()).not.toHavePulses('GPIO17', { count: 10 })).toThrow(
      'GPIO17 (D0): expected not to have 10 high pulses, but it has 10 high pulses, all 500us wide, at 500us, 1.5ms, 2.5ms, 3.5ms, 4.5ms, 5.5ms, 6.5ms, 7.5ms, … (2 more)',
    );
  });

  test('an unknown pin or an unreadable width throws, also under .not', () => {
    expect(() => expect(capture()).not.toHavePulses('GPIO4')).toThrow('pin "GPIO4": not in this capture (it has D0 = GPIO17)');
    expect(() => expect(capture()).not.toHavePulses('GPIO17', { width: '5kHz' })).toThrow('GPIO17 pulse width: "5kHz" is a frequency, expected a time');
    expect(() => expect({ waveform: 1 } as unknown as Capture).toHavePulses('D0')).toThrow('is neither a Capture nor a Waveform');
  });
});

test.describe('toHaveFrequency', () => {
  test('passes within tolerance, as a ratio or in hertz', () => {
    expect(capture()).toHaveFrequency('GPIO17', '1kHz', { tolerance: '1%' });
    expect(capture()).toHaveFrequency('GPIO17', 1005, { tolerance: '5Hz' });
  });

  test('fails with the frequency seen and the shortest and longest period', () => {
    expect(() => expect(capture()).toHaveFrequency('GPIO17', '1.1kHz', { tolerance: '1%' })).toThrow(
      'GPIO17 (D0): frequency 1kHz, expected 1.1kHz ±1% (1.089kHz..1.111kHz)\n1kHz (9 periods, all 1ms)',
    );
    expect(() => expect(shifted(6, 100)).toHaveFrequency('GPIO17', '1.1kHz', { tolerance: '1%' })).toThrow(
      'GPIO17 (D0): frequency 1kHz, expected 1.1kHz ±1% (1.089kHz..1.111kHz)\n1kHz (9 periods; periods from 900us (period 4 at 3.6ms) to 1.1ms (period 3 at 2.5ms))',
    );
  });

  test('fails, saying why, where there is no frequency; .not passes there', () => {
    const flat = wave(1000, 10, { D0: [0, [5]] });
    expect(() => expect(flat).toHaveFrequency('D0', '1kHz')).toThrow('D0: 1 rising edge, but a frequency needs 2 (one period, rising to rising); expected 1kHz');
    expect(flat).not.toHaveFrequency('D0', '1kHz');
  });

  test('.not fails where the frequency matches; a tolerance in seconds throws', () => {
    expect(capture()).not.toHaveFrequency('GPIO17', '2kHz', { tolerance: '1%' });
    expect(() => expect(capture()).not.toHaveFrequency('GPIO17', '1kHz', { tolerance: '1%' })).toThrow(
      'GPIO17 (D0): expected a frequency outside 1kHz ±1% (990Hz..1.01kHz), but it is 1kHz (9 periods, all 1ms)',
    );
    expect(() => expect(capture()).toHaveFrequency('GPIO17', '1kHz', { tolerance: '5us' })).toThrow('tolerance "5us" is a time');
  });
});

test.describe('toHaveDutyCycle', () => {
  // High for 600 of every 1000 us.
  const pwm = wave(NANOSECONDS, 5000 * US, { PWM: [0, squareEdges({ period: 1000 * US, high: 600 * US, periods: 4, first: 500 * US })] });

  test('passes within a tolerance in percentage points', () => {
    expect(capture()).toHaveDutyCycle('GPIO17', '50%', { tolerance: '2%' });
    expect(pwm).toHaveDutyCycle('PWM', '58%', { tolerance: '2%' });
    expect(pwm).toHaveDutyCycle('PWM', 0.6);
  });

  test('fails with the mean and the range of duty cycles seen', () => {
    expect(() => expect(pwm).toHaveDutyCycle('PWM', '50%', { tolerance: '2%' })).toThrow(
      'PWM: duty cycle 60% on average, expected 50% ±2% (48%..52%)\n60% on average (3 periods, all 60%)',
    );
    // The third period is high for 900 of its 1000us.
    expect(() => expect(shifted(5, 400)).toHaveDutyCycle('GPIO17', '50%', { tolerance: '2%' })).toThrow(
      'GPIO17 (D0): duty cycle 54.4444% on average, expected 50% ±2% (48%..52%)\n54.4444% on average (9 periods; duty cycles from 50% (period 1 at 500us) to 90% (period 3 at 2.5ms))',
    );
  });

  test('.not, and a channel without a period', () => {
    expect(pwm).not.toHaveDutyCycle('PWM', '50%', { tolerance: '2%' });
    expect(() => expect(pwm).not.toHaveDutyCycle('PWM', '60%')).toThrow('PWM: expected a duty cycle outside 60%, but it is 60% on average (3 periods, all 60%)');
    expect(() => expect(wave(1000, 10, { D0: [1, []] })).toHaveDutyCycle('D0', '50%')).toThrow('D0: 0 rising edges, but a duty cycle needs 2');
  });
});

test.describe('toHaveJitterBelow', () => {
  // Periods of 1000, 1010, 990 and 1000 us: 20us peak to peak, 7.07us standard deviation.
  const rises = [1000, 2000, 3010, 4000, 5000].map((r) => r * US);
  const jittery = wave(NANOSECONDS, 6000 * US, { CLK: [0, rises.flatMap((r) => [r, r + 400 * US])] });

  test('passes below the limit, peak-to-peak or as a standard deviation', () => {
    expect(jittery).toHaveJitterBelow('CLK', '25us');
    expect(jittery).toHaveJitterBelow('CLK', '8us', { measure: 'std-dev' });
    expect(capture()).toHaveJitterBelow('GPIO17', '1ns');
  });

  test('fails with the jitter and the shortest and longest periods', () => {
    expect(() => expect(jittery).toHaveJitterBelow('CLK', '20us')).toThrow(
      'CLK: period jitter 20us peak-to-peak, expected below 20us\n20us peak-to-peak over 4 periods; periods from 990us (period 3 at 3.01ms) to 1.01ms (period 2 at 2ms)',
    );
    expect(() => expect(jittery).toHaveJitterBelow('CLK', '5us', { measure: 'std-dev' })).toThrow(/CLK: period jitter 7\.07107us std-dev, expected below 5us\n7\.07107us std-dev over 4 periods/);
  });

  test('.not, and too few periods', () => {
    expect(jittery).not.toHaveJitterBelow('CLK', '10us');
    expect(() => expect(jittery).not.toHaveJitterBelow('CLK', '1ms')).toThrow('CLK: expected period jitter of 1ms or more, but it is 20us peak-to-peak');
    const two = wave(NANOSECONDS, 3000, { CLK: [0, [1000, 1500, 2000, 2500]] });
    expect(() => expect(two).toHaveJitterBelow('CLK', '1us')).toThrow('CLK: 2 rising edges, but jitter needs 3 (2 periods, rising to rising); expected below 1us');
  });
});

test.describe('toHaveLatency', () => {
  // IN toggles at 100, 200, 300 and 400us; OUT follows after 10, 25, 40 and 30us.
  const mirror = wave(NANOSECONDS, 500 * US, {
    IN: [0, [100, 200, 300, 400].map((t) => t * US)],
    OUT: [0, [110, 225, 340, 430].map((t) => t * US)],
  });

  test('passes when every edge is answered in time, or within a tolerance of the expected latency', () => {
    expect(mirror).toHaveLatency('IN', 'OUT', { max: '50us' });
    expect(mirror).toHaveLatency('IN', 'OUT', { expected: '25us', tolerance: '15us' });
    expect(mirror).toHaveLatency('IN', 'OUT', { max: '10us', fromEdge: 'rising', toEdge: 'rising', window: { end: '150us' } });
  });

  test('fails on the first late answer, with both edges and the count of others', () => {
    expect(() => expect(mirror).toHaveLatency('IN', 'OUT', { max: '30us' })).toThrow(
      'OUT after IN: edge 3 answered after 40us, expected at most 30us\nedge 3 (rising) of IN at 300us answered after 40us (rising edge of OUT at 340us)',
    );
    expect(() => expect(mirror).toHaveLatency('IN', 'OUT', { expected: '25us', tolerance: '5us' })).toThrow(
      'OUT after IN: edge 1 answered after 10us, expected 25us ±5us (20us..30us)\nedge 1 (rising) of IN at 100us answered after 10us (rising edge of OUT at 110us) (2 of 4 edges are off)',
    );
  });

  test('fails on an edge never answered', () => {
    const lost = wave(NANOSECONDS, 500 * US, { IN: [0, [100 * US, 200 * US]], OUT: [0, [110 * US]] });
    expect(() => expect(lost).toHaveLatency('IN', 'OUT', { max: '50us' })).toThrow(
      'OUT after IN: edge 2 never answered, expected at most 50us\nedge 2 (falling) of IN at 200us was never answered (no later edge of OUT)',
    );
  });

  test('.not, nothing to measure from, and a missing expectation', () => {
    expect(mirror).not.toHaveLatency('IN', 'OUT', { max: '20us' });
    expect(() => expect(mirror).not.toHaveLatency('IN', 'OUT', { max: '1ms' })).toThrow(
      'OUT after IN: expected latency not at most 1ms, but 4 edges answered after 10us..40us (mean 26.25us)',
    );
    const quiet = wave(NANOSECONDS, 500 * US, { IN: [0, []], OUT: [0, [110 * US]] });
    expect(() => expect(quiet).toHaveLatency('IN', 'OUT', { max: '1ms', fromEdge: 'rising' })).toThrow('IN: no rising edges to measure latency from');
    expect(() => expect(mirror).toHaveLatency('IN', 'OUT', {})).toThrow('latency IN → OUT: give either { max } or { expected, tolerance }');
  });
});

test.describe('toHaveEdgeCount', () => {
  test('passes on the count, in a window and of one direction', () => {
    expect(capture()).toHaveEdgeCount('GPIO17', 20);
    expect(capture()).toHaveEdgeCount('GPIO17', 2, { window: { start: '1ms', end: '2ms' } });
    expect(capture()).toHaveEdgeCount('GPIO17', 10, { direction: 'rising' });
  });

  test('fails with the edges seen', () => {
    expect(() => expect(capture()).toHaveEdgeCount('GPIO17', 3, { window: { start: '1ms', end: '2ms' } })).toThrow(
      'GPIO17 (D0): expected 3 edges between 1ms and 2ms, saw 2\nat 1ms, 1.5ms',
    );
    expect(() => expect(wave(1000, 10, { D0: [0, []] })).toHaveEdgeCount('D0', 1, { direction: 'falling' })).toThrow('D0: expected 1 falling edge, saw none');
  });

  test('.not', () => {
    expect(capture()).not.toHaveEdgeCount('GPIO17', 19);
    expect(() => expect(capture()).not.toHaveEdgeCount('GPIO17', 20)).toThrow(
      'GPIO17 (D0): expected other than 20 edges, saw 20\nat 500us, 1ms, 1.5ms, 2ms, 2.5ms, 3ms, 3.5ms, 4ms, … (12 more)',
    );
    expect(() => expect(capture()).not.toHaveEdgeCount('GPIO17', 1, { window: { start: '2ms', end: '1ms' } })).toThrow('D0 window: ends (1ms) at or before it starts (2ms)');
  });
});

test.describe('toMatchWaveform', () => {
  const predicted = kiloHertz(24_000_000, 'GPIO17');

  test('passes on a capture whose channel is wired to the predicted pin', () => {
    expect(capture()).toMatchWaveform(predicted);
    expect(shifted(3, 40)).toMatchWaveform(predicted, { tolerance: '50us' });
  });

  test('fails with the first difference in words and times', () => {
    expect(() => expect(shifted(3, 130)).toMatchWaveform(predicted, { tolerance: '50us' })).toThrow(
      'GPIO17: edge 4 (falling) expected at 2ms ±50us, seen at 2.13ms (130us late)',
    );
    expect(() => expect(kiloHertz(NANOSECONDS)).toMatchWaveform(predicted)).toThrow('GPIO17: missing from the observed waveform (it has D0)');
  });

  test('.not', () => {
    expect(shifted(3, 130)).not.toMatchWaveform(predicted, { tolerance: '50us' });
    expect(() => expect(capture()).not.toMatchWaveform(predicted)).toThrow('expected the waveforms to differ, but they match:\nGPIO17: 20 edges as expected (all on time)');
  });
});

test('toHavePulses judged on the median: one slow pulse passes, a wrong median fails with the spread', () => {
  const widths = [100, 101, 99, 100, 122, 100, 98, 100, 101, 100]; // ms; one pulse 22% long
  let t = 10;
  const edges: number[] = [];
  for (const w of widths) {
    edges.push(t, t + w);
    t += w + 100;
  }
  const waveform = makeWaveform(1000, t + 10, [{ name: 'GPIO17', initial: 0, edges }]);
  expect(waveform).toHavePulses('GPIO17', { count: 10, width: '100ms', tolerance: '10%', judge: 'median' });
  expect(() => expect(waveform).toHavePulses('GPIO17', { count: 10, width: '100ms', tolerance: '10%' })).toThrow(/pulse 5 \(high\) at 810ms is 122ms wide/);
  expect(() => expect(waveform).toHavePulses('GPIO17', { width: '80ms', tolerance: '10%', judge: 'median' }))
    .toThrow(/GPIO17: median pulse 100ms wide, expected 80ms ±10% \(72ms\.\.88ms\)\nmedian 100ms, 98ms\.\.122ms over 10 high pulses/);
});

test('every failure\'s first line fits in 120 characters and names the channel, what was expected and what was seen', () => {
  const failures: Array<() => unknown> = [
    () => expect(shifted(5, 120)).toHavePulses('GPIO17', { width: '500us', tolerance: '2%' }),
    () => expect(capture()).toHavePulses('GPIO17', { count: 9, window: { start: '1.2345678ms', end: '8.7654321ms' } }),
    () => expect(shifted(5, 400)).toHavePulses('GPIO17', { width: '500us', tolerance: '2%', judge: 'median', count: 10, level: 'low' }),
    () => expect(shifted(6, 100)).toHaveFrequency('GPIO17', '1.1kHz', { tolerance: '1%' }),
    () => expect(shifted(5, 400)).toHaveDutyCycle('GPIO17', '50%', { tolerance: '2%' }),
    () => expect(shifted(6, 100)).toHaveJitterBelow('GPIO17', '1us'),
    () => expect(capture()).toHaveEdgeCount('GPIO17', 3, { window: { start: '1ms', end: '9ms' } }),
  ];
  for (const failure of failures) {
    let message = '';
    try {
      failure();
    } catch (error) {
      message = (error as Error).message;
    }
    const first = message.split('\n')[0]!;
    expect(first.length, first).toBeLessThan(120);
    expect(first, 'names the channel').toMatch(/^GPIO17 \(D0\): /);
    expect(first, 'says what was expected').toMatch(/expected/);
    expect(first, 'says what was seen').toMatch(/\d(us|ms|s|Hz|%|\b)/);
  }
});
