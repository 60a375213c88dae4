/**
 * packetlab against ns-3 on the same machine, run by run: for each algorithm,
 * alternately `deno task compare --jobs 1 --algos A --json` and the ns-3
 * program `dumbbell.cc` (this folder) with the same dumbbell, and a table of
 * the wall times with their medians and the ratio. Alternating makes the two
 * share whatever the machine is doing at the time, so the ratio holds even
 * where the absolute times do not.
 *
 * Usage (after building `dumbbell.cc`, see its header):
 *
 *     deno run --allow-run --allow-read bench/ns3/side_by_side.ts ./dumbbell [runs] [algos]
 *
 * Two times are compared for each side: the simulation alone (packetlab's
 * `wallSeconds`, the ns-3 program's `Simulator::Run`), and the whole command
 * from start to exit (start-up, module loading or linking, the report).
 *
 * Leaves out: any check that the two simulators' results agree; they are two
 * TCP implementations and differ in detail (goodput is printed beside the
 * times so the reader can see both did the same work).
 *
 * @module
 */

const NS3_NAMES: Record<string, string> = {
  newreno: "TcpNewReno",
  cubic: "TcpCubic",
  bbr: "TcpBbr",
};

/** One run's times, seconds, and goodput, Mbit/s. */
interface Timing {
  sim: number;
  total: number;
  goodput: number;
}

async function run(cmd: string, args: string[]): Promise<{ out: string; seconds: number }> {
  const t0 = performance.now();
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const seconds = (performance.now() - t0) / 1e3;
  if (!r.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(r.stderr)}`);
  }
  return { out: new TextDecoder().decode(r.stdout), seconds };
}

async function packetlab(algo: string): Promise<Timing> {
  const root = new URL("../..", import.meta.url).pathname;
  const { out, seconds } = await run(Deno.execPath(), [
    "task",
    "--cwd",
    root,
    "compare",
    "--jobs",
    "1",
    "--algos",
    algo,
    "--json",
  ]);
  const r = JSON.parse(out).results[0];
  return { sim: r.wallSeconds, total: seconds, goodput: r.goodputMbps };
}

async function ns3(binary: string, algo: string): Promise<Timing> {
  const { out, seconds } = await run(binary, [`--algo=${NS3_NAMES[algo]}`]);
  const field = (name: string) => Number(out.match(new RegExp(`${name} ([0-9.e+-]+)`))?.[1]);
  const sim = field("run_s"), goodput = field("goodputMbps");
  if (Number.isNaN(sim) || Number.isNaN(goodput)) {
    throw new Error(`${binary} printed no "goodputMbps … run_s …" line: ${out.trim()}`);
  }
  return { sim, total: seconds, goodput };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const [binary, runsText = "5", algosText = "newreno,cubic,bbr"] = Deno.args;
if (binary === undefined) {
  console.error("usage: side_by_side.ts NS3_DUMBBELL_BINARY [runs] [algos]");
  Deno.exit(2);
}
const runs = Number(runsText);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`runs must be a whole number of at least 1, not "${runsText}"`);
  Deno.exit(2);
}
try {
  if (!Deno.statSync(binary).isFile) throw new Error("not a file");
} catch {
  console.error(`${binary}: no such program (build bench/ns3/dumbbell.cc first, see its header)`);
  Deno.exit(2);
}
const algos = algosText.split(",");
for (const a of algos) {
  if (!(a in NS3_NAMES)) {
    console.error(`unknown algorithm "${a}" (newreno, cubic, bbr)`);
    Deno.exit(2);
  }
}
async function table(binary: string): Promise<void> {
  const f = (x: number) => x.toFixed(2);
  console.log(
    "| algorithm | run | packetlab sim / total (s) | ns-3 sim / total (s) | goodput Mbit/s, packetlab / ns-3 |",
  );
  console.log("| --- | --: | --: | --: | --: |");
  for (const algo of algos) {
    const ours: Timing[] = [], theirs: Timing[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so neither always runs on a machine the other just warmed.
      const pair = i % 2 === 0
        ? [await packetlab(algo), await ns3(binary, algo)]
        : [await ns3(binary, algo), await packetlab(algo)].reverse();
      ours.push(pair[0]!);
      theirs.push(pair[1]!);
      const [p, n] = pair as [Timing, Timing];
      console.log(
        `| ${algo} | ${i + 1} | ${f(p.sim)} / ${f(p.total)} | ${f(n.sim)} / ${f(n.total)} | ${
          p.goodput.toFixed(1)
        } / ${n.goodput.toFixed(1)} |`,
      );
    }
    const ps = median(ours.map((t) => t.sim)), pt = median(ours.map((t) => t.total));
    const ns = median(theirs.map((t) => t.sim)), nt = median(theirs.map((t) => t.total));
    const pairRatios = ours.map((t, i) => theirs[i]!.total / t.total);
    console.log(
      `| ${algo} | median | ${f(ps)} / ${f(pt)} | ${f(ns)} / ${f(nt)} | ×${f(ns / ps)} (sim), ×${
        f(nt / pt)
      } (total); per pair ×${f(Math.min(...pairRatios))}-×${f(Math.max(...pairRatios))} |`,
    );
  }
}

try {
  await table(binary);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  Deno.exit(1);
}
