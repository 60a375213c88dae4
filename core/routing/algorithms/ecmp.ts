/**
 * Equal-cost multipath from shortest-path distances: for every destination the
 * set of first-hop neighbours of the source that begin some shortest path (the
 * ECMP next hops a router installs), every shortest-path predecessor of every
 * node (the all-shortest-paths predecessor graph), and destination-based next
 * hops for every router toward one destination.
 *
 * All of it is derived from a distance array (from {@link dijkstra} or
 * Bellman–Ford) through "tight" edges: `u → v` is tight when
 * `dist[u] + w = dist[v]`. A path from the source is a shortest path exactly when
 * all its edges are tight. Equality is exact by default, which is right for
 * integer metrics (the norm in OSPF and IS-IS, and exact in doubles up to 2^53);
 * with float weights two equal-cost paths can differ in the last bit, so a
 * `tolerance` can be given.
 *
 * First hops. `h` is a first hop for `d` when a shortest path from the source
 * `s` to `d` starts with the edge `s → h` and never comes back to `s` (it is
 * then a simple path once zero-weight detours are cut out). The sets are
 * computed by propagating bitsets of first-hop candidates along tight edges; a
 * worklist re-propagates when a set grows after its node was handled, so
 * zero-weight cycles (and, after Bellman–Ford, negative edges) are handled
 * exactly and any processing order is correct (the distance order from Dijkstra
 * is the one that makes it a single pass). Cost: O(c·(m + n·W)) time where W is
 * the bitset width in 32-bit words, plus worklist repeats bounded by the number
 * of candidates, and O(n·W) memory; W is capped so the bitsets stay under about
 * 16 MiB, with several passes (c) over groups of candidates when a source has
 * thousands of tight neighbours.
 *
 * Output sets are deterministic: each set lists node ids in ascending order,
 * and parallel links to the same neighbour appear once (a caller that needs
 * per-link next hops can test the tight edges of the source itself). The source
 * and unreachable nodes have empty sets.
 *
 * Not modelled: unequal-cost multipath, path-count limits of real ECMP tables
 * (callers truncate), and load-balancing weights.
 *
 * @module
 */
import { dijkstra, type ShortestPaths } from "./dijkstra.ts";
import { checkNode, type CsrGraph, transpose } from "./graph.ts";

/** A set of node ids per node, in CSR form: node `v`'s set is `items[offsets[v] .. offsets[v+1]−1]`, ascending. */
export interface NodeSets {
  /** Row starts (length n+1). */
  readonly offsets: Uint32Array;
  /** Concatenated sets; each row ascending, without duplicates. */
  readonly items: Uint32Array;
}

/** ECMP first hops from one source: `items` of row `d` are the next hops toward `d`. */
export interface NextHopSets extends NodeSets {
  /** The source router. */
  readonly source: number;
}

/** The members of node `v`'s set (a view, not a copy). */
export function setOf(sets: NodeSets, v: number): Uint32Array {
  return sets.items.subarray(sets.offsets[v]!, sets.offsets[v + 1]!);
}

/** Options for the ECMP functions. */
export interface EcmpOptions {
  /** Largest gap `dist[u] + w − dist[v]` still counted as equal cost. Default 0 (exact). */
  readonly tolerance?: number;
  /**
   * Order in which to handle nodes, e.g. Dijkstra's settle order; any order is
   * correct as long as it lists every reachable node (a missing one throws).
   * Default: reachable nodes sorted by distance.
   */
  readonly order?: ArrayLike<number>;
  /** Cap on the bitset memory, in 32-bit words (default 2^22 = 16 MiB); for tests. */
  readonly maxWords?: number;
}

/**
 * Check that `dist` is a shortest-path labelling from `source` (`dist[source] = 0`
 * and no edge `u → v` with `dist[u] + w < dist[v] − tolerance`); throws a
 * RangeError otherwise. O(m).
 */
export function checkDistances(
  g: CsrGraph,
  source: number,
  dist: Float64Array,
  tolerance = 0,
): void {
  checkNode(g, source, "source");
  if (dist.length !== g.nodeCount) throw new RangeError("distance array has the wrong length");
  if (dist[source] !== 0) throw new RangeError("dist[source] must be 0");
  const { offsets, targets, weights } = g;
  for (let u = 0; u < g.nodeCount; u++) {
    const du = dist[u]!;
    if (du === Infinity) continue;
    if (!(du > -Infinity)) throw new RangeError(`dist[${u}] is ${du}`);
    for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
      const v = targets[e]!;
      if (du + weights[e]! < dist[v]! - tolerance) {
        throw new RangeError(`not shortest distances: edge ${u} → ${v} can still be relaxed`);
      }
    }
  }
}

