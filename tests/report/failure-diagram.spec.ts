/**
 * A failing timing assertion attaches a diagram that explains it, checked in a real browser (Debian's chromium):
 * readable text, the tolerance band, the offending pulse marked with its width, a zoom on it under the overview; and,
 * against a model, the first diverging edge with its Δt. The screenshots are attached for a person to look at.
 */
import { chromium, test } from '@playwright/test';
import { expect } from '../../fixtures/index.js';
import type { Capture } from '../../harness/signals/capture.js';
import { NANOSECONDS } from '../../harness/signals/waveform.js';
import { squareEdges, wave } from '../signals/waves.js';

const US = 1000;

/** 100 periods of 1 kHz on D0 (GPIO17), the high pulse of period `late` stretched by `by` microseconds. */
function capture(late: number, by: number): Capture {
  const edges = squareEdges({ period: 1000 * US, high: 500 * US, periods: 100, first: 500 * US });
  edges[2 * late + 1]! += by * US;
  const waveform = wave(NANOSECONDS, 101_000 * US, { D0: [0, edges] });
  return { waveform, source: { instrument: 'file', samplerate: NANOSECONDS }, pins: { D0: 'GPIO17' }, files: {} };
}

/** The same 1 kHz wave with the rising edge of period `late` moved `by` microseconds: two periods off by that much. */
function jittery(late: number, by: number): Capture {
  const edges = squareEdges({ period: 1000 * US, high: 500 * US, periods: 100, first: 500 * US });
  edges[2 * late]! += by * US;
  const waveform = wave(NANOSECONDS, 101_000 * US, { D0: [0, edges] });
  return { waveform, source: { instrument: 'file', samplerate: NANOSECONDS }, pins: { D0: 'GPIO17' }, files: {} };
}

function failing(assertion: () => unknown): string {
  try {
    assertion();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the assertion passed');
}

/** The last failure diagram attached to this test. */
function lastDiagram(): string {
  const svg = test.info().attachments.filter((a) => a.name.startsWith('failure ')).at(-1);
  expect(svg?.contentType).toBe('image/svg+xml');
  return svg!.body!.toString();
}

async function inBrowser(svg: string, screenshot: string) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 600 } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    const shot = await page.screenshot({ fullPage: true, path: test.info().outputPath(screenshot) });
    await test.info().attach(screenshot, { body: shot, contentType: 'image/png' });
    const fontSizes = await page.locator('text').evaluateAll((texts) => texts.map((t) => parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(t).fontSize)));
    const labels = await page.locator('text').allTextContents();
    const bands = await page.locator('rect.band').count();
    const markers = await page.locator('line.marker').count();
    return { fontSizes, labels, bands, markers };
  } finally {
    await browser.close();
  }
}

test('a pulse out of tolerance: the band where it should have ended, its width marked, zoomed under the overview', async () => {
  const message = failing(() => expect(capture(42, 120)).toHavePulses('GPIO17', { width: '500us', tolerance: '2%' }));
  expect(message.split('\n')[0]).toBe('GPIO17 (D0): pulse 43 (high) at 42.5ms is 620us wide, expected 500us ±2% (490us..510us)');
  const svg = lastDiagram();
  const seen = await inBrowser(svg, 'pulse failure.png');
  expect(Math.min(...seen.fontSizes)).toBeGreaterThanOrEqual(12);
  expect(seen.labels).toContain('pulse 43: 620us');
  expect(seen.labels).toContain('end expected 500us ±2% (490us..510us)');
  expect(seen.labels.some((l) => l.startsWith('zoomed on the failure: '))).toBe(true);
  // The time axis says its unit on every tick.
  expect(seen.labels.filter((l) => /^\d+(\.\d+)?(ms|us|s)$/.test(l)).length).toBeGreaterThan(5);
  // The band and the marker, in the overview and in the zoom.
  expect(seen.bands).toBe(2);
  expect(seen.markers).toBe(2);
});

test('against the model: the first diverging edge and its Δt, with the predicted trace dashed', async () => {
  const predicted = capture(0, 0).waveform;
  const observed = capture(70, 3);
  const message = failing(() => expect(observed).toMatchWaveform({ ...predicted, channels: [{ ...predicted.channels[0]!, name: 'GPIO17' }] }, { tolerance: '1us' }));
  expect(message.split('\n')[0]).toMatch(/^GPIO17: edge 142 \(falling\) expected at 71ms ±1us, seen at 71\.003ms \(3us late\)$/);
  const svg = lastDiagram();
  expect(svg).toContain('class="predicted"');
  const seen = await inBrowser(svg, 'model failure.png');
  expect(seen.labels).toContain('first divergence: Δt 3us');
  expect(seen.labels).toContain('expected 71ms ±1us');
  expect(seen.bands).toBe(2);
});

test('frequency, duty cycle, jitter and edge count failures are drawn too: the extreme periods or the edges marked', async () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => expect(capture(42, 120)).toHaveFrequency('GPIO17', '1.2kHz', { tolerance: '1%' }), /period end expected/],
    [() => expect(capture(42, 120)).toHaveDutyCycle('GPIO17', '40%', { tolerance: '1%' }), /falling edge expected at 39%\.\.41%/],
    [() => expect(jittery(42, 120)).toHaveJitterBelow('GPIO17', '1us'), /period 42: 1\.12ms/],
    [() => expect(capture(42, 120)).toHaveEdgeCount('GPIO17', 3, { window: { start: '10ms', end: '12ms' } }), /3 edges expected here, 4 seen/],
  ];
  for (const [assertion, label] of cases) {
    const before = test.info().attachments.length;
    failing(assertion);
    expect(test.info().attachments.length, `a diagram for ${label}`).toBe(before + 1);
    expect(lastDiagram()).toMatch(label);
  }
});
