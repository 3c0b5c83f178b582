/**
 * A Waveform as an SVG timing diagram: one row per channel (name, trace), a time axis, optionally a predicted waveform
 * dashed over the observed one and markers such as the first difference of a comparison.
 *
 * The picture is drawn per pixel column, so its size depends on the width, not on the number of edges: a column
 * crossed by more than two edges of a channel is drawn as a filled block (the signal toggles faster than we can show).
 */
import { InputError } from '../errors.js';
import { formatTime, parseTime } from './units.js';
import { escapeXml } from './xml.js';
import { edgeIndexAt, type Channel, type Waveform } from './waveform.js';

export interface Marker {
  /** Seconds or a time ('2.13ms'). */
  readonly at: number | string;
  /** Empty: the line alone (where labels would crowd). */
  readonly label: string;
  /** Draw the line only across this channel's row; default across all rows. */
  readonly channel?: string;
}

/** A shaded span on one channel's row: where something was allowed to be (a tolerance band), with what it means. */
export interface Band {
  readonly channel: string;
  /** Seconds or times. */
  readonly from: number | string;
  readonly to: number | string;
  /** Empty: the band is drawn without a label (the first of several carries it). */
  readonly label: string;
}

export interface SvgOptions {
  /** Drawn dashed over the observed trace of the channel with the same name. */
  readonly predicted?: Waveform;
  /** What the solid and the dashed traces are, for the legend; default 'observed' and 'predicted'. */
  readonly legend?: { readonly solid: string; readonly dashed: string };
  readonly markers?: readonly Marker[];
  readonly bands?: readonly Band[];
  /** Rows to draw, in order; default every channel of the waveform, then those only the prediction has. */
  readonly channels?: readonly string[];
  /** Seconds or times; default from 0 to the end of the longer waveform. */
  readonly start?: number | string;
  readonly end?: number | string;
  /** Width of the plot area in pixels (default DEFAULT_WIDTH). */
  readonly width?: number;
  readonly title?: string;
}

/**
 * The plot's default width: with the labels and margins the diagram is 770 px wide, which Playwright's HTML report
 * shows at its natural size (it scales images to 80% of its column), so 13 px text stays 13 px there.
 */
const DEFAULT_WIDTH = 540;
const LABEL_WIDTH = 170;
const RIGHT_MARGIN = 60;
const ROW_HEIGHT = 48;
const TRACE_HEIGHT = 26;
const AXIS_HEIGHT = 40;
const HEADER_HEIGHT = 52;
const MAX_EDGES_PER_COLUMN = 2;
const MAX_NAME_LENGTH = 22;

const STYLE = [
  // Readable in a report at its natural size: 13 px text, the channel names bold.
  'text{font:13px monospace;fill:#24292f}',
  '.name{font-weight:bold}',
  '.grid{stroke:#d0d7de;stroke-width:0.5}',
  '.axis{stroke:#57606a;stroke-width:1}',
  '.observed{fill:none;stroke:#1a7f37;stroke-width:1.5}',
  '.observed-block{fill:#1a7f37;fill-opacity:0.45}',
  '.predicted{fill:none;stroke:#8250df;stroke-width:1.5;stroke-dasharray:4 3}',
  '.predicted-block{fill:#8250df;fill-opacity:0.25}',
  '.marker{stroke:#cf222e;stroke-width:1}',
  '.marker-label{fill:#cf222e}',
  '.band{fill:#fb8500;fill-opacity:0.18;stroke:#fb8500;stroke-opacity:0.6;stroke-width:1}',
  '.band-label{fill:#9a4a00}',
].join('');


/** One decimal is finer than any screen; fewer digits keep big diagrams small. */
const px = (value: number): string => String(Math.round(value * 10) / 10);

/** The time span shown, mapped onto `width` pixel columns starting at LABEL_WIDTH. */
interface View {
  readonly start: number;
  readonly end: number;
  readonly width: number;
}

const xOf = (view: View, seconds: number): number => LABEL_WIDTH + ((seconds - view.start) / (view.end - view.start)) * view.width;

/** A step of 1, 2 or 5 times a power of ten giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].find((m) => m * power >= rough) ?? 10;
  return step * power;
}

/**
 * The path of one channel's level and the blocks where it toggles more than MAX_EDGES_PER_COLUMN times in a column.
 * Each column's edges are found by binary search, so the work and output grow with the width, not the edge count.
 */