/** Reachable nodes sorted by distance, ties by id. */
function distanceOrder(dist: Float64Array): Uint32Array {
  let count = 0;
  for (let v = 0; v < dist.length; v++) if (dist[v]! < Infinity) count++;
  const order = new Uint32Array(count);
  for (let v = 0, i = 0; v < dist.length; v++) if (dist[v]! < Infinity) order[i++] = v;
  return order.sort((a, b) => dist[a]! - dist[b]! || a - b);
}

/** Growable list of (node, value) pairs, later grouped by node. */
class PairList {
  nodes = new Uint32Array(64);
  values = new Uint32Array(64);
  length = 0;
  push(node: number, value: number): void {
    if (this.length === this.nodes.length) {
      const nodes = new Uint32Array(this.length * 2), values = new Uint32Array(this.length * 2);
      nodes.set(this.nodes);
      values.set(this.values);
      this.nodes = nodes;
      this.values = values;
    }
    this.nodes[this.length] = node;
    this.values[this.length++] = value;
  }
  /** Group by node (stable, so each row keeps push order). */
  toSets(n: number): NodeSets {
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i < this.length; i++) offsets[this.nodes[i]! + 1]!++;
    for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
    const cursor = offsets.slice(0, n);
    const items = new Uint32Array(this.length);
    for (let i = 0; i < this.length; i++) items[cursor[this.nodes[i]!]!++] = this.values[i]!;
    return { offsets, items };
  }
}

/** {@link ecmpFirstHops} for distances that are known to be exact (no O(m) check). */
export function ecmpFirstHopsTrusted(
  g: CsrGraph,
  source: number,
  dist: Float64Array,
  options: EcmpOptions = {},
): NextHopSets {
  return firstHops(g, source, dist, options);
}

/**
 * ECMP first hops from `source` for every destination, given shortest-path
 * distances `dist` from `source` (complete, e.g. from a {@link dijkstra} run
 * without `target`, or from Bellman–Ford without a negative cycle). Throws a
 * RangeError when `dist` is not a shortest-path labelling (see
 * {@link checkDistances}).
 */
export function ecmpFirstHops(
  g: CsrGraph,
  source: number,
  dist: Float64Array,
  options: EcmpOptions = {},
): NextHopSets {
  checkDistances(g, source, dist, options.tolerance ?? 0);
  return firstHops(g, source, dist, options);
}

/** {@link ecmpFirstHops} without the distance check, for distances this folder computed. */
function firstHops(
  g: CsrGraph,
  source: number,
  dist: Float64Array,
  options: EcmpOptions,
): NextHopSets {
  const tol = options.tolerance ?? 0;
  const n = g.nodeCount;
  const { offsets, targets, weights } = g;
  const order = options.order ?? distanceOrder(dist);

  // Candidates: distinct neighbours h ≠ source reached over a tight edge, ascending.
  const isCandidate = new Uint8Array(n);
  for (let e = offsets[source]!, end = offsets[source + 1]!; e < end; e++) {
    const h = targets[e]!;
    if (h !== source && weights[e]! - dist[h]! <= tol) isCandidate[h] = 1;
  }
  const candidates: number[] = [];
  for (let h = 0; h < n; h++) if (isCandidate[h]) candidates.push(h);
  const k = candidates.length;

  const out = new PairList();
  if (k > 0) {
    const maxWords = options.maxWords ?? 1 << 22;
    const words = Math.max(1, Math.min(Math.ceil(k / 32), Math.floor(maxWords / Math.max(n, 1))));
    const groupSize = words * 32;
    const bits = new Uint32Array(n * words);
    const handled = new Uint8Array(n);
    const queued = new Uint8Array(n);
    const stack = new Uint32Array(n);

    for (let first = 0; first < k; first += groupSize) {
      const last = Math.min(k, first + groupSize);
      if (first > 0) {
        bits.fill(0);
        handled.fill(0);
      }
      // Seed: each candidate is its own first hop.
      for (let i = first; i < last; i++) {
        const b = i - first;
        bits[candidates[i]! * words + (b >>> 5)]! |= 1 << (b & 31);
      }
      // Push u's set along its tight edges; queue already-handled nodes that grew.
      let top = 0;
      const propagate = (u: number): void => {
        const du = dist[u]!;
        const base = u * words;
        for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
          const v = targets[e]!;
          if (v === source || v === u || du + weights[e]! - dist[v]! > tol) continue;
          const vb = v * words;
          let grew = 0;
          for (let j = 0; j < words; j++) {
            const old = bits[vb + j]!;
            const merged = old | bits[base + j]!;
            if (merged !== old) {
              bits[vb + j] = merged;
              grew = 1;
            }
          }
          if (grew && handled[v] && !queued[v]) {
            queued[v] = 1;
            stack[top++] = v;
          }
        }
      };
      for (let i = 0; i < order.length; i++) {
        const u = order[i]!;
        if (u === source || !(dist[u]! < Infinity)) continue;
        propagate(u);
        handled[u] = 1;
        while (top > 0) {
          const w = stack[--top]!;
          queued[w] = 0;
          propagate(w);
        }
      }
      // Emit this group's members per node: bit order is ascending candidate order.
      for (let v = 0; v < n; v++) {
        if (v === source) continue;
        if (!handled[v] && dist[v]! < Infinity) {
          throw new RangeError(`ecmpFirstHops: order misses reachable node ${v}`);
        }
        const vb = v * words;
        for (let j = 0; j < words; j++) {
          let word = bits[vb + j]!;
          while (word !== 0) {
            const low = word & -word;
            const b = (j << 5) + (31 - Math.clz32(low));
            out.push(v, candidates[first + b]!);
            word ^= low;
          }
        }
      }
    }
  }
  return { source, ...out.toSets(n) };
}

