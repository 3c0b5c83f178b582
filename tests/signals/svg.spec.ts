import { test, expect } from '@playwright/test';
import { waveformSvg } from '../../harness/signals/svg.js';
import { NANOSECONDS } from '../../harness/signals/waveform.js';
import { kiloHertz, squareEdges, wave } from './waves.js';

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
const ATTRIBUTE = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const BAD_REFERENCE = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/;
const BAD_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first reason `xml` is not a well-formed XML document (elements, attributes, text; no DTD, comments or CDATA). */
function notWellFormed(xml: string): string | undefined {
  if (BAD_CHARACTER.test(xml)) return 'a character XML forbids';
  const open: string[] = [];
  let roots = 0;
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const text = xml.slice(at, lt < 0 ? xml.length : lt);
    if (BAD_REFERENCE.test(text)) return `a bare & in text near ${JSON.stringify(text.slice(0, 40))}`;
    if (open.length === 0 && text.trim() !== '') return `text outside the root element: ${JSON.stringify(text.slice(0, 40))}`;
    if (lt < 0) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(xml);
    if (!m) return `a malformed tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 60))}`;
    const [whole, closing, name, attributes, selfClosing] = m;
    const seen = new Set<string>();
    for (const [, attr, double, single] of attributes!.matchAll(ATTRIBUTE)) {
      if (seen.has(attr!)) return `attribute ${attr} twice on <${name}>`;
      seen.add(attr!);
      if (BAD_REFERENCE.test(double ?? single ?? '')) return `a bare & in attribute ${attr} of <${name}>`;
    }
    if (closing) {
      if (attributes || selfClosing) return `a closing tag with attributes: ${whole}`;
      if (open.pop() !== name) return `</${name}> closes the wrong element`;
    } else {
      if (open.length === 0 && ++roots > 1) return 'more than one root element';
      if (!selfClosing) open.push(name!);
    }
    at = lt + whole!.length;
  }
  if (roots === 0) return 'no root element';
  return open.length > 0 ? `<${open.at(-1)}> is never closed` : undefined;
}

test.describe('the XML check itself', () => {
  test('accepts a well-formed document and names what is wrong with a broken one', () => {
    expect(notWellFormed('<a x="1"><b/>t &amp; u</a>')).toBeUndefined();
    expect(notWellFormed('<a><b></a>')).toBe('</a> closes the wrong element');
    expect(notWellFormed('<a>x & y</a>')).toMatch(/bare &/);
    expect(notWellFormed('<a x="1" x="2"/>')).toBe('attribute x twice on <a>');
    expect(notWellFormed('<a/><b/>')).toBe('more than one root element');
    expect(notWellFormed('<a>\u0001</a>')).toBe('a character XML forbids');
    expect(notWellFormed('<a><b x=1/></a>')).toMatch(/malformed tag/);
  });
});

/** The `d` attributes of the paths of one class. */
function paths(svg: string, kind: 'observed' | 'predicted'): string[] {
  return [...svg.matchAll(new RegExp(`<path class="${kind}" d="([^"]*)"`, 'g'))].map((m) => m[1]!);
}

