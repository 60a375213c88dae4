/**
 * `deno task compare [options]`: congestion-control algorithms side by side
 * on a simulated dumbbell (see `--help`). The command's logic is in
 * `compare/cli.ts`; this is the process boundary that hands it the real
 * stdout and stderr, the file system, the wall clock (`performance.now`, for
 * the progress bar and `wallSeconds`) and the simulation runner, and exits
 * with its status: 0 ok, 1 a run or a write failed, 2 a bad command line.
 *
 * @module
 */
import { main, type Runner } from "./compare/cli.ts";
import { runComparison } from "./compare/run.ts";

/** The simulation runner with the wall clock it uses for its own timings. */
function simulationRunner(clock: () => number): Runner {
  return (config, onProgress) => runComparison(config, { onProgress, clock });
}

function writeAll(fd: typeof Deno.stdout, text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) off += fd.writeSync(bytes.subarray(off));
}

if (import.meta.main) {
  const now = () => performance.now();
  const status = await main(Deno.args, {
    out: (t) => writeAll(Deno.stdout, t),
    err: (t) => writeAll(Deno.stderr, t),
    writeFile: (path, text) => Deno.writeTextFile(path, text),
    now,
    isTerminal: Deno.stderr.isTerminal(),
    runner: simulationRunner(now),
  });
  Deno.exit(status);
}
