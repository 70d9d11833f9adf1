// Summaries the benchmark reports: percentiles of one sample, and the range of one figure over rounds.

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** p50 / p99 / max (and n) of a list of values; nulls when empty. */
export function summary(values) {
  if (values.length === 0) return { p50: null, p99: null, max: null, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], n: sorted.length };
}

/** min / median / max of one figure over rounds (nulls ignored); null when no round has it. */
export function range(values) {
  const xs = values.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length / 2;
  const median = xs.length % 2 === 1 ? xs[Math.floor(mid)] : (xs[mid - 1] + xs[mid]) / 2;
  return { min: xs[0], median, max: xs[xs.length - 1], n: xs.length };
}