test.describe('timing diagram', () => {
  test('one row per channel with its name, a trace and a labelled time axis', () => {
    const w = wave(NANOSECONDS, 11e6, {
      D0: [0, squareEdges({ period: 1e6, high: 5e5, periods: 10, first: 5e5 })],
      D1: [1, [3e6]],
    });
    const svg = waveformSvg(w, { width: 1000 });
    expect(notWellFormed(svg)).toBeUndefined();
    expect(svg).toContain('>D0</text>');
    expect(svg).toContain('>D1</text>');
    const [d0, d1] = paths(svg, 'observed');
    // Every edge is drawn as a vertical step; D0's first rise at 0.5ms of 11ms is 45.45 px into the 1000 px plot.
    expect(d0!.match(/V/g)).toHaveLength(20);
    expect(d0).toMatch(/^M170 \d+(\.\d)?H215\.5V/);
    expect(d1!.match(/V/g)).toHaveLength(1);
    const labels = [...svg.matchAll(/text-anchor="middle">([^<]*)</g)].map((m) => m[1]);
    expect(labels).toEqual(['0s', '2ms', '4ms', '6ms', '8ms', '10ms']);
  });

  test('the same signal at two timebases draws the same picture', () => {
    expect(waveformSvg(kiloHertz(24_000_000))).toBe(waveformSvg(kiloHertz(NANOSECONDS)));
  });

  test('escapes names and titles so the document stays well-formed', () => {
    const w = wave(1000, 10, { 'a<b & "c"': [0, [5]], "it's\u0001": [1, []] });
    const svg = waveformSvg(w, { title: 'run ]]> <script>', markers: [{ at: '5ms', label: '<&>' }] });
    expect(notWellFormed(svg)).toBeUndefined();
    expect(svg).toContain('>a&lt;b &amp; &quot;c&quot;</text>');
    expect(svg).toContain('>it&apos;s\uFFFD</text>');
    expect(svg).toContain('>run ]]&gt; &lt;script&gt;</text>');
    expect(svg).not.toContain('<script');
  });

  test('draws a predicted waveform dashed over the observed one, and channels only the prediction has', () => {
    const observed = kiloHertz(NANOSECONDS, 'GPIO17');
    const predicted = wave(1000, 12, { GPIO17: [0, [1, 2, 3]], GPIO27: [1, [4]] });
    const svg = waveformSvg(observed, { predicted });
    expect(notWellFormed(svg)).toBeUndefined();
    expect(paths(svg, 'observed')).toHaveLength(1);
    expect(paths(svg, 'predicted').map((d) => d.match(/V/g)?.length)).toEqual([3, 1]);
    expect(svg).toContain('>GPIO27</text>');
    expect(svg).toContain('observed (solid), predicted (dashed)');
  });

  test('marks a time across all rows or on one channel, and skips marks outside the range', () => {
    const w = wave(1000, 10, { A: [0, [5]], B: [0, [6]] });
    const svg = waveformSvg(w, {
      markers: [{ at: '2ms', label: 'first difference' }, { at: 0.006, label: 'B late', channel: 'B' }, { at: '20ms', label: 'beyond' }],
    });
    expect(notWellFormed(svg)).toBeUndefined();
    expect(svg.match(/<line class="marker"/g)).toHaveLength(2);
    expect(svg).toContain('>first difference</text>');
    expect(svg).toContain('>B late</text>');
    expect(svg).not.toContain('beyond');
    expect(() => waveformSvg(w, { markers: [{ at: 0, label: 'x', channel: 'C' }] })).toThrow('marker "x": channel "C" is not drawn (rows: A, B)');
  });

  test('draws a range of time and rejects an empty one', () => {
    const svg = waveformSvg(kiloHertz(NANOSECONDS), { start: '2ms', end: '4ms' });
    expect(paths(svg, 'observed')[0]!.match(/V/g)).toHaveLength(4);
    expect(() => waveformSvg(kiloHertz(NANOSECONDS), { start: '4ms', end: '4ms' })).toThrow('diagram: time range 4ms..4ms is empty: nothing to draw');
    expect(() => waveformSvg(wave(1000, 0, { A: [0, []] }))).toThrow(/is empty: nothing to draw/);
    expect(() => waveformSvg(kiloHertz(NANOSECONDS), { end: Number.POSITIVE_INFINITY })).toThrow('diagram: time range 0s..Infinitys is not finite');
    expect(() => waveformSvg(kiloHertz(NANOSECONDS), { channels: ['X'] })).toThrow('channel "X": not in the waveform nor in the prediction');
  });

  test('a million edges give a bounded document, drawn as a block where edges are denser than pixels', () => {
    // A 10 MHz clock for 100ms: 2 million edges, about 2000 per pixel column.
    const clock = Float64Array.from(squareEdges({ period: 100, high: 50, periods: 1_000_000, first: 100 }));
    const svg = waveformSvg(wave(NANOSECONDS, 100_000_200, { CLK: [0, clock] }));
    expect(notWellFormed(svg)).toBeUndefined();
    expect(svg.length).toBeLessThan(10_000);
    expect(svg.match(/<rect class="observed-block"/g)).toHaveLength(1);
  });

  test('bursts are blocks, the quiet stretches between them exact edges; size stays bounded', () => {
    // Two bursts of 500 000 edges (1ms long each, at 10ms and 60ms) with single pulses in between.
    const burst = (from: number) => squareEdges({ period: 4, high: 2, periods: 250_000, first: from });
    const edges = [...burst(10e6), 30e6, 31e6, ...burst(60e6), 80e6, 81e6];
    const svg = waveformSvg(wave(NANOSECONDS, 100e6, { D0: [0, Float64Array.from(edges)] }), { width: 1000 });
    expect(notWellFormed(svg)).toBeUndefined();
    expect(svg.length).toBeLessThan(20_000);
    const blocks = [...svg.matchAll(/<rect class="observed-block" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(blocks).toEqual([[270, 10], [770, 10]]);
    // 4 exact edges, plus the step back to the level after each block.
    expect(paths(svg, 'observed')[0]!.match(/V/g)).toHaveLength(4);
  });
});
