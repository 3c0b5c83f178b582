/**
 * Summary statistics of a list of measurements (pulse widths, periods, latencies, duty cycles).
 */

/**
 * With count 0 every figure is 0, so an empty measurement never spreads NaN into reports; check `count` first.
 * `stdDev` is the population standard deviation (the RMS deviation from the mean), as period jitter is defined.
 */
export interface Stats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  readonly stdDev: number;
}

export const NO_STATS: Stats = { count: 0, min: 0, max: 0, mean: 0, median: 0, stdDev: 0 };

/**
 * Statistics of `values` divided by `divisor` (pass the tick rate to turn ticks into seconds).
 * Works on the undivided values so that min, max and median of integer ticks stay exact until the last step.
 */
export function summarize(values: ArrayLike<number>, divisor = 1): Stats {
  const count = values.length;
  if (count === 0) return NO_STATS;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / count;
  let squares = 0;
  for (const v of sorted) squares += (v - mean) ** 2;
  const middle = count >> 1;
  const median = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return {
    count,
    min: sorted[0]! / divisor,
    max: sorted[count - 1]! / divisor,
    mean: mean / divisor,
    median: median / divisor,
    stdDev: Math.sqrt(squares / count) / divisor,
  };
}
