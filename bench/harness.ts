/**
 * The benchmark contract shared by every `bench/suites/*.ts` module, and the
 * measuring loop `bench/main.ts` runs them with.
 *
 * A suite module exports `suites(): BenchSuite[]`. `suites()` must be cheap:
 * build tables and other expensive state lazily (for example with `lazy()`
 * below, or by making `cases` a getter), because the runner calls `suites()` on
 * every module to learn the suite names before it applies `--filter`, and reads
 * `cases` only for the suites it is about to run.
 *
 * Measuring (`measureSuite`): each case's `fn` is called twice untimed
 * (warm-up, and the place for a suite to have checked its peers' answers); then
 * the cases take turns for three rounds, each round timing a case with mitata's
 * `measure` in short samples of 16 calls (`ops / median time per call`); a
 * case whose single call is long (a table build) is timed by its second warm-up
 * call alone. A case reports the median of its rounds.
 *
 * Leaves out: statistical comparison between runs, CPU counters, and isolation
 * between cases (they share one process and its heap, as they would in the
 * simulator).
 *
 * @module
 */
import { measure } from "mitata";

/** One measured operation. */
export interface BenchCase {
  name: string;
  /** true for an outside package measured for comparison */
  peer: boolean;
  /** operations done by one call of fn (e.g. 1024 lookups) */
  ops: number;
  fn: () => unknown;
}

/** A group of cases compared with each other. */
export interface BenchSuite {
  suite: string;
  /** one line: what is measured */
  about: string;
  cases: BenchCase[];
}

/** One measured result, as `--json` prints it. */
export interface BenchResult {
  suite: string;
  name: string;
  opsPerSecond: number;
  peer: boolean;
}

/** A value computed on first use and kept: for tables that only some suites need. */
export function lazy<T>(make: () => T): () => T {
  let done = false;
  let value: T | undefined;
  return () => {
    if (!done) {
      value = make();
      done = true;
    }
    return value as T;
  };
}

/** How long to spend measuring one case in all, in milliseconds. */
export const CASE_BUDGET_MS = 450;
/** Rounds per suite: every case is measured once per round, cases taking turns. */
export const ROUNDS = 3;

/** Median of a non-empty list of numbers. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One mitata timing of a case; returns operations per second. */
async function timeCase(c: BenchCase, budgetMs: number): Promise<number> {
  // Short samples (16 calls each): on a shared machine a sample that spans a
  // preemption is an outlier the median ignores; mitata's default (4096 calls a
  // sample) would fold every preemption into every sample.
  const stats = await measure(c.fn, {
    min_cpu_time: budgetMs * 1e6,
    min_samples: 8,
    max_samples: 1e6,
    batch_samples: 16,
    // No full GC before every measurement (measureSuite runs one per suite):
    // with big tables loaded, each would cost about a second.
    gc: false,
  });
  return c.ops / (stats.p50 / 1e9);
}

/**
 * Measure every case of a suite; returns operations per second per case. Each
 * case is called twice to warm up: the first call may build lazy state; a
 * second call longer than a quarter of a round's budget (a whole-table build)
 * marks a slow case and is its only timing. Then the other cases take turns for
 * ROUNDS rounds and each reports the median of its rounds, so that a burst of
 * interference from other processes hits one round of several cases rather
 * than a whole case.
 */
export async function measureSuite(
  cases: BenchCase[],
  budgetMs = CASE_BUDGET_MS,
  rounds = ROUNDS,
): Promise<number[]> {
  const perRound = budgetMs / rounds;
  // The first call may build lazy state; the second tells slow cases apart and
  // is their only timing (a whole-table build is long enough to time once).
  const rates: number[][] = cases.map(() => []);
  const slow = cases.map((c, i) => {
    c.fn();
    const t0 = performance.now();
    c.fn();
    const ms = performance.now() - t0;
    if (ms <= perRound / 4) return false;
    rates[i]!.push(c.ops / (ms / 1e3));
    return true;
  });
  // Settle the heap after the warm-up built its tables, so that pending GC work
  // is not billed to the first case timed (needs --expose-gc, as the bench task has).
  (globalThis as { gc?: () => void }).gc?.();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      if (slow[i]) continue;
      rates[i]!.push(await timeCase(cases[i]!, perRound));
    }
  }
  return rates.map(median);
}

/** Format a rate with an SI suffix: 1.23 G, 45.6 M, 789 k. */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const units: [number, string][] = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [scale, unit] of units) {
    if (x >= scale) return `${(x / scale).toPrecision(3)} ${unit}`;
  }
  return x.toPrecision(3);
}

/**
 * Text table for one suite: each case's rate and its ratio to the suite's first
 * non-peer case; a peer's row says how many times faster that case is.
 */
export function formatSuite(s: BenchSuite, results: BenchResult[]): string {
  const base = results.find((r) => !r.peer);
  const rows: string[][] = [["case", "ops/s", "vs " + (base?.name ?? "-")]];
  for (const r of results) {
    let ratio = "";
    if (base !== undefined && r !== base) {
      const k = base.opsPerSecond / r.opsPerSecond;
      ratio = r.peer ? `×${k.toPrecision(3)} faster than ${r.name}` : `×${(1 / k).toPrecision(3)}`;
    } else if (r === base) ratio = "baseline";
    rows.push([r.name + (r.peer ? " (peer)" : ""), formatRate(r.opsPerSecond), ratio]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    `  ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!}`;
  return [`${s.suite}: ${s.about}`, ...rows.map(line)].join("\n");
}
