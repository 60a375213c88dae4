/**
 * Benchmarks of the shortest-path algorithms in core/routing/algorithms against
 * two JavaScript graph libraries on the same graphs:
 * graphology-shortest-path (`dijkstra.singleSource`) and @dagrejs/graphlib
 * (`alg.dijkstra`, `alg.bellmanFord`).
 *
 * Graphs are seeded uniform random directed graphs (a Hamiltonian cycle for
 * strong connectivity plus uniformly random extra edges, no parallel edges or
 * self-loops) with integer link metrics 1..100, as routing protocols use:
 * 100k nodes / 1M edges and 10k nodes / 100k edges. Every case is one
 * single-source run from node 0 (`ops: 1`).
 *
 * Suites, in this order: `dijkstra-10k-100k`, `bellman-ford-10k-100k`,
 * `dijkstra-100k-1m` and `ecmp-100k-1m` (which first drops the big peer graph,
 * so that suites after this file's do not run beside it).
 *
 * Everything is lazy, as the harness asks: reading a suite's `cases` builds our
 * graph; the first call of a peer case (the harness's untimed warm-up call)
 * converts it to the peer's representation, runs the peer once and checks its
 * distances against ours on a sample of nodes (a mismatch throws); later calls
 * are the timed runs. Only one peer graph is held at a time, because graphlib's
 * 100k/1M graph takes about 1 GB and 20–40 s to build (its per-edge
 * dictionaries), which is most of this file's running time.
 *
 * What the peers do differs in ways that favour us and that we do not hide:
 * graphology's `singleSource` builds the full path (an array) to every node,
 * graphlib returns an object of `{ distance, predecessor }` records, and both
 * key nodes by strings. Ours returns typed arrays of distances and
 * predecessors. Uniform random graphs have no locality, so every run is bound
 * by cache and TLB misses; real topologies are kinder. Graph building is not
 * measured.
 *
 * Run standalone (`deno run -A --v8-flags=--expose-gc bench/suites/paths.ts`)
 * for Markdown tables of milliseconds per run with more peer runs than the
 * harness's budget allows.
 *
 * @module
 */
import { DirectedGraph } from "graphology";
import { dijkstra as graphologyDijkstra } from "graphology-shortest-path";
import * as graphlib from "@dagrejs/graphlib";
import { dijkstra, DijkstraWorkspace } from "../../core/routing/algorithms/dijkstra.ts";
import { bellmanFord } from "../../core/routing/algorithms/bellman_ford.ts";
import { dijkstraEcmp } from "../../core/routing/algorithms/ecmp.ts";
import type { CsrGraph } from "../../core/routing/algorithms/graph.ts";
import { randomGraph } from "../../core/routing/algorithms/random_graph.ts";
import { type BenchCase, type BenchSuite, lazy } from "../harness.ts";
import process from "node:process";

const SEED = 20250601;
const SOURCE = 0;
const SAMPLE = 2000;

/** The same graph with float weights (to show the cost of f64 vs u32 metrics). */
function withFloatWeights(g: CsrGraph): CsrGraph {
  return { ...g, weights: Float64Array.from(g.weights) };
}

/** The graph as a graphology directed graph with a `weight` attribute per edge. */
function toGraphology(g: CsrGraph): DirectedGraph {
  const out = new DirectedGraph({ multi: false, allowSelfLoops: false });
  for (let u = 0; u < g.nodeCount; u++) out.addNode(String(u));
  for (let u = 0; u < g.nodeCount; u++) {
    for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) {
      out.addDirectedEdge(String(u), String(g.targets[e]!), { weight: g.weights[e]! });
    }
  }
  return out;
}

/** The graph as a graphlib directed graph whose edge labels are the weights. */
function toGraphlib(g: CsrGraph): graphlib.Graph {
  const out = new graphlib.Graph({ directed: true });
  for (let u = 0; u < g.nodeCount; u++) out.setNode(String(u));
  for (let u = 0; u < g.nodeCount; u++) {
    for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) {
      out.setEdge(String(u), String(g.targets[e]!), g.weights[e]!);
    }
  }
  return out;
}

/** Evenly spread sample of node ids. */
function sample(n: number): number[] {
  const step = Math.max(1, Math.floor(n / SAMPLE));
  const out: number[] = [];
  for (let v = 0; v < n; v += step) out.push(v);
  return out;
}

