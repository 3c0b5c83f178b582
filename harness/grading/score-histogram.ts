/**
 * The class's score distribution as an inline SVG histogram: ten bins from 0 to the maximum (the last one closed, so a
 * full mark has a bar of its own), the count over each bar, and a <title> per bar for a screen reader or a hover.
 * Only numbers reach it, so nothing in it comes from a student.
 */

export interface Bin {
  /** Inclusive lower bound. */
  readonly from: number;
  /** Exclusive upper bound, except for the last bin, which includes the maximum. */
  readonly to: number;
  readonly count: number;
}

export const BIN_COUNT = 10;

export function scoreBins(scores: readonly number[], max: number): Bin[] {
  const width = max / BIN_COUNT;
  const bins = Array.from({ length: BIN_COUNT }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const score of scores) {
    const index = Math.min(BIN_COUNT - 1, Math.max(0, Math.floor(score / width)));
    bins[index]!.count += 1;
  }
  return bins;
}

const number = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function histogramSvg(scores: readonly number[], max: number): string {
  const bins = scoreBins(scores, max);
  const [width, height, left, bottom, top] = [640, 240, 40, 40, 20];
  const plotWidth = width - left - 10;
  const plotHeight = height - bottom - top;
  const tallest = Math.max(1, ...bins.map((b) => b.count));
  const barWidth = plotWidth / bins.length;
  const parts: string[] = [];
  bins.forEach((bin, i) => {
    const x = left + i * barWidth;
    const h = (bin.count / tallest) * plotHeight;
    const y = top + plotHeight - h;
    const range = `${number(bin.from)}–${number(bin.to)}${i === bins.length - 1 ? '' : ' (excl.)'}`;
    parts.push(
      `<rect class="bar" data-from="${bin.from}" data-to="${bin.to}" data-count="${bin.count}" x="${(x + 2).toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${h.toFixed(1)}" fill="#0969da"><title>${range}: ${bin.count} submission${bin.count === 1 ? '' : 's'}</title></rect>`,
    );
    if (bin.count > 0) parts.push(`<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="12">${bin.count}</text>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" font-size="11">${number(bin.from)}</text>`);
  });
  parts.push(`<text x="${left + plotWidth}" y="${height - bottom + 16}" text-anchor="middle" font-size="11">${number(max)}</text>`);
  parts.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#57606a"/>`);
  parts.push(`<text x="${left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" font-size="12">score (of ${number(max)})</text>`);
  parts.push(`<text x="12" y="${top + plotHeight / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 12 ${top + plotHeight / 2})">submissions</text>`);
  const label = `Score distribution of ${scores.length} graded submission${scores.length === 1 ? '' : 's'}`;
  return `<svg class="histogram" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${label}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif"><title>${label}</title>${parts.join('')}</svg>`;
}