function trace(channel: Channel, rate: number, length: number, view: View, top: number, kind: 'observed' | 'predicted'): string {
  const edges = channel.edges;
  const yOf = (level: number): number => (level === 1 ? top : top + TRACE_HEIGHT);
  const tickAtColumn = (c: number): number => (view.start + ((view.end - view.start) * c) / view.width) * rate;
  const endSeconds = Math.min(view.end, length / rate);
  if (endSeconds <= view.start) return '';
  let i = edgeIndexAt(edges, tickAtColumn(0));
  let level = channel.initial ^ (i & 1);
  let path = `M${px(LABEL_WIDTH)} ${px(yOf(level))}`;
  let blocks = '';
  let blockStart: number | undefined;
  const closeBlock = (x: number): void => {
    blocks += `<rect class="${kind}-block" x="${px(blockStart!)}" y="${px(top)}" width="${px(Math.max(x - blockStart!, 1))}" height="${TRACE_HEIGHT}"/>`;
    path += `M${px(x)} ${px(yOf(level))}`;
    blockStart = undefined;
  };
  for (let c = 0; c < view.width; c++) {
    const j = edgeIndexAt(edges, tickAtColumn(c + 1));
    const dense = j - i > MAX_EDGES_PER_COLUMN;
    if (!dense && blockStart !== undefined) closeBlock(LABEL_WIDTH + c);
    if (dense) {
      if (blockStart === undefined) {
        blockStart = LABEL_WIDTH + c;
        path += `H${px(blockStart)}`;
      }
      level ^= (j - i) & 1;
    } else {
      for (let k = i; k < j; k++) {
        level ^= 1;
        path += `H${px(xOf(view, edges[k]! / rate))}V${px(yOf(level))}`;
      }
    }
    i = j;
  }
  if (blockStart !== undefined) closeBlock(LABEL_WIDTH + view.width);
  path += `H${px(xOf(view, endSeconds))}`;
  return `<path class="${kind}" d="${path}"/>${blocks}`;
}

function timeAxis(view: View, top: number, bottom: number): string {
  const step = niceStep(view.end - view.start, Math.max(2, Math.floor(view.width / 100)));
  let out = `<line class="axis" x1="${LABEL_WIDTH}" y1="${px(bottom)}" x2="${LABEL_WIDTH + view.width}" y2="${px(bottom)}"/>`;
  for (let k = Math.ceil(view.start / step); k * step <= view.end; k++) {
    const x = px(xOf(view, k * step));
    out += `<line class="grid" x1="${x}" y1="${px(top)}" x2="${x}" y2="${px(bottom)}"/>`;
    out += `<line class="axis" x1="${x}" y1="${px(bottom)}" x2="${x}" y2="${px(bottom + 4)}"/>`;
    out += `<text x="${x}" y="${px(bottom + 16)}" text-anchor="middle">${escapeXml(formatTime(k * step))}</text>`;
  }
  return out;
}

function rowNames(waveform: Waveform, options: SvgOptions): string[] {
  const known = [...waveform.channels, ...(options.predicted?.channels ?? [])].map((c) => c.name);
  if (!options.channels) return [...new Set(known)];
  for (const name of options.channels) {
    if (!known.includes(name)) throw new InputError(`channel ${JSON.stringify(name)}`, 'not in the waveform nor in the prediction: nothing to draw');
  }
  return [...options.channels];
}

function viewOf(waveform: Waveform, options: SvgOptions): View {
  const width = options.width ?? DEFAULT_WIDTH;
  if (!Number.isInteger(width) || width < 10) throw new InputError('diagram width', `must be a whole number of pixels, at least 10; got ${width}`);
  const longest = Math.max(waveform.length / waveform.rate, options.predicted ? options.predicted.length / options.predicted.rate : 0);
  const start = options.start === undefined ? 0 : parseTime(options.start, 'diagram start');
  const end = options.end === undefined ? longest : parseTime(options.end, 'diagram end');
  if (!(end > start)) throw new InputError('diagram', `time range ${formatTime(start)}..${formatTime(end)} is empty: nothing to draw`);
  if (!Number.isFinite(end - start)) throw new InputError('diagram', `time range ${formatTime(start)}..${formatTime(end)} is not finite`);
  return { start, end, width };
}

/** A vertical line from `top` to `bottom`, labelled in the header; the label grows away from the nearer side. */
function marker(view: View, m: Marker, top: number, bottom: number): string {
  const at = parseTime(m.at, `marker ${JSON.stringify(m.label)}`);
  if (at < view.start || at > view.end) return '';
  const x = xOf(view, at);
  const anchor = x < LABEL_WIDTH + view.width / 2 ? 'start' : 'end';
  const line = `<line class="marker" x1="${px(x)}" y1="${px(top)}" x2="${px(x)}" y2="${px(bottom)}"/>`;
  return m.label === '' ? line : line + `<text class="marker-label" x="${px(x)}" y="${HEADER_HEIGHT - 6}" text-anchor="${anchor}">${escapeXml(m.label)}</text>`;
}

/** One diagram's elements and its size, for drawing it alone or stacked with others. */
interface Panel {
  readonly body: string;
  readonly width: number;
  readonly height: number;
}