function agree(what: string, v: number, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: distance to ${v} is ${got}, expected ${want}`);
}

function runGraphology(gg: DirectedGraph): Record<string, string[]> {
  return graphologyDijkstra.singleSource(gg, String(SOURCE), "weight");
}

function runGraphlib(gl: graphlib.Graph): Record<string, { distance: number }> {
  return graphlib.alg.dijkstra(gl, String(SOURCE), (e) => gl.edge(e) as number);
}

/** Check graphology's paths (summing their weights) against our distances. */
function verifyGraphology(gg: DirectedGraph, want: Float64Array): void {
  const paths = runGraphology(gg);
  for (const v of sample(want.length)) {
    const path = paths[String(v)];
    if (path === undefined) {
      agree("graphology", v, Infinity, want[v]!);
      continue;
    }
    let sum = 0;
    for (let i = 1; i < path.length; i++) {
      sum += gg.getDirectedEdgeAttribute(path[i - 1]!, path[i]!, "weight") as number;
    }
    agree("graphology", v, sum, want[v]!);
  }
}

function verifyGraphlib(
  result: Record<string, { distance: number }>,
  want: Float64Array,
  what: string,
): void {
  for (const v of sample(want.length)) agree(what, v, result[String(v)]!.distance, want[v]!);
}

/** The seeded benchmark graph of a given size (u32 metrics 1..100), memoised. */
const csrCache = new Map<string, CsrGraph>();
function csr(nodes: number, edges: number): CsrGraph {
  const key = `${nodes}/${edges}`;
  let g = csrCache.get(key);
  if (g === undefined) {
    g = randomGraph({
      nodes,
      edges,
      seed: SEED,
      parallel: false,
      minWeight: 1,
      maxWeight: 100,
      weightKind: "u32",
    });
    csrCache.set(key, g);
  }
  return g;
}

/**
 * One peer graph is kept at a time (graphlib's 100k/1M graph alone holds about
 * 1 GB); building another drops it, and so does any call of one of our own
 * cases when the kept graph is a 100k/1M one, so that our cases do not run
 * beside a heap that their allocations would make the garbage collector walk.
 */
let peerSlot: { key: string; graph: unknown; big: boolean } | undefined;
function peerGraph<T>(key: string, big: boolean, make: () => T): T {
  if (peerSlot?.key !== key) {
    peerSlot = undefined;
    collect();
    peerSlot = { key, graph: make(), big };
  }
  return peerSlot.graph as T;
}

/** Forget a kept 100k/1M peer graph (and collect it when the runtime allows). */
function dropBigPeerGraph(): void {
  if (peerSlot?.big) {
    peerSlot = undefined;
    collect();
  }
}

/** Run a full garbage collection when the runtime exposes one (`--v8-flags=--expose-gc`). */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * A case whose first call only prepares its inputs (for peers: builds the peer's
 * graph, runs the peer once and checks its distances against ours) and whose
 * later calls each do one run. Harnesses call every case once before timing it
 * (mitata's warm-up does).
 */
function lazyCase(
  name: string,
  peer: boolean,
  prepare: () => () => unknown,
): BenchCase {
  let run: (() => unknown) | undefined;
  return {
    name,
    peer,
    ops: 1,
    fn: () => {
      // Our cases drop a kept 100k/1M peer graph on any call: the harness warms
      // every case of a suite up before it times any, so the graph is still
      // there when our timed calls begin (peers' calls are over by then).
      if (!peer && peerSlot?.big) dropBigPeerGraph();
      if (run !== undefined) return run();
      run = prepare();
      collect();
      return undefined;
    },
  };
}

function dijkstraSuite(nodes: number, edges: number, label: string): BenchSuite {
  const key = `${nodes}/${edges}`;
  const big = edges >= 1_000_000;
  const g = () => csr(nodes, edges);
  const want = lazy(() => dijkstra(g(), SOURCE).dist);
  const cases = lazy((): BenchCase[] => {
    warmUp();
    g();
    // Peers first: the harness warms every case up, in order, before it times
    // any, so our first calls (which drop a big peer graph) then come after the
    // peers' and before all timed calls of ours.
    return [
      lazyCase("graphology-shortest-path dijkstra.singleSource", true, () => {
        // The run looks the graph up in the slot each time rather than holding
        // it, so that dropping the slot really frees it.
        const gg = () => peerGraph(`graphology ${key}`, big, () => toGraphology(g()));
        verifyGraphology(gg(), want());
        return () => runGraphology(gg());
      }),
      lazyCase("@dagrejs/graphlib alg.dijkstra", true, () => {
        const gl = () => peerGraph(`graphlib ${key}`, big, () => toGraphlib(g()));
        verifyGraphlib(runGraphlib(gl()), want(), "graphlib");
        return () => runGraphlib(gl());
      }),
      lazyCase("packetlab dijkstra (u32 metrics, fresh result arrays)", false, () => {
        const graph = g();
        return () => dijkstra(graph, SOURCE);
      }),
      lazyCase("packetlab dijkstra (u32 metrics, reused workspace)", false, () => {
        const graph = g();
        const workspace = new DijkstraWorkspace(graph.nodeCount);
        return () => dijkstra(graph, SOURCE, { workspace });
      }),
      lazyCase("packetlab dijkstra (f64 weights, reused workspace)", false, () => {
        const graph = withFloatWeights(g());
        const d = dijkstra(graph, SOURCE).dist;
        const w = want();
        for (let v = 0; v < nodes; v++) agree("packetlab f64", v, d[v]!, w[v]!);
        const workspace = new DijkstraWorkspace(graph.nodeCount);
        return () => dijkstra(graph, SOURCE, { workspace });
      }),
    ];
  });
  return {
    suite: `dijkstra-${label}`,
    about:
      `Single-source Dijkstra from node 0, seeded random digraph of ${nodes} nodes / ${edges} edges, metrics 1..100; ` +
      `peers on the same graph, their distances checked on ${SAMPLE} sampled nodes during warm-up.`,
    get cases() {
      return cases();
    },
  };
}

/**
 * Run our code paths on a small graph until they are optimised, so that the
 * first timed call is not cold (a case whose first timed call is slow is timed
 * by that call alone).
 */
const warmUp = lazy(() => {
  const g = csr(10_000, 100_000);
  const workspace = new DijkstraWorkspace(g.nodeCount);
  for (let i = 0; i < 20; i++) {
    dijkstra(g, i);
    dijkstra(g, i, { workspace });
  }
  for (let i = 0; i < 10; i++) {
    dijkstraEcmp(g, i);
    bellmanFord(g, i);
  }
  return true;
});

/**
 * Every suite of this file. Cheap: graphs are built when a suite's cases are
 * first read, peer graphs on a peer case's first (warm-up) call.
 */
export function suites(): BenchSuite[] {
  const small = () => csr(10_000, 100_000);
  const bfCases = lazy((): BenchCase[] => {
    warmUp();
    return [
      lazyCase("packetlab bellmanFord", false, () => {
        const graph = small();
        const got = bellmanFord(graph, SOURCE).dist;
        const want = dijkstra(graph, SOURCE).dist;
        for (let v = 0; v < graph.nodeCount; v++) agree("bellmanFord", v, got[v]!, want[v]!);
        return () => bellmanFord(graph, SOURCE);
      }),
      lazyCase("@dagrejs/graphlib alg.bellmanFord", true, () => {
        const run = () => {
          const gl = peerGraph("graphlib 10000/100000", false, () => toGraphlib(small()));
          return graphlib.alg.bellmanFord(gl, String(SOURCE), (e) => gl.edge(e) as number);
        };
        verifyGraphlib(run(), dijkstra(small(), SOURCE).dist, "graphlib bellmanFord");
        return run;
      }),
    ];
  });
  const ecmpCases = lazy((): BenchCase[] => {
    dropBigPeerGraph();
    warmUp();
    csr(100_000, 1_000_000);
    return [
      lazyCase("packetlab dijkstraEcmp", false, () => {
        const graph = csr(100_000, 1_000_000);
        return () => dijkstraEcmp(graph, SOURCE);
      }),
    ];
  });
  // The 100k/1M Dijkstra suite comes late and the ECMP suite, which drops the
  // 1 GB graphlib graph before it runs, last: suites run after this file's do
  // not find that graph in the heap.
  return [
    dijkstraSuite(10_000, 100_000, "10k-100k"),
    {
      suite: "bellman-ford-10k-100k",
      about:
        "Single-source Bellman–Ford (FIFO rounds, negative-cycle check) from node 0 on the 10k/100k graph; graphlib alg.bellmanFord as peer, checked during warm-up.",
      get cases() {
        return bfCases();
      },
    },
    dijkstraSuite(100_000, 1_000_000, "100k-1m"),
    {
      suite: "ecmp-100k-1m",
      about:
        "Dijkstra plus ECMP first-hop sets for every destination (what a router installs) on the 100k/1M graph; no peer offers this.",
      get cases() {
        return ecmpCases();
      },
    },
  ];
}

/**
 * Quick standalone timing: the preparing call, two untimed calls for our cases,
 * then a fixed number of timed calls; prints Markdown tables with wall-clock
 * and process CPU time per call (CPU time is the steadier number on a shared
 * machine: it leaves out time spent descheduled). Run with
 * `--v8-flags=--expose-gc` so that dropped peer graphs are collected before our
 * cases are timed.
 */
function main(): void {
  const t0 = performance.now();
  const load = (): string => {
    try {
      return Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
    } catch {
      return "unknown";
    }
  };
  console.log(`load average at start: ${load()}`);
  for (const s of suites()) {
    console.log(`\n### ${s.suite}\n\n${s.about}\n`);
    console.log(
      "| case | median ms | min ms | median CPU ms | runs |\n| --- | ---: | ---: | ---: | ---: |",
    );
    for (const c of s.cases) {
      const big = s.suite.includes("100k-1m");
      const runs = c.peer ? (big ? 2 : 5) : 30;
      c.fn();
      if (!c.peer) { for (let i = 0; i < 2; i++) c.fn(); }
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < runs; i++) {
        const c0 = process.cpuUsage();
        const t = performance.now();
        c.fn();
        times.push(performance.now() - t);
        const c1 = process.cpuUsage(c0);
        cpu.push((c1.user + c1.system) / 1000);
      }
      const median = (xs: number[]): number => {
        const v = [...xs].sort((a, b) => a - b);
        return v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
      };
      const min = Math.min(...times);
      console.log(
        `| ${c.name} | ${median(times).toFixed(1)} | ${min.toFixed(1)} | ${
          median(cpu).toFixed(1)
        } | ${runs} |`,
      );
    }
  }
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s; load average: ${load()}`);
}

if (import.meta.main) main();
