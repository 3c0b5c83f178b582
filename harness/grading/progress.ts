/**
 * Progress of a grading run on a stream (the CLI passes stderr): a bar redrawn in place on a terminal, plain lines
 * otherwise (a CI log, a pipe), one per finished submission.
 */
import type { SubmissionResult } from './results.js';

/** What happens in a grading run, as the progress display hears of it. */
export type GradingEvent =
  | { readonly kind: 'preparing'; readonly what: string }
  | { readonly kind: 'start'; readonly total: number }
  | { readonly kind: 'phase'; readonly student: string; readonly phase: string }
  | { readonly kind: 'done'; readonly result: SubmissionResult; readonly cached: boolean };

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const BAR_WIDTH = 24;

export class GradeProgress {
  private total = 0;
  private done = 0;
  private readonly active = new Map<string, string>();
  private readonly started = performance.now();

  constructor(private readonly stream: ProgressStream) {}

  readonly onEvent = (event: GradingEvent): void => {
    switch (event.kind) {
      case 'preparing':
        this.line(`preparing: ${event.what}`);
        break;
      case 'start':
        this.total = event.total;
        this.line(`${event.total} submissions to grade (unchanged ones are taken from the last run)`);
        break;
      case 'phase':
        this.active.set(event.student, event.phase);
        this.redraw();
        break;
      case 'done': {
        this.done++;
        this.active.delete(event.result.student);
        const r = event.result;
        const score = r.status === 'error' ? 'harness error' : `${r.score}/${r.max}`;
        const how = event.cached ? 'unchanged' : `${(r.timings.totalMs / 1000).toFixed(1)} s`;
        this.line(`[${this.done}/${this.total}] ${r.student} ${score} (${how})`);
        break;
      }
    }
  };

  /** Clears the bar, leaving the terminal as it was found. */
  finish(): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[K');
  }

  private line(text: string): void {
    this.stream.write(this.stream.isTTY ? `\r\x1b[K${text}\n` : `pinrig grade: ${text}\n`);
    this.redraw();
  }

  private redraw(): void {
    if (!this.stream.isTTY || this.total === 0) return;
    const filled = Math.round((this.done / this.total) * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${this.done}/${this.total}`;
    const now = [...this.active].map(([student, phase]) => `${student}: ${phase}`).join(', ');
    const elapsed = `${((performance.now() - this.started) / 1000).toFixed(0)} s`;
    const text = `${bar} ${elapsed}${now ? `  ${now}` : ''}`;
    this.stream.write(`\r\x1b[K${text.slice(0, Math.max(20, (this.stream.columns ?? 100) - 1))}`);
  }
}
