import assert from "node:assert/strict";
import fc from "fast-check";
import { dijkstra } from "./dijkstra.ts";
import {
  checkDistances,
  dijkstraEcmp,
  ecmpFirstHops,
  nextHopsToward,
  type NodeSets,
  setOf,
  shortestPathPredecessors,
} from "./ecmp.ts";
import { type CsrGraph, type EdgeTriple, GraphBuilder, graphFromEdges } from "./graph.ts";
import { randomGraph } from "./random_graph.ts";
import {
  arbSmallGraph,
  firstHopsByDefinition,
  floydWarshall,
  minEdge,
  sixRouters,
} from "./testing.ts";

const rows = (s: NodeSets, n: number): number[][] =>
  Array.from({ length: n }, (_, v) => [...setOf(s, v)]);

Deno.test("ECMP: six routers — D, E and F have the two first hops B and C", () => {
  const g = sixRouters();
  const { paths, nextHops } = dijkstraEcmp(g, 0);
  assert.deepEqual([...paths.dist], [0, 1, 2, 3, 6, 7]);
  assert.equal(nextHops.source, 0);
  assert.deepEqual(rows(nextHops, 6), [[], [1], [2], [1, 2], [1, 2], [1, 2]]);
  assert.deepEqual(rows(shortestPathPredecessors(g, 0, paths.dist), 6), [
    [],
    [0],
    [0],
    [1, 2],
    [3],
    [4],
  ]);
  // From B: A 1, D 2, C 3 (B-A-C and B-D-C tie), E 5, F 6.
  const fromB = dijkstraEcmp(g, 1);
  assert.deepEqual([...fromB.paths.dist], [1, 0, 3, 2, 5, 6]);
  assert.deepEqual(rows(fromB.nextHops, 6), [[0], [], [0, 3], [3], [3], [3]]);
});

Deno.test("ECMP: next hops toward F at every router", () => {
  const g = sixRouters();
  const t = nextHopsToward(g, 5);
  assert.equal(t.destination, 5);
  assert.deepEqual([...t.dist], [7, 6, 5, 4, 1, 0]);
  assert.deepEqual(rows(t, 6), [[1, 2], [3], [3], [4], [5], []]);
});

Deno.test("ECMP: parallel links collapse to one neighbour; unreachable nodes get no hops", () => {
  const g = graphFromEdges(5, [
    [0, 2, 1],
    [0, 2, 1],
    [0, 1, 1],
    [1, 3, 1],
    [2, 3, 1],
    [0, 0, 0],
  ]);
  const { nextHops } = dijkstraEcmp(g, 0);
  assert.deepEqual(rows(nextHops, 5), [[], [1], [2], [1, 2], []]);
});

Deno.test("ECMP: zero-weight cycles, including one through the source", () => {
  // s=0, a=1, b=2, c=3, d=4: s→a 1, s→b 1, a→c 0, b→d 0, c↔d 0; a→s 0 and s→e... none.
  const edges: EdgeTriple[] = [
    [0, 1, 1],
    [0, 2, 1],
    [1, 3, 0],
    [2, 4, 0],
    [3, 4, 0],
    [4, 3, 0],
    [1, 0, 0], // back into the source: never part of a first-hop path
  ];
  const g = graphFromEdges(5, edges);
  const d = dijkstra(g, 0).dist;
  const want = [[], [1], [2], [1, 2], [1, 2]];
  assert.deepEqual(rows(ecmpFirstHops(g, 0, d), 5), want);
  // Any processing order gives the same sets (the worklist repairs bad orders).
  for (const order of [[4, 3, 2, 1, 0], [3, 1, 4, 0, 2]]) {
    assert.deepEqual(rows(ecmpFirstHops(g, 0, d, { order }), 5), want);
  }
  assert.throws(() => ecmpFirstHops(g, 0, d, { order: [0, 1, 2, 3] }), /misses reachable node 4/);
  // A zero-weight edge out of the source and back.
  const h = graphFromEdges(3, [[0, 1, 0], [1, 0, 0], [1, 2, 1], [0, 2, 1]]);
  assert.deepEqual(rows(dijkstraEcmp(h, 0).nextHops, 3), [[], [1], [1, 2]]);
});

