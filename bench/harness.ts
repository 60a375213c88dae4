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
 * Measuring: each case's `fn` is called once untimed (warm-up, and the place
 * for a suite to have checked its peers' answers), then timed with mitata's
 * `measure` in short samples of 16 calls; the reported rate is
 * `ops / median time per call`. The median keeps slow samples (a GC pause, a
 * preemption by another process) from moving the result.
 * Cases whose single call takes long (table builds) get few samples so that the
 * whole run stays within its time budget.
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

/** How long to spend measuring one case, in milliseconds. */
export const CASE_BUDGET_MS = 400;

/** Measure one case; returns operations per second. */
export async function measureCase(c: BenchCase, budgetMs = CASE_BUDGET_MS): Promise<number> {
  const t0 = performance.now();
  c.fn();
  const first = performance.now() - t0;
  if (first > budgetMs / 4) {
    // Slow case (a whole-table build): a few plain timed calls, median of them.
    const n = Math.max(1, Math.min(5, Math.floor(budgetMs / first)));
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      c.fn();
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    return c.ops / (times[(times.length - 1) >> 1]! / 1e3);
  }
  // Short samples (a few calls each): on a shared machine, a sample that spans a
  // preemption is an outlier the median ignores; mitata's default (4096 calls a
  // sample) would fold every preemption into every sample.
  const stats = await measure(c.fn, {
    min_cpu_time: budgetMs * 1e6,
    min_samples: 8,
    max_samples: 1e6,
    batch_samples: 16,
  });
  return c.ops / (stats.p50 / 1e9);
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
