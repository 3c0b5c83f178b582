/**
 * A channel's one-line picture (`pinrig capture inspect`), accumulated edge by edge: what it keeps does not grow with
 * the number of edges, so a capture of any length is summarized in bounded memory, straight from the sample scan.
 */
import type { Level } from './waveform.js';

export interface ChannelSummary {
  readonly name: string;
  readonly edges: number;
  readonly initial: Level;
  /** Hertz, from the first to the last rising edge; present with at least two rising edges. */
  readonly frequency?: number;
  /** Mean over complete periods (rising, falling, rising), 0..1; present with at least one such period. */
  readonly dutyCycle?: number;
  /** Seconds, over complete pulses of either level; present with at least two edges. */
  readonly pulseWidth?: { readonly min: number; readonly max: number };
}

/** Periods that start on edges of one parity (0, 2, 4, ... or 1, 3, 5, ...): which ones rise depends on the initial level. */
interface PeriodRun {
  count: number;
  dutySum: number;
  firstStart: number;
  lastEnd: number;
}

export class EdgeSummary {
  private count = 0;
  private previous = 0;
  private beforePrevious = 0;
  private minWidth = Number.POSITIVE_INFINITY;
  private maxWidth = 0;
  private readonly runs: [PeriodRun, PeriodRun] = [
    { count: 0, dutySum: 0, firstStart: 0, lastEnd: 0 },
    { count: 0, dutySum: 0, firstStart: 0, lastEnd: 0 },
  ];

  push(tick: number): void {
    if (this.count >= 1) {
      const width = tick - this.previous;
      if (width < this.minWidth) this.minWidth = width;
      if (width > this.maxWidth) this.maxWidth = width;
    }
    if (this.count >= 2) {
      // The period starting two edges back: start, its other edge, and this one closing it.
      const run = this.runs[(this.count - 2) & 1];
      if (run.count === 0) run.firstStart = this.beforePrevious;
      run.dutySum += (this.previous - this.beforePrevious) / (tick - this.beforePrevious);
      run.lastEnd = tick;
      run.count++;
    }
    this.beforePrevious = this.previous;
    this.previous = tick;
    this.count++;
  }

  /** Ticks are plain numbers here: nothing to widen past 2^32 (the scan's sink interface asks). */
  widen(): void {}

  summary(name: string, initial: Level, rate: number): ChannelSummary {
    const summary: ChannelSummary = { name, edges: this.count, initial };
    if (this.count < 2) return summary;
    const pulseWidth = { min: this.minWidth / rate, max: this.maxWidth / rate };
    // Edge 0 rises when the channel starts low: periods then start on even edges.
    const run = this.runs[initial === 0 ? 0 : 1];
    if (run.count === 0) return { ...summary, pulseWidth };
    return { ...summary, frequency: (run.count * rate) / (run.lastEnd - run.firstStart), dutyCycle: run.dutySum / run.count, pulseWidth };
  }
}