Deno.test("ECMP: float weights need a tolerance for ties that differ in the last bit", () => {
  const g = graphFromEdges(4, [[0, 1, 0.1], [1, 3, 0.2], [0, 2, 0.3], [2, 3, 0]]);
  const d = dijkstra(g, 0).dist;
  assert.equal(rows(ecmpFirstHops(g, 0, d), 4)[3]!.length, 1);
  assert.deepEqual(rows(ecmpFirstHops(g, 0, d, { tolerance: 1e-9 }), 4)[3], [1, 2]);
});

Deno.test("checkDistances rejects labels that are not shortest distances", () => {
  const g = sixRouters();
  const d = dijkstra(g, 0).dist;
  checkDistances(g, 0, d);
  const bad = d.slice();
  bad[4] = 9;
  assert.throws(() => ecmpFirstHops(g, 0, bad), /relaxed/);
  assert.throws(() => checkDistances(g, 1, d), /source/);
  assert.throws(() => checkDistances(g, 0, d.subarray(1)), /length/);
  const neg = d.slice();
  neg[3] = -Infinity;
  assert.throws(() => checkDistances(g, 0, neg), RangeError);
});

/** Small random graphs with zero weights, parallel edges, self-loops and disconnected parts. */
const smallGraph = arbSmallGraph(10, 6, 35);

Deno.test("ECMP property: first hops match the definition; predecessors are the tight edges", () => {
  fc.assert(
    fc.property(smallGraph, ({ n, edges, source }) => {
      const g = graphFromEdges(n, edges);
      const { paths, nextHops } = dijkstraEcmp(g, source);
      assert.deepEqual(rows(nextHops, n), firstHopsByDefinition(g, source));
      const preds = rows(shortestPathPredecessors(g, source, paths.dist), n);
      for (let v = 0; v < n; v++) {
        const want: number[] = [];
        for (let u = 0; u < n; u++) {
          if (u === v || v === source || paths.dist[v] === Infinity) continue;
          if (paths.dist[u]! + minEdge(g, u, v) === paths.dist[v]!) want.push(u);
        }
        assert.deepEqual(preds[v], want);
      }
    }),
    { seed: 1337, numRuns: 400 },
  );
});

Deno.test("ECMP property: next hops toward a destination match the definition", () => {
  fc.assert(
    fc.property(smallGraph, ({ n, edges, source: dest }) => {
      const g = graphFromEdges(n, edges);
      const d = floydWarshall(g);
      const t = nextHopsToward(g, dest);
      for (let u = 0; u < n; u++) {
        assert.equal(t.dist[u], d[u]![dest]);
        const want: number[] = [];
        if (u !== dest && d[u]![dest]! < Infinity) {
          for (let v = 0; v < n; v++) {
            if (v !== u && minEdge(g, u, v) + d[v]![dest]! === d[u]![dest]) want.push(v);
          }
        }
        assert.deepEqual([...setOf(t, u)], want);
      }
    }),
    { seed: 8080, numRuns: 300 },
  );
});

/** A graph whose source has many tight neighbours, to exercise several bitset groups. */
function wideSource(n: number, seed: number): CsrGraph {
  const base = randomGraph({ nodes: n, edges: 4 * n, seed, maxWeight: 4, zeroWeight: 0.1 });
  const b = new GraphBuilder(n);
  for (let u = 0; u < n; u++) {
    for (let e = base.offsets[u]!; e < base.offsets[u + 1]!; e++) {
      b.addEdge(u, base.targets[e]!, base.weights[e]!);
    }
  }
  for (let v = 1; v < n; v++) b.addEdge(0, v, 3);
  return b.build();
}

Deno.test("ECMP: sources with more tight neighbours than one bitset group", () => {
  for (const seed of [1, 2, 3]) {
    const g = wideSource(45, seed);
    const d = dijkstra(g, 0);
    const want = firstHopsByDefinition(g, 0);
    assert.ok(want.some((r) => r.length > 32) || want.filter((r) => r.length > 0).length > 32);
    assert.deepEqual(rows(ecmpFirstHops(g, 0, d.dist, { order: d.order }), 45), want);
    // One word per node: groups of 32 candidates, several passes.
    assert.deepEqual(rows(ecmpFirstHops(g, 0, d.dist, { maxWords: 45 }), 45), want);
  }
  const big = wideSource(400, 7);
  const d = dijkstra(big, 0);
  assert.deepEqual(
    rows(ecmpFirstHops(big, 0, d.dist, { maxWords: 400 }), 400),
    rows(ecmpFirstHops(big, 0, d.dist), 400),
  );
});
