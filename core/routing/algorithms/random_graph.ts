/**
 * Seeded random topologies for tests and benchmarks. The same options and seed
 * always give the same graph (edge for edge), so a failing property test or a
 * benchmark can be reproduced exactly.
 *
 * A graph of n nodes and m directed edges is built in two parts:
 * - a backbone that makes it connected (unless `connected: false`): for directed
 *   graphs a cycle through all nodes in a random order (strongly connected, so
 *   every node reaches every other), for undirected ones a random spanning tree
 *   (each node, in a random order, links to a uniformly chosen earlier node);
 * - random extra edges between uniformly chosen endpoints until m is reached.
 *
 * Knobs add the awkward cases algorithms must survive: zero-weight edges,
 * self-loops, parallel edges (all on by probability, off by default except as
 * they arise by chance), and disconnected parts. With `parallel: false` the
 * extra edges avoid duplicating an existing (from, to) pair and self-loops.
 *
 * Not modelled: realistic structure (fat trees, ISP maps, power laws); those
 * topologies belong to the scenario builders.
 *
 * Cost: O(n + m) time, plus a hash set of pairs when `parallel` is false.
 *
 * @module
 */
import { type CsrGraph, GraphBuilder, type WeightKind } from "./graph.ts";
import { Prng } from "./prng.ts";

/** Options for {@link randomGraph}. */
export interface RandomGraphOptions {
  /** Number of nodes (≥ 1). */
  readonly nodes: number;
  /** Number of directed edges (for undirected graphs: of links, each giving two edges). */
  readonly edges: number;
  /** Seed of the generator. */
  readonly seed: number;
  /** Links instead of directed edges (both directions get the same weight). Default false. */
  readonly undirected?: boolean;
  /** Add the connecting backbone first. Default true. Needs edges ≥ n (directed) or n−1. */
  readonly connected?: boolean;
  /** Smallest weight (inclusive). Default 1. */
  readonly minWeight?: number;
  /** Largest weight (inclusive). Default 100. */
  readonly maxWeight?: number;
  /** Integer weights (default) or uniformly distributed floats. */
  readonly integer?: boolean;
  /** Probability that an edge weighs zero instead. Default 0. */
  readonly zeroWeight?: number;
  /** Probability that an extra edge is a self-loop. Default 0. */
  readonly selfLoops?: number;
  /** Probability that an extra edge duplicates an earlier edge's endpoints. Default 0. */
  readonly parallelEdges?: number;
  /** Allow parallel edges and self-loops at all (chance, or the knobs above). Default true. */
  readonly parallel?: boolean;
  /** Weight representation. Default "f64"; "u32" needs integer, non-negative weights. */
  readonly weightKind?: WeightKind;
}

/** A seeded random graph; see the module comment for the shape. */
export function randomGraph(options: RandomGraphOptions): CsrGraph {
  const n = options.nodes;
  const m = options.edges;
  const undirected = options.undirected ?? false;
  const connected = options.connected ?? true;
  const lo = options.minWeight ?? 1;
  const hi = options.maxWeight ?? 100;
  const integer = options.integer ?? true;
  const zero = options.zeroWeight ?? 0;
  const selfLoops = options.selfLoops ?? 0;
  const parallelP = options.parallelEdges ?? 0;
  const parallel = options.parallel ?? true;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`randomGraph: bad node count ${n}`);
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`randomGraph: bad edge count ${m}`);
  if (hi < lo) throw new RangeError("randomGraph: maxWeight < minWeight");
  const backbone = connected && n > 1 ? (undirected ? n - 1 : n) : 0;
  if (m < backbone) {
    throw new RangeError(`randomGraph: ${m} edges cannot connect ${n} nodes`);
  }
  if (!parallel && m > (undirected ? (n * (n - 1)) / 2 : n * (n - 1))) {
    throw new RangeError("randomGraph: too many edges for a simple graph");
  }
  const rng = new Prng(options.seed);
  const b = new GraphBuilder(n, { weights: options.weightKind ?? "f64" }, undirected ? 2 * m : m);
  const weight = (): number => {
    if (zero > 0 && rng.chance(zero)) return 0;
    if (integer) return rng.range(lo, hi);
    return lo + (hi - lo) * rng.float();
  };
  const seen = parallel ? undefined : new Set<number>();
  const key = (u: number, v: number): number => undirected && u > v ? v * n + u : u * n + v;
  // Endpoints of the edges so far, for picking a pair to duplicate.
  const tails = new Uint32Array(m);
  const heads = new Uint32Array(m);
  let count = 0;
  const add = (u: number, v: number): void => {
    const w = weight();
    if (undirected) b.addLink(u, v, w);
    else b.addEdge(u, v, w);
    seen?.add(key(u, v));
    tails[count] = u;
    heads[count] = v;
    count++;
  };

  if (backbone > 0) {
    const perm = rng.shuffle(Uint32Array.from({ length: n }, (_, i) => i));
    if (undirected) {
      for (let i = 1; i < n; i++) add(perm[rng.int(i)]!, perm[i]!);
    } else {
      for (let i = 0; i < n; i++) add(perm[i]!, perm[(i + 1) % n]!);
    }
  }
  while (count < m) {
    if (parallel && count > 0 && parallelP > 0 && rng.chance(parallelP)) {
      const j = rng.int(count);
      add(tails[j]!, heads[j]!);
      continue;
    }
    const u = rng.int(n);
    if (parallel && selfLoops > 0 && rng.chance(selfLoops)) {
      add(u, u);
      continue;
    }
    const v = rng.int(n);
    if (seen !== undefined && (u === v || seen.has(key(u, v)))) continue;
    add(u, v);
  }
  return b.build();
}
