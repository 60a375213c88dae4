/**
 * The comparison command without its process boundary: {@link main} parses
 * the flags, runs one comparison per algorithm or mix through a
 * {@link Runner} (`wallSeconds` is the runner's own timing of the simulation
 * when it reports one, else the time around the call, by the clock it is
 * given), drives the progress bar, prints the table or the JSON and
 * writes the HTML report, all through a {@link MainIo} the entry point
 * (`core/lab/compare_main.ts`) fills with the real terminal, files, clock and
 * simulation runner, and tests fill with fakes.
 *
 * It reads no clock and touches no file or terminal itself.
 *
 * @module
 */
import {
  type CompareOptions,
  OptionError,
  parseCompareArgs,
  toCompareConfig,
  USAGE,
} from "./options.ts";
import { fakeComparison } from "./fake.ts";
import { formatTable } from "./table.ts";
import { formatJson } from "./json.ts";
import { renderReport } from "./report.ts";
import { createProgress } from "./progress.ts";
import type { AlgoResult, CompareConfig, CompareResult } from "./types.ts";

/**
 * A runner: one comparison for a configuration, reporting progress as it goes.
 * It may answer at once or later (a runner that uses a worker thread).
 */
export type Runner = (
  config: CompareConfig,
  onProgress: (fraction: number, label: string) => void,
) => CompareResult | Promise<CompareResult>;

/** What {@link main} uses from the outside world; tests pass their own. */
export interface MainIo {
  /** Standard output. */
  out: (text: string) => void;
  /** Standard error. */
  err: (text: string) => void;
  /** Write a text file. */
  writeFile: (path: string, text: string) => Promise<void>;
  /** Wall clock, ms. */
  now: () => number;
  /** Whether stderr is a terminal (progress bar). */
  isTerminal: boolean;
  /** The simulation runner (for `--fake` the synthetic one is used instead). */
  runner: Runner;
  /** How many runs may go at once (worker threads; 1 when absent), unless `--jobs` says. */
  parallel?: number;
  /**
   * Called once the command line is known, with the number of simulations
   * that will run at once, before the first: a runner that uses worker
   * threads starts that many here, so their start-up overlaps the rest of the
   * command's.
   */
  prepare?: (runs: number) => void;
}

/** The notice the report and the table carry when the data are synthetic. */
export const FAKE_NOTICE =
  "Synthetic data from the fluid-model stand-in (--fake), not a packet simulation: the numbers are illustrative only.";

/**
 * Run one comparison per algorithm or mix, timing each, and join the results
 * under the full configuration. `onProgress` gets the fraction of the whole.
 */
export async function runTimed(
  config: CompareConfig,
  runner: Runner,
  now: () => number,
  onProgress: (fraction: number, label: string) => void,
  parallel = 1,
): Promise<CompareResult> {
  const n = config.algos.length;
  const fractions = new Array<number>(n).fill(0);
  const perAlgo: AlgoResult[][] = new Array(n);
  let next = 0;
  // Up to `parallel` runs at once; results keep the order of the algorithms.
  const lane = async () => {
    while (next < n) {
      const i = next++;
      const algo = config.algos[i]!;
      const one: CompareConfig = { ...config, algos: [algo] };
      const t0 = now();
      const r = await runner(one, (f, label) => {
        fractions[i] = Math.min(1, Math.max(0, f));
        onProgress(fractions.reduce((x, y) => x + y, 0) / n, label || algo);
      });
      const wall = (now() - t0) / 1000;
      fractions[i] = 1;
      // The runner's own timing (the simulation alone) when it has one.
      perAlgo[i] = r.results.map((a) => ({
        ...a,
        wallSeconds: a.wallSeconds > 0 ? a.wallSeconds : wall / r.results.length,
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, n)) }, lane));
  return { config, results: perAlgo.flat() };
}

/** The command: parse `args`, run, print, write. Returns the exit status. */
export async function main(args: readonly string[], io: MainIo): Promise<number> {
  let options: CompareOptions;
  try {
    options = parseCompareArgs(args);
  } catch (e) {
    if (e instanceof OptionError) {
      io.err(`compare: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  const config = toCompareConfig(options);
  const parallel = options.fake ? 1 : options.jobs ?? io.parallel ?? 1;
  if (!options.fake) io.prepare?.(Math.min(config.algos.length, parallel));
  const runner = options.fake ? fakeComparison : io.runner;
  const progress = createProgress({
    now: io.now,
    write: io.err,
    enabled: io.isTerminal && !options.json,
  });
  let result: CompareResult;
  try {
    result = await runTimed(
      config,
      runner,
      io.now,
      (f, label) => progress.update(f, label),
      parallel,
    );
  } catch (e) {
    progress.done();
    io.err(`compare: the run failed: ${(e as Error).message ?? e}\n`);
    return 1;
  }
  progress.done();
  if (options.json) {
    io.out(formatJson(result));
  } else {
    if (options.fake) io.out(`(${FAKE_NOTICE})\n\n`);
    io.out(formatTable(result));
  }
  if (options.html !== undefined) {
    try {
      await io.writeFile(
        options.html,
        renderReport(result, options.fake ? { notice: FAKE_NOTICE } : {}),
      );
    } catch (e) {
      io.err(`compare: cannot write ${options.html}: ${(e as Error).message}\n`);
      return 1;
    }
    if (!options.json) io.err(`report written to ${options.html}\n`);
  }
  return 0;
}
