/**
 * Slow, obviously-correct reference computations that the tests of this folder
 * compare the real algorithms against: all-pairs distances by Floyd–Warshall on
 * a dense matrix, negative-cycle reachability from it, and ECMP first hops by
 * their definition. Only for small graphs (O(n³) time, O(n²) memory); not for
 * use by the simulator.
 *
 * @module
 */
import fc from "fast-check";
import { type CsrGraph, type EdgeTriple, GraphBuilder } from "./graph.ts";

/** All-pairs shortest distances; `d[i][j]` < 0 on the diagonal marks a negative cycle through i. */
export function floydWarshall(g: CsrGraph, withoutEdgesInto = -1): number[][] {
  const n = g.nodeCount;
  const d = Array.from({ length: n }, (_, i) => {
    const row = new Array<number>(n).fill(Infinity);
    row[i] = 0;
    return row;
  });
  for (let u = 0; u < n; u++) {
    for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) {
      const v = g.targets[e]!;
      if (v === withoutEdgesInto) continue;
      const w = g.weights[e]!;
      if (w < d[u]![v]!) d[u]![v] = w;
    }
  }
  for (let k = 0; k < n; k++) {
    const dk = d[k]!;
    for (let i = 0; i < n; i++) {
      const di = d[i]!;
      const dik = di[k]!;
      if (dik === Infinity) continue;
      for (let j = 0; j < n; j++) {
        const via = dik + dk[j]!;
        if (via < di[j]!) di[j] = via;
      }
    }
  }
  return d;
}

/** Smallest weight of an edge `u → v`, or Infinity. */
export function minEdge(g: CsrGraph, u: number, v: number): number {
  let best = Infinity;
  for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) {
    if (g.targets[e] === v && g.weights[e]! < best) best = g.weights[e]!;
  }
  return best;
}

/**
 * Nodes whose distance from `source` is −∞ (reachable from a negative cycle the
 * source reaches), ascending; from a Floyd–Warshall matrix.
 */
export function negativeReach(g: CsrGraph, d: number[][], source: number): number[] {
  const n = g.nodeCount;
  const out: number[] = [];
  for (let v = 0; v < n; v++) {
    for (let c = 0; c < n; c++) {
      if (d[c]![c]! < 0 && d[source]![c]! < Infinity && d[c]![v]! < Infinity) {
        out.push(v);
        break;
      }
    }
  }
  return out;
}

/**
 * ECMP first hops of `source` toward every node by definition: `h` is one for
 * `v` when `min w(source → h) + dist(h, v)` avoiding the source equals
 * `dist(source, v)`. Requires no negative cycle. Rows ascending.
 */
export function firstHopsByDefinition(g: CsrGraph, source: number): number[][] {
  const n = g.nodeCount;
  const d = floydWarshall(g);
  const avoid = floydWarshall(g, source);
  const out: number[][] = [];
  for (let v = 0; v < n; v++) {
    const row: number[] = [];
    const target = d[source]![v]!;
    if (v !== source && target < Infinity) {
      for (let h = 0; h < n; h++) {
        if (h === source) continue;
        const w = minEdge(g, source, h);
        if (w < Infinity && w + avoid[h]![v]! === target) row.push(h);
      }
    }
    out.push(row);
  }
  return out;
}

/**
 * The six-router test topology A..F (ids 0..5, named), undirected links with
 * metrics A-B 1, A-C 2, B-D 2, C-D 1, D-E 3, B-E 6, E-F 1, C-F 7. From A the
 * distances are B 1, C 2, D 3 (A-B-D and A-C-D tie), E 6 (via D; via B is 7),
 * F 7, so D, E and F each have the two first hops B and C.
 */
export function sixRouters(kind: "f64" | "u32" = "u32"): CsrGraph {
  const b = new GraphBuilder(0, { weights: kind });
  const [A, B, C, D, E, F] = ["A", "B", "C", "D", "E", "F"].map((x) => b.addNode(x)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  b.addLink(A, B, 1);
  b.addLink(A, C, 2);
  b.addLink(B, D, 2);
  b.addLink(C, D, 1);
  b.addLink(D, E, 3);
  b.addLink(B, E, 6);
  b.addLink(E, F, 1);
  b.addLink(C, F, 7);
  return b.build();
}

/** A small random graph for property tests, with a source and a target node. */
export interface SmallGraph {
  n: number;
  edges: EdgeTriple[];
  source: number;
  target: number;
}

/**
 * Small random graphs (1..`maxNodes` nodes, up to `maxEdges` edges with integer
 * weights 0..`maxWeight`): zero weights, parallel edges, self-loops and
 * disconnected parts all come up.
 */
export function arbSmallGraph(
  maxNodes: number,
  maxWeight: number,
  maxEdges: number,
): fc.Arbitrary<SmallGraph> {
  return fc.integer({ min: 1, max: maxNodes }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(
        fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.integer({ min: 0, max: maxWeight })),
        { maxLength: maxEdges },
      ),
      source: fc.nat(n - 1),
      target: fc.nat(n - 1),
    })
  );
}
