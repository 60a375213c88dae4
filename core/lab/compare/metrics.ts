/**
 * The statistics behind the comparison's metrics, each with one exact
 * definition so that the runner, the synthetic generator and the docs agree:
 * the arithmetic mean, the nearest-rank percentile, the sample standard
 * deviation over seeds and Jain's fairness index.
 *
 * Plain functions over arrays of numbers; no time series handling, no
 * weighting (a caller that wants a time-weighted mean samples evenly first).
 *
 * @module
 */

/** The arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The nearest-rank percentile: the smallest value such that at least `p`
 * percent of the values are less than or equal to it, i.e. the
 * ⌈p/100 · n⌉-th smallest (1-based). Always one of the values, never an
 * interpolation; NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  // A typed array sorts numerically without a comparator call per comparison
  // (several times faster on the 10⁵ RTT samples of a run).
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** The sample standard deviation (n − 1 in the denominator); 0 for fewer than two values. */
export function stddev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (values.length - 1));
}

/**
 * Jain's fairness index (Σx)² / (n · Σx²): 1 when all shares are equal, 1/n
 * when one flow has everything. 1 for a single flow, and for flows that all
 * got nothing (equal shares of zero).
 */
export function jainIndex(shares: readonly number[]): number {
  if (shares.length === 0) return NaN;
  let sum = 0;
  let sq = 0;
  for (const x of shares) {
    sum += x;
    sq += x * x;
  }
  if (sq === 0) return 1;
  return (sum * sum) / (shares.length * sq);
}
