/**
 * `deno task compare [options]`: congestion-control algorithms side by side
 * on a simulated dumbbell (see `--help`). The command's logic is in
 * `compare/cli.ts`; this is the process boundary that hands it the real
 * stdout and stderr, the file system, the wall clock (`performance.now`, for
 * the progress bar and `wallSeconds`) and the simulation runner, and exits
 * with its status: 0 ok, 1 a run or a write failed, 2 a bad command line.
 *
 * With more than one core each run goes to a worker thread, as many at once
 * as `--jobs` says (default one per core). The workers are started as soon
 * as the command line is parsed, so that loading the simulator's modules in
 * each overlaps the others'; a worker times its simulation itself
 * (`wallSeconds` is the run, not the worker's start-up), and takes the next
 * run when it is done. With one core the runs go one after another in this
 * thread, which then loads the simulator (it does not otherwise).
 *
 * @module
 */
import { main, type Runner } from "./compare/cli.ts";
import type { CompareResult } from "./compare/types.ts";
import type { WorkerMessage } from "./compare_worker_main.ts";

/** The simulation runner in this thread, with the wall clock it uses for its own timings. */
function simulationRunner(clock: () => number): Runner {
  return async (config, onProgress) => {
    const { runComparison } = await import("./compare/run.ts");
    return runComparison(config, { onProgress, clock });
  };
}

/**
 * Worker threads that run one configuration at a time. A worker that has
 * finished a run waits for the next one, so the modules are loaded and
 * compiled once per worker rather than once per run (the process exits with
 * its workers). `start(n)` starts `n` of them ahead of the first run.
 */
function workerPool(): { runner: Runner; start: (n: number) => void } {
  const idle: Worker[] = [];
  const spawn = () =>
    new Worker(new URL("./compare_worker_main.ts", import.meta.url).href, { type: "module" });
  const start = (n: number) => {
    while (idle.length < n) idle.push(spawn());
  };
  const runner: Runner = (config, onProgress) =>
    new Promise<CompareResult>((resolve, reject) => {
      const w = idle.shift() ?? spawn();
      w.onmessage = (e: MessageEvent<WorkerMessage>) => {
        const m = e.data;
        if (m.type === "progress") onProgress(m.fraction, m.label);
        else if (m.type === "result") {
          idle.push(w);
          resolve(m.result);
        } else {
          w.terminate();
          reject(new Error(m.message));
        }
      };
      w.onerror = (e) => {
        e.preventDefault();
        w.terminate();
        reject(new Error(e.message));
      };
      w.postMessage(config);
    });
  return { runner, start };
}

function writeAll(fd: typeof Deno.stdout, text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) off += fd.writeSync(bytes.subarray(off));
}

if (import.meta.main) {
  const now = () => performance.now();
  const cores = Math.max(1, navigator.hardwareConcurrency ?? 1);
  const pool = cores > 1 ? workerPool() : undefined;
  const status = await main(Deno.args, {
    out: (t) => writeAll(Deno.stdout, t),
    err: (t) => writeAll(Deno.stderr, t),
    writeFile: (path, text) => Deno.writeTextFile(path, text),
    now,
    isTerminal: Deno.stderr.isTerminal(),
    // One worker per core unless --jobs says otherwise; a single core runs in this thread.
    runner: pool?.runner ?? simulationRunner(now),
    parallel: cores,
    prepare: pool?.start,
  });
  Deno.exit(status);
}
