/**
 * Captures around a scenario step: start() before it, stop() after it, with sigrok-cli --continuous on the demo
 * device; and the same through SigrokAnalyzer, the adapter to a target's Recording.
 */
import { expect } from '@playwright/test';
import { readSr } from '../../harness/files/sr.js';
import { capture, SigrokAnalyzer, SigrokError, start } from '../../harness/instruments/sigrok/index.js';
import type { Recording } from '../../harness/targets/target.js';
import { edgeIndexAt, type Waveform } from '../../harness/signals/waveform.js';
import { DEMO, expectNoSigrokLeft, isAlive, test, waitUntil } from './sigrok-support.js';

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
