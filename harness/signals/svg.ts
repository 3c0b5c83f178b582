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
  readonly label: string;
  /** Draw the line only across this channel's row; default across all rows. */
  readonly channel?: string;
}

export interface SvgOptions {
  /** Drawn dashed over the observed trace of the channel with the same name. */
  readonly predicted?: Waveform;
  /** What the solid and the dashed traces are, for the legend; default 'observed' and 'predicted'. */
  readonly legend?: { readonly solid: string; readonly dashed: string };
  readonly markers?: readonly Marker[];
  /** Rows to draw, in order; default every channel of the waveform, then those only the prediction has. */
  readonly channels?: readonly string[];
  /** Seconds or times; default from 0 to the end of the longer waveform. */
  readonly start?: number | string;
  readonly end?: number | string;
  /** Width of the plot area in pixels (default 1000). */
  readonly width?: number;
  readonly title?: string;
}

const LABEL_WIDTH = 150;
const RIGHT_MARGIN = 40;
const ROW_HEIGHT = 36;
const TRACE_HEIGHT = 20;
const AXIS_HEIGHT = 32;
const HEADER_HEIGHT = 44;
const MAX_EDGES_PER_COLUMN = 2;
const MAX_NAME_LENGTH = 22;

const STYLE = [
  'text{font:11px monospace;fill:#24292f}',
  '.name{font-weight:bold}',
  '.grid{stroke:#d0d7de;stroke-width:0.5}',
  '.axis{stroke:#57606a;stroke-width:1}',
  '.observed{fill:none;stroke:#1a7f37;stroke-width:1.5}',
  '.observed-block{fill:#1a7f37;fill-opacity:0.45}',
  '.predicted{fill:none;stroke:#8250df;stroke-width:1.5;stroke-dasharray:4 3}',
  '.predicted-block{fill:#8250df;fill-opacity:0.25}',
  '.marker{stroke:#cf222e;stroke-width:1}',
  '.marker-label{fill:#cf222e}',
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
  const width = options.width ?? 1000;
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
  return `<line class="marker" x1="${px(x)}" y1="${px(top)}" x2="${px(x)}" y2="${px(bottom)}"/>` +
    `<text class="marker-label" x="${px(x)}" y="${HEADER_HEIGHT - 6}" text-anchor="${anchor}">${escapeXml(m.label)}</text>`;
}

export function waveformSvg(waveform: Waveform, options: SvgOptions = {}): string {
  const view = viewOf(waveform, options);
  const names = rowNames(waveform, options);
  const rowsTop = HEADER_HEIGHT;
  const rowsBottom = rowsTop + names.length * ROW_HEIGHT;
  const width = LABEL_WIDTH + view.width + RIGHT_MARGIN;
  const height = rowsBottom + AXIS_HEIGHT;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<style>${STYLE}</style>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (options.title !== undefined) parts.push(`<text class="name" x="8" y="14">${escapeXml(options.title)}</text>`);
  if (options.predicted) {
    const legend = options.legend ?? { solid: 'observed', dashed: 'predicted' };
    parts.push(`<text x="${LABEL_WIDTH + view.width}" y="14" text-anchor="end">${escapeXml(legend.solid)} (solid), ${escapeXml(legend.dashed)} (dashed)</text>`);
  }
  parts.push(timeAxis(view, rowsTop, rowsBottom));
  names.forEach((name, row) => {
    const top = rowsTop + row * ROW_HEIGHT + (ROW_HEIGHT - TRACE_HEIGHT) / 2;
    const label = name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH - 1)}…` : name;
    parts.push(`<text class="name" x="${LABEL_WIDTH - 8}" y="${px(top + TRACE_HEIGHT / 2 + 4)}" text-anchor="end">${escapeXml(label)}</text>`);
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
  parts.push('</svg>');
  return parts.join('\n');
}
