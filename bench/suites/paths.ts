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
 * Cases are lazy: the first call of a case (the harness's warm-up call) builds
 * its graph and, for a peer, converts it to the peer's representation and
 * checks the peer's distances against ours on a sample of nodes (a mismatch
 * throws); later calls are the timed runs. Only one peer graph is held at a
 * time, because graphlib's 100k/1M graph takes about 1 GB and tens of seconds
 * to build, and our cases drop it before they run so the collector does not
 * walk it during our timings.
 *
 * What the peers do differs in ways that favour us and that we do not hide:
 * graphology's `singleSource` builds the full path (an array) to every node,
 * graphlib returns an object of `{ distance, predecessor }` records, and both
 * key nodes by strings. Ours returns typed arrays of distances and
 * predecessors. Uniform random graphs have no locality, so every run is bound
 * by cache and TLB misses; real topologies are kinder. Not measured here: ECMP
 * set construction (see the `ecmp` cases) and graph building.
 *
 * Run standalone (`deno run -A bench/suites/paths.ts`) for a quick table with
 * a fixed number of iterations per case.
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

/** One benchmark case: `fn` performs `ops` operations. */
export interface BenchCase {
  name: string;
  peer: boolean;
  ops: number;
  fn: () => unknown;
}

/** A group of cases measured together. */
export interface BenchSuite {
  suite: string;
  about: string;
  cases: BenchCase[];
}

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
 * 1 GB); building another, or warming up one of our own cases, drops it, so our
 * cases never run beside a peer's heap that their allocations would make the
 * garbage collector walk.
 */
let peerSlot: { key: string; graph: unknown } | undefined;
function peerGraph<T>(key: string, make: () => T): T {
  if (peerSlot?.key !== key) {
    peerSlot = undefined;
    peerSlot = { key, graph: make() };
  }
  return peerSlot.graph as T;
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
      if (run !== undefined) return run();
      if (!peer && peerSlot !== undefined) {
        peerSlot = undefined;
        collect();
      }
      run = prepare();
      collect();
      return undefined;
    },
  };
}

function dijkstraSuite(nodes: number, edges: number, label: string): BenchSuite {
  const key = `${nodes}/${edges}`;
  const g = () => csr(nodes, edges);
  const want = () => dijkstra(g(), SOURCE).dist;
  return {
    suite: `dijkstra-${label}`,
    about:
      `Single-source Dijkstra from node 0 on a seeded random directed graph, ${nodes} nodes / ${edges} edges, integer metrics 1..100; ` +
      `the peers run on the same graph and their distances are checked on ${SAMPLE} sampled nodes during warm-up.`,
    cases: [
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
      lazyCase("graphology-shortest-path dijkstra.singleSource", true, () => {
        const gg = peerGraph(`graphology ${key}`, () => toGraphology(g()));
        verifyGraphology(gg, want());
        return () => runGraphology(gg);
      }),
      lazyCase("@dagrejs/graphlib alg.dijkstra", true, () => {
        const gl = peerGraph(`graphlib ${key}`, () => toGraphlib(g()));
        verifyGraphlib(runGraphlib(gl), want(), "graphlib");
        return () => runGraphlib(gl);
      }),
    ],
  };
}

/** Every suite of this file. Graphs are built lazily, on each case's first (warm-up) call. */
export function suites(): BenchSuite[] {
  const small = () => csr(10_000, 100_000);
  return [
    dijkstraSuite(100_000, 1_000_000, "100k-1m"),
    dijkstraSuite(10_000, 100_000, "10k-100k"),
    {
      suite: "bellman-ford-10k-100k",
      about:
        "Single-source Bellman–Ford (FIFO worklist rounds, negative-cycle check) from node 0 on the 10k/100k graph; graphlib's alg.bellmanFord as the peer, its distances checked during warm-up.",
      cases: [
        lazyCase("packetlab bellmanFord", false, () => {
          const graph = small();
          const got = bellmanFord(graph, SOURCE).dist;
          const want = dijkstra(graph, SOURCE).dist;
          for (let v = 0; v < graph.nodeCount; v++) agree("bellmanFord", v, got[v]!, want[v]!);
          return () => bellmanFord(graph, SOURCE);
        }),
        lazyCase("@dagrejs/graphlib alg.bellmanFord", true, () => {
          const gl = peerGraph("graphlib 10000/100000", () => toGraphlib(small()));
          const run = () =>
            graphlib.alg.bellmanFord(gl, String(SOURCE), (e) => gl.edge(e) as number);
          verifyGraphlib(run(), dijkstra(small(), SOURCE).dist, "graphlib bellmanFord");
          return run;
        }),
      ],
    },
    {
      suite: "ecmp-100k-1m",
      about:
        "Dijkstra plus ECMP first-hop sets for every destination (what a router installs) on the 100k/1M graph; no peer offers this.",
      cases: [
        lazyCase("packetlab dijkstraEcmp", false, () => {
          const graph = csr(100_000, 1_000_000);
          return () => dijkstraEcmp(graph, SOURCE);
        }),
      ],
    },
  ];
}

/**
 * Quick standalone timing: the preparing call, two untimed calls for our cases,
 * then a fixed number of timed calls; prints Markdown tables. Run with
 * `--v8-flags=--expose-gc` so that dropped peer graphs are collected before our
 * cases are timed.
 */
function main(): void {
  const t0 = performance.now();
  for (const s of suites()) {
    console.log(`\n### ${s.suite}\n\n${s.about}\n`);
    console.log("| case | median ms | min ms | runs |\n| --- | ---: | ---: | ---: |");
    for (const c of s.cases) {
      const big = s.suite.includes("100k-1m");
      const runs = c.peer ? (big ? 2 : 5) : 30;
      c.fn();
      if (!c.peer) { for (let i = 0; i < 2; i++) c.fn(); }
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        c.fn();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const median = times.length % 2
        ? times[times.length >> 1]!
        : (times[times.length / 2 - 1]! + times[times.length / 2]!) / 2;
      console.log(`| ${c.name} | ${median.toFixed(1)} | ${times[0]!.toFixed(1)} | ${runs} |`);
    }
  }
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

if (import.meta.main) main();
