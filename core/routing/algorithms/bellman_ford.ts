/**
 * Single-source shortest paths with Bellman–Ford on a {@link CsrGraph} whose
 * weights may be negative, with negative-cycle detection; and the same ECMP
 * first-hop sets as the Dijkstra path. Distance-vector routing converges to what
 * this computes, and it is the reference the Dijkstra code is tested against.
 *
 * Algorithm: rounds over a FIFO worklist (only nodes whose distance changed in
 * the previous round are scanned; updates take effect at once). After round k
 * every distance is at most the best walk of ≤ k edges, so with no negative
 * cycle reachable from the source everything is exact after n−1 rounds, and
 * usually far sooner. If nodes are still queued then, one more round decides:
 * any node that still improves lies on or behind a negative cycle.
 *
 * Negative cycles: the result names the nodes whose distance is −∞ (those
 * reachable from a negative cycle that is itself reachable from the source:
 * found by a search from every node that improved in the deciding round) and one
 * negative cycle, recovered by walking predecessors from an improved node.
 * Their `dist` is −Infinity and `pred` −1; other nodes keep exact distances.
 * Cycles the source cannot reach are not reported; {@link findNegativeCycle}
 * looks at the whole graph.
 *
 * Costs: O(n·m) time in the worst case (O(k·m) when shortest paths have at most
 * k edges), O(n) extra memory.
 *
 * @module
 */
import { checkNode, type CsrGraph } from "./graph.ts";
import { ecmpFirstHopsTrusted, type EcmpOptions, type NextHopSets } from "./ecmp.ts";

/** A negative cycle found by Bellman–Ford. */
export interface NegativeCycle {
  /** Nodes whose shortest distance is −∞, ascending. */
  readonly affected: Uint32Array;
  /** One negative cycle as a node sequence `c0 → c1 → … → c0`, starting at its smallest node (not repeated at the end). */
  readonly cycle: Uint32Array;
}

/** A Bellman–Ford result. */
export interface BellmanFordResult {
  /** The source node (−1 for {@link findNegativeCycle}). */
  readonly source: number;
  /** Distances: Infinity when unreachable, −Infinity behind a negative cycle. */
  readonly dist: Float64Array;
  /** One shortest-path predecessor per node; −1 for the source, unreachable and affected nodes. */
  readonly pred: Int32Array;
  /** Rounds run (including the deciding round, if any). */
  readonly rounds: number;
  /** The negative cycle, when one is reachable; undefined otherwise. */
  readonly negativeCycle: NegativeCycle | undefined;
}

