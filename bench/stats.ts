/** Figures for benchmarks: the median of several runs, printed beside a baseline. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function row(label: string, values: readonly number[], unit: string, digits = 1): string {
  const m = median(values);
  return `${label.padEnd(44)} median ${m.toFixed(digits).padStart(8)} ${unit}   (n=${values.length}, min ${Math.min(...values).toFixed(digits)}, max ${Math.max(...values).toFixed(digits)})`;
}