function band(view: View, b: Band, top: number): string {
  const from = Math.max(view.start, parseTime(b.from, `band ${JSON.stringify(b.label)}`));
  const to = Math.min(view.end, parseTime(b.to, `band ${JSON.stringify(b.label)}`));
  if (to < from) return '';
  const x = xOf(view, from);
  const w = Math.max(xOf(view, to) - x, 2);
  const rect = `<rect class="band" x="${px(x)}" y="${px(top - 4)}" width="${px(w)}" height="${TRACE_HEIGHT + 8}"/>`;
  return b.label === '' ? rect : rect + `<text class="band-label" x="${px(x + w / 2)}" y="${px(top + TRACE_HEIGHT + 16)}" text-anchor="middle">${escapeXml(b.label)}</text>`;
}

function panel(waveform: Waveform, options: SvgOptions): Panel {
  const view = viewOf(waveform, options);
  const names = rowNames(waveform, options);
  const rowsTop = HEADER_HEIGHT;
  const rowsBottom = rowsTop + names.length * ROW_HEIGHT;
  const width = LABEL_WIDTH + view.width + RIGHT_MARGIN;
  const height = rowsBottom + AXIS_HEIGHT;
  const parts = [`<rect width="${width}" height="${height}" fill="#ffffff"/>`];
  if (options.title !== undefined) parts.push(`<text class="name" x="8" y="16">${escapeXml(options.title)}</text>`);
  if (options.predicted) {
    const legend = options.legend ?? { solid: 'observed', dashed: 'predicted' };
    parts.push(`<text x="${LABEL_WIDTH + view.width}" y="16" text-anchor="end">${escapeXml(legend.solid)} (solid), ${escapeXml(legend.dashed)} (dashed)</text>`);
  }
  parts.push(timeAxis(view, rowsTop, rowsBottom));
  const topOf = (row: number): number => rowsTop + row * ROW_HEIGHT + (ROW_HEIGHT - TRACE_HEIGHT) / 2 - 4;
  for (const b of options.bands ?? []) {
    const row = names.indexOf(b.channel);
    if (row < 0) throw new InputError(`band ${JSON.stringify(b.label)}`, `channel ${JSON.stringify(b.channel)} is not drawn (rows: ${names.join(', ')})`);
    parts.push(band(view, b, topOf(row)));
  }
  names.forEach((name, row) => {
    const top = topOf(row);
    const label = name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH - 1)}…` : name;
    parts.push(`<text class="name" x="${LABEL_WIDTH - 8}" y="${px(top + TRACE_HEIGHT / 2 + 5)}" text-anchor="end">${escapeXml(label)}</text>`);
    for (const [source, kind] of [[waveform, 'observed'], [options.predicted, 'predicted']] as const) {
      const channel = source?.channels.find((c) => c.name === name);
      if (source && channel) parts.push(trace(channel, source.rate, source.length, view, top, kind));
    }
  });
  for (const m of options.markers ?? []) {
    if (m.channel === undefined) {
      parts.push(marker(view, m, HEADER_HEIGHT - 2, rowsBottom));
      continue;
    }
    const row = names.indexOf(m.channel);
    if (row < 0) throw new InputError(`marker ${JSON.stringify(m.label)}`, `channel ${JSON.stringify(m.channel)} is not drawn (rows: ${names.join(', ')})`);
    parts.push(marker(view, m, HEADER_HEIGHT - 2, rowsTop + (row + 1) * ROW_HEIGHT));
  }
  return { body: parts.join('\n'), width, height };
}

/** Panels one above the other in one SVG document. */
function stacked(panels: readonly Panel[]): string {
  const width = Math.max(...panels.map((p) => p.width));
  const height = panels.reduce((sum, p) => sum + p.height, 0);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, `<style>${STYLE}</style>`];
  let y = 0;
  for (const p of panels) {
    out.push(`<svg y="${y}" width="${p.width}" height="${p.height}">`, p.body, '</svg>');
    y += p.height;
  }
  out.push('</svg>');
  return out.join('\n');
}

export function waveformSvg(waveform: Waveform, options: SvgOptions = {}): string {
  return stacked([panel(waveform, options)]);
}

/**
 * A failure explained: the whole capture, and under it a zoomed panel on the span that failed (with a margin), both
 * with the expectation's bands and the offending edges marked. A capture short enough to read whole gets one panel.
 */
export function failureSvg(waveform: Waveform, options: SvgOptions & { readonly focus: { readonly start: number; readonly end: number } }): string {
  const { focus, ...rest } = options;
  const total = Math.max(waveform.length / waveform.rate, options.predicted ? options.predicted.length / options.predicted.rate : 0);
  const span = Math.max(focus.end - focus.start, total / 1000);
  const zoom = { start: Math.max(0, focus.start - span), end: Math.min(total, focus.end + span) };
  const overview = panel(waveform, { ...rest, title: `${options.title ?? 'capture'}: the whole capture` });
  if (zoom.end - zoom.start > total / 4) return stacked([overview]);
  const zoomed = panel(waveform, { ...rest, start: zoom.start, end: zoom.end, title: `zoomed on the failure: ${formatTime(zoom.start)} to ${formatTime(zoom.end)}` });
  return stacked([overview, zoomed]);
}
