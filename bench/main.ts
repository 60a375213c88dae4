/**
 * The benchmark runner (`deno task bench`): finds every `bench/suites/*.ts`,
 * imports it, runs the suites it exports with mitata in this one process, and
 * prints a table per suite (or, with `--json`, one JSON array and nothing else
 * on stdout; progress goes to stderr).
 *
 * Leaves out: comparing against earlier runs and choosing CPU affinity; the
 * numbers are only as steady as the machine they run on.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  type BenchResult,
  type BenchSuite,
  CASE_BUDGET_MS,
  formatRate,
  formatSuite,
  measureSuite,
} from "./harness.ts";

const HELP = `Usage: deno task bench [--json] [--filter TEXT] [--help]

Runs every suite exported by bench/suites/*.ts and prints a table per suite:
operations per second for each case and its ratio to the suite's first
non-peer case (peers, outside packages, show how many times faster that is).

  --json         print one JSON array [{ suite, name, opsPerSecond, peer }]
                 on stdout and nothing else (progress goes to stderr)
  --filter TEXT  run only the suites whose name contains TEXT
  --help         show this text
`;

/**
 * Import every suite module in sorted file order and collect its suites. A
 * module that fails to load is reported on stderr and skipped (its suites
 * cannot be named, so a filter cannot exclude it); the run then exits with 1.
 */
async function discover(): Promise<{ suites: BenchSuite[]; broken: string[] }> {
  const dir = new URL("./suites/", import.meta.url);
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) files.push(e.name);
  }
  files.sort();
  const suites: BenchSuite[] = [];
  const broken: string[] = [];
  for (const f of files) {
    try {
      const mod = await import(new URL(f, dir).href);
      if (typeof mod.suites !== "function") throw new Error("it does not export suites()");
      suites.push(...(mod.suites() as BenchSuite[]));
    } catch (err) {
      console.error(`bench/suites/${f} skipped: ${err instanceof Error ? err.message : err}`);
      broken.push(f);
    }
  }
  return { suites, broken };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      json: { type: "boolean", default: false },
      filter: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const json = values.json;
  const log = (s: string) => console.error(s);
  // With --json, stdout carries the array only: route stray console.log output to stderr.
  const realLog = console.log;
  if (json) console.log = (...a: unknown[]) => console.error(...a);

  const { suites: all, broken } = await discover();
  const chosen: Array<BenchSuite | undefined> = all.filter((s) =>
    values.filter === undefined || s.suite.includes(values.filter)
  );
  if (chosen.length === 0) {
    log(`no suite matches ${JSON.stringify(values.filter)}; suites: ${all.map((s) => s.suite)}`);
    return 1;
  }
  all.length = 0;
  const results: BenchResult[] = [];
  const started = performance.now();
  for (let i = 0; i < chosen.length; i++) {
    // Let go of each suite once it has run, so that the tables its module built
    // (hundreds of megabytes for the peers of the LPM suites) are collected
    // before later suites are timed rather than slowing their garbage collection.
    const s = chosen[i]!;
    chosen[i] = undefined;
    log(`# ${s.suite}: ${s.about}`);
    const t0 = performance.now();
    const cases = s.cases;
    log(`  (set up in ${((performance.now() - t0) / 1e3).toFixed(1)} s)`);
    const rates = await measureSuite(cases, CASE_BUDGET_MS);
    const mine: BenchResult[] = cases.map((c, k) => ({
      suite: s.suite,
      name: c.name,
      opsPerSecond: rates[k]!,
      peer: c.peer,
    }));
    for (const r of mine) {
      log(`  ${r.name}${r.peer ? " (peer)" : ""}: ${formatRate(r.opsPerSecond)} ops/s`);
    }
    log(`  (suite took ${((performance.now() - t0) / 1e3).toFixed(1)} s)`);
    results.push(...mine);
    if (!json) realLog(formatSuite(s, mine) + "\n");
  }
  log(`# done in ${((performance.now() - started) / 1e3).toFixed(1)} s`);
  if (json) realLog(JSON.stringify(results));
  return broken.length === 0 ? 0 : 1;
}

Deno.exit(await main());
