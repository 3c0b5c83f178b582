/**
 * Captures around a scenario step: start() before it, stop() after it, with sigrok-cli --continuous on the demo
 * device; and the same through SigrokAnalyzer, the adapter to a target's Recording.
 */
import { expect } from '@playwright/test';
import { capture, SigrokAnalyzer, start } from '../../harness/instruments/sigrok/index.js';
import type { Recording } from '../../harness/targets/target.js';
import { edgeIndexAt, type Waveform } from '../../harness/signals/waveform.js';
import { DEMO, expectNoSigrokLeft, isAlive, test } from './sigrok-support.js';

test.afterEach(expectNoSigrokLeft);

/** The edges of each channel before `ticks`. */
function head(waveform: Waveform, ticks: number): Record<string, number[]> {
  return Object.fromEntries(waveform.channels.map((ch) => [ch.name, Array.from(ch.edges.slice(0, edgeIndexAt(ch.edges, ticks)))]));
}

test('start, a setTimeout step, stop: every sample from the first one on is kept, and stop waits for sigrok-cli to exit', async () => {
  const channels = ['D0', 'D1', 'D2', 'D3'];
  const session = await start({ device: DEMO, channels, samplerate: '1MHz' });
  const pid = session.pid!;
  expect(isAlive(pid)).toBe(true);
  await new Promise((r) => setTimeout(r, 100)); // the scenario step
  const seenBeforeStop = session.samples;
  const c = await session.stop();
  expect(isAlive(pid), 'sigrok-cli has exited when stop() returns').toBe(false);
  expect(await session.stop(), 'stop() again gives the same capture').toBe(c);

  expect(c.source).toEqual({ instrument: 'sigrok:demo', samplerate: 1_000_000 });
  expect(c.waveform.channels.map((ch) => ch.name)).toEqual(channels);
  expect(seenBeforeStop).toBeGreaterThan(0);
  expect(c.waveform.length, 'the samples that came before stop() are all in the capture').toBeGreaterThanOrEqual(seenBeforeStop);
  // The demo's pattern starts over with each acquisition: the continuous capture's start is a fixed-length capture.
  const reference = await capture({ device: DEMO, channels, samplerate: '1MHz', samples: 4096 });
  const compared = Math.min(4096, c.waveform.length);
  expect(head(c.waveform, compared)).toEqual(head(reference.waveform, compared));
});

test('SigrokAnalyzer.record() is a Recording: channel names as the analyzer names them, pins as wired, no register log', async () => {
  const analyzer = new SigrokAnalyzer({ device: DEMO, samplerate: '1MHz' });
  const recording: Recording = await analyzer.record({ D0: 'GPIO17', D1: 'GPIO27' });
  const result = await recording.stop();
  expect(result.registerLog).toEqual([]);
  expect(result.capture.pins).toEqual({ D0: 'GPIO17', D1: 'GPIO27' });
  expect(result.capture.waveform.channels.map((ch) => ch.name)).toEqual(['D0', 'D1']);
  expect(result.capture.waveform.channels.reduce((n, ch) => n + ch.edges.length, 0)).toBeGreaterThan(0);
});