/**
 * Every shortest-path predecessor of every node: row `v` lists the distinct
 * nodes `u ≠ v` with a tight edge `u → v` (ascending). The source has none, nor
 * have unreachable nodes. With positive weights this is the shortest-path DAG;
 * zero-weight cycles among equally distant nodes appear in it as cycles.
 * `dist` must be shortest-path distances from `source`. O(n + m).
 */
export function shortestPathPredecessors(
  g: CsrGraph,
  source: number,
  dist: Float64Array,
  options: Pick<EcmpOptions, "tolerance"> = {},
): NodeSets {
  const tol = options.tolerance ?? 0;
  checkDistances(g, source, dist, tol);
  const n = g.nodeCount;
  const { offsets, targets, weights } = g;
  const counts = new Uint32Array(n + 1);
  const last = new Int32Array(n).fill(-1);
  const scan = (emit: (u: number, v: number) => void): void => {
    last.fill(-1);
    for (let u = 0; u < n; u++) {
      const du = dist[u]!;
      if (!(du < Infinity)) continue;
      for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
        const v = targets[e]!;
        if (v === source || v === u || last[v] === u || du + weights[e]! - dist[v]! > tol) continue;
        last[v] = u;
        emit(u, v);
      }
    }
  };
  scan((_u, v) => counts[v + 1]!++);
  for (let v = 0; v < n; v++) counts[v + 1]! += counts[v]!;
  const cursor = counts.slice(0, n);
  const items = new Uint32Array(counts[n]!);
  scan((u, v) => {
    items[cursor[v]!++] = u;
  });
  return { offsets: counts, items };
}

/** Shortest paths plus ECMP first hops from one source. */
export interface EcmpResult {
  /** Distances, one predecessor per node and the settle order. */
  readonly paths: ShortestPaths;
  /** First-hop sets per destination. */
  readonly nextHops: NextHopSets;
}

/** Dijkstra from `source`, then ECMP first hops for every destination. */
export function dijkstraEcmp(
  g: CsrGraph,
  source: number,
  options: Omit<EcmpOptions, "order"> = {},
): EcmpResult {
  const paths = dijkstra(g, source);
  const nextHops = firstHops(g, source, paths.dist, { ...options, order: paths.order });
  return { paths, nextHops };
}

/** Destination-based next hops toward one destination, for every router. */
export interface NextHopsToward extends NodeSets {
  /** The destination. */
  readonly destination: number;
  /** Distance from each node to the destination; Infinity when it cannot reach it. */
  readonly dist: Float64Array;
}

/**
 * For every node `u`, the distinct neighbours `v` (ascending) with an edge
 * `u → v` that starts a shortest path from `u` to `destination` — the ECMP
 * routing entry for that destination at every router at once (one reverse
 * Dijkstra, O(m log n), plus O(n + m)). Requires non-negative weights. Zero-weight
 * cycles can make next hops point at each other; routing metrics should be ≥ 1.
 */
export function nextHopsToward(
  g: CsrGraph,
  destination: number,
  options: Pick<EcmpOptions, "tolerance"> = {},
): NextHopsToward {
  const tol = options.tolerance ?? 0;
  const rev = transpose(g);
  const { dist } = dijkstra(rev, destination);
  const n = g.nodeCount;
  const { offsets, targets, weights } = g;
  const seen = new Int32Array(n).fill(-1);
  const buffer: number[] = [];
  const pairs = new PairList();
  for (let u = 0; u < n; u++) {
    const du = dist[u]!;
    if (u === destination || !(du < Infinity)) continue;
    buffer.length = 0;
    for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
      const v = targets[e]!;
      if (v === u || seen[v] === u || weights[e]! + dist[v]! - du > tol) continue;
      seen[v] = u;
      buffer.push(v);
    }
    buffer.sort((a, b) => a - b);
    for (const v of buffer) pairs.push(u, v);
  }
  return { destination, dist, ...pairs.toSets(n) };
}