/** Shared core: `sources` start at distance 0 (one source, or all nodes). */
function run(g: CsrGraph, sources: readonly number[], source: number): BellmanFordResult {
  const n = g.nodeCount;
  const { offsets, targets, weights } = g;
  const dist = new Float64Array(n).fill(Infinity);
  const pred = new Int32Array(n).fill(-1);
  let queue = new Uint32Array(n);
  let next = new Uint32Array(n);
  const inNext = new Uint8Array(n);
  let qlen = 0;
  for (const s of sources) {
    dist[s] = 0;
    queue[qlen++] = s;
  }
  let rounds = 0;
  // Rounds 1..n−1: exact unless a negative cycle is reachable.
  while (qlen > 0 && rounds < n - 1) {
    rounds++;
    let nlen = 0;
    for (let i = 0; i < qlen; i++) {
      const u = queue[i]!;
      inNext[u] = 0;
    }
    for (let i = 0; i < qlen; i++) {
      const u = queue[i]!;
      const du = dist[u]!;
      for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
        const v = targets[e]!;
        const nd = du + weights[e]!;
        if (nd < dist[v]!) {
          dist[v] = nd;
          pred[v] = u;
          if (!inNext[v]) {
            inNext[v] = 1;
            next[nlen++] = v;
          }
        }
      }
    }
    const t = queue;
    queue = next;
    next = t;
    qlen = nlen;
  }
  if (qlen === 0) return { source, dist, pred, rounds, negativeCycle: undefined };

  // Deciding round: whatever still improves is behind a negative cycle.
  rounds++;
  const improved = new Uint8Array(n);
  let first = -1;
  for (let i = 0; i < qlen; i++) {
    const u = queue[i]!;
    const du = dist[u]!;
    for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
      const v = targets[e]!;
      const nd = du + weights[e]!;
      if (nd < dist[v]!) {
        dist[v] = nd;
        pred[v] = u;
        improved[v] = 1;
        if (first < 0) first = v;
      }
    }
  }
  if (first < 0) return { source, dist, pred, rounds, negativeCycle: undefined };

  // Walking n predecessors from an improved node lands on a cycle of the
  // predecessor graph, and such a cycle has negative weight.
  let c = first;
  for (let i = 0; i < n; i++) {
    const p = pred[c]!;
    if (p < 0) throw new Error("bellmanFord: predecessor walk left the cycle (internal error)");
    c = p;
  }
  const back: number[] = [c];
  for (let p = pred[c]!; p !== c; p = pred[p]!) back.push(p);
  back.reverse();
  // Start the cycle at its smallest node so equal graphs print equal cycles.
  let start = 0;
  for (let i = 1; i < back.length; i++) if (back[i]! < back[start]!) start = i;
  const cycle = Uint32Array.from([...back.slice(start), ...back.slice(0, start)]);

  // Everything reachable from an improved node has distance −∞.
  const affectedFlag = new Uint8Array(n);
  const stack: number[] = [];
  for (let v = 0; v < n; v++) {
    if (improved[v]) {
      affectedFlag[v] = 1;
      stack.push(v);
    }
  }
  while (stack.length > 0) {
    const u = stack.pop()!;
    for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
      const v = targets[e]!;
      if (!affectedFlag[v]) {
        affectedFlag[v] = 1;
        stack.push(v);
      }
    }
  }
  let count = 0;
  for (let v = 0; v < n; v++) {
    if (affectedFlag[v]) {
      dist[v] = -Infinity;
      pred[v] = -1;
      count++;
    }
  }
  const affected = new Uint32Array(count);
  for (let v = 0, i = 0; v < n; v++) if (affectedFlag[v]) affected[i++] = v;
  return { source, dist, pred, rounds, negativeCycle: { affected, cycle } };
}

/** Bellman–Ford from `source`; see the module comment for the result. */
export function bellmanFord(g: CsrGraph, source: number): BellmanFordResult {
  checkNode(g, source, "source");
  return run(g, [source], source);
}

/**
 * Look for a negative cycle anywhere in the graph (as if a virtual source had a
 * zero-weight edge to every node). Returns the cycle and every node reachable
 * from a negative cycle, or undefined when there is none. O(n·m) worst case.
 */
export function findNegativeCycle(g: CsrGraph): NegativeCycle | undefined {
  const all = Array.from({ length: g.nodeCount }, (_, i) => i);
  return run(g, all, -1).negativeCycle;
}

/** Bellman–Ford plus ECMP first hops (undefined when a negative cycle is reachable). */
export interface BellmanFordEcmpResult {
  /** The Bellman–Ford result. */
  readonly paths: BellmanFordResult;
  /** First-hop sets per destination; undefined when `paths.negativeCycle` is set. */
  readonly nextHops: NextHopSets | undefined;
}

/** Bellman–Ford from `source`, then ECMP first hops when no negative cycle is reachable. */
export function bellmanFordEcmp(
  g: CsrGraph,
  source: number,
  options: Omit<EcmpOptions, "order"> = {},
): BellmanFordEcmpResult {
  const paths = bellmanFord(g, source);
  if (paths.negativeCycle) return { paths, nextHops: undefined };
  return { paths, nextHops: ecmpFirstHopsTrusted(g, source, paths.dist, options) };
}
