import assert from "node:assert/strict";
import { main, type MainIo, type Runner, runTimed } from "./cli.ts";
import { USAGE } from "./options.ts";
import { algo, flow } from "./fixture_testing.ts";
import type { CompareConfig } from "./types.ts";

/** A runner that returns fixed numbers and advances a fake clock by 250 ms per run. */
function fixture() {
  let clock = 0;
  const calls: CompareConfig[] = [];
  const runner: Runner = (config, onProgress) => {
    calls.push(config);
    onProgress(0.5, `${config.algos[0]} seed 1`);
    clock += 250;
    onProgress(1, `${config.algos[0]} seed 1`);
    return { config, results: config.algos.map((a) => algo(a, [flow(a)], { wallSeconds: 0 })) };
  };
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const io: MainIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    writeFile: (path, text) => {
      if (path.startsWith("/nonexistent/")) {
        return Promise.reject(new Error("No such file or directory"));
      }
      files.set(path, text);
      return Promise.resolve();
    },
    now: () => clock,
    isTerminal: false,
    runner,
  };
  return { io, out, err, files, calls };
}

Deno.test("compare: prints the table, one timed run per algorithm", async () => {
  const f = fixture();
  assert.equal(await main(["--duration", "2s"], f.io), 0);
  assert.deepEqual(f.calls.map((c) => c.algos), [["newreno"], ["cubic"], ["bbr"]]);
  assert.equal(f.calls[0]!.durationS, 2);
  const text = f.out.join("");
  assert.match(text, /^dumbbell 100 Mbit\/s, RTT 44 ms, buffer 367 pkts \(1bdp\)/);
  assert.match(text, /\nbbr\s+91\.2/);
  assert.deepEqual(f.err, []);
});

Deno.test("compare: --json prints only JSON, with the measured wall time", async () => {
  const f = fixture();
  assert.equal(await main(["--json", "--algos", "cubic,bbr"], f.io), 0);
  const out = JSON.parse(f.out.join(""));
  assert.deepEqual(out.config.algos, ["cubic", "bbr"]);
  assert.deepEqual(out.results.map((r: { wallSeconds: number }) => r.wallSeconds), [0.25, 0.25]);
});

Deno.test("compare: --html writes the report; a failed write is exit 1", async () => {
  const f = fixture();
  assert.equal(await main(["--html", "out.html"], f.io), 0);
  assert.ok(f.files.get("out.html")!.startsWith("<!DOCTYPE html>"));
  assert.deepEqual(f.err, ["report written to out.html\n"]);
  const g = fixture();
  assert.equal(await main(["--html", "/nonexistent/x.html"], g.io), 1);
  assert.match(g.err.join(""), /^compare: cannot write \/nonexistent\/x\.html: No such file/);
});

Deno.test("compare: --help prints the usage; a bad flag is one line on stderr and exit 2", async () => {
  const f = fixture();
  assert.equal(await main(["--help"], f.io), 0);
  assert.equal(f.out.join(""), USAGE);
  const g = fixture();
  assert.equal(await main(["--bw", "fast"], g.io), 2);
  assert.deepEqual(g.out, []);
  assert.deepEqual(g.err, [
    'compare: --bw: expected a rate such as 100mbit (bit, kbit, mbit, gbit): "fast"\n',
  ]);
});

Deno.test("compare: a failing run is exit 1 with a one-line message", async () => {
  const g = fixture();
  g.io.runner = () => {
    throw new Error("boom");
  };
  assert.equal(await main([], g.io), 1);
  assert.equal(g.err.join(""), "compare: the run failed: boom\n");
});

Deno.test("compare: --fake runs the synthetic generator and says so", async () => {
  const f = fixture();
  assert.equal(
    await main(["--fake", "--duration", "1s", "--algos", "cubic", "--html", "r.html"], f.io),
    0,
  );
  assert.equal(f.calls.length, 0);
  assert.match(f.out.join(""), /^\(Synthetic data/);
  assert.ok(f.files.get("r.html")!.includes('class="notice"'));
});

Deno.test("compare: progress on a terminal goes to stderr and is erased", async () => {
  const f = fixture();
  f.io.isTerminal = true;
  // Each run takes 250 ms of the fake clock: the bar appears after a second.
  assert.equal(await main(["--algos", "newreno,cubic,bbr,cubic+bbr,newreno+bbr"], f.io), 0);
  const err = f.err.join("");
  assert.match(err, /\r\[#+\.*\]\s+\d+% [\w+]+ seed 1/);
  assert.ok(err.endsWith("\r"));
  const g = fixture();
  g.io.isTerminal = true;
  assert.equal(await main(["--json"], g.io), 0);
  assert.deepEqual(g.err, []);
});

Deno.test("compare: runTimed maps each run's progress onto the whole", async () => {
  const seen: number[] = [];
  let t = 0;
  const runner: Runner = (config, onProgress) => {
    onProgress(0.5, "");
    t += 1000;
    return { config, results: [algo(config.algos[0]!, [flow(config.algos[0]!)])] };
  };
  const c: CompareConfig = {
    algos: ["a", "b"],
    flows: 1,
    bandwidth: 1e6,
    rttMs: [10],
    bufferPackets: 10,
    buffer: "10p",
    aqm: "droptail",
    loss: 0,
    durationS: 1,
    seeds: [1],
    mss: 1448,
  };
  const r = await runTimed(c, runner, () => t, (f) => seen.push(f));
  assert.deepEqual(seen, [0.25, 0.75]);
  // The runner timed its simulation itself (the fixture's 0.8123 s): that is the wall time.
  assert.deepEqual(r.results.map((a) => a.wallSeconds), [0.8123, 0.8123]);
  assert.equal(r.config, c);
  // A runner without its own timing is timed around the call.
  const untimed: Runner = (config) => {
    t += 1000;
    return {
      config,
      results: [algo(config.algos[0]!, [flow(config.algos[0]!)], { wallSeconds: 0 })],
    };
  };
  const u = await runTimed(c, untimed, () => t, () => {});
  assert.deepEqual(u.results.map((a) => a.wallSeconds), [1, 1]);
});

Deno.test("compare: --jobs sets how many runs go at once, and the workers started ahead", async () => {
  for (const [args, parallel, expected] of [[[], 2, 2], [["--jobs", "1"], 2, 1]] as const) {
    const f = fixture();
    let running = 0, most = 0;
    const started: number[] = [];
    const io: MainIo = {
      ...f.io,
      parallel,
      prepare: (n) => started.push(n),
      runner: async (config) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        return { config, results: [algo(config.algos[0]!, [flow(config.algos[0]!)])] };
      },
    };
    assert.equal(await main(["--json", ...args], io), 0);
    assert.equal(most, expected, args.join(" "));
    assert.deepEqual(started, [expected]);
  }
});
