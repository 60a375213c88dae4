import assert from "node:assert/strict";
import fc from "fast-check";
import { bellmanFord, bellmanFordEcmp, findNegativeCycle } from "./bellman_ford.ts";
import { dijkstra } from "./dijkstra.ts";
import { dijkstraEcmp, type NodeSets, setOf } from "./ecmp.ts";
import { type CsrGraph, type EdgeTriple, graphFromEdges } from "./graph.ts";
import { Prng } from "./prng.ts";
import { randomGraph } from "./random_graph.ts";
import { floydWarshall, minEdge, negativeReach, sixRouters } from "./testing.ts";

const rows = (s: NodeSets, n: number): number[][] =>
  Array.from({ length: n }, (_, v) => [...setOf(s, v)]);

/** Assert `cycle` is a cycle of `g` whose cheapest edges sum below zero. */
function assertNegativeCycle(g: CsrGraph, cycle: Uint32Array): void {
  assert.ok(cycle.length >= 1);
  assert.equal(new Set(cycle).size, cycle.length, "cycle repeats a node");
  let sum = 0;
  for (let i = 0; i < cycle.length; i++) {
    const w = minEdge(g, cycle[i]!, cycle[(i + 1) % cycle.length]!);
    assert.ok(w < Infinity, "cycle uses a missing edge");
    sum += w;
  }
  assert.ok(sum < 0, `cycle weight ${sum} is not negative`);
  assert.equal(Math.min(...cycle), cycle[0]);
}

Deno.test("bellmanFord: six routers agree with Dijkstra, with the same ECMP sets", () => {
  const g = sixRouters();
  const r = bellmanFordEcmp(g, 0);
  assert.deepEqual([...r.paths.dist], [0, 1, 2, 3, 6, 7]);
  assert.equal(r.paths.negativeCycle, undefined);
  assert.deepEqual(rows(r.nextHops!, 6), [[], [1], [2], [1, 2], [1, 2], [1, 2]]);
});

Deno.test("bellmanFord: negative edges without a cycle (hand-computed)", () => {
  const g = graphFromEdges(5, [
    [0, 1, 4],
    [0, 2, 5],
    [2, 1, -3],
    [1, 3, 2],
    [0, 3, 4],
  ]);
  const r = bellmanFord(g, 0);
  assert.deepEqual([...r.dist], [0, 2, 5, 4, Infinity]);
  assert.deepEqual([...r.pred], [-1, 2, 0, 0, -1]); // 3: the first of two equal paths found
  assert.equal(r.negativeCycle, undefined);
  // 3 is reached two ways at cost 4: 0-3 directly and 0-2-1-3.
  assert.deepEqual(rows(bellmanFordEcmp(g, 0).nextHops!, 5), [[], [2], [2], [2, 3], []]);
});

Deno.test("bellmanFord: a negative cycle, what it affects, and what it does not", () => {
  const edges: EdgeTriple[] = [
    [0, 1, 1],
    [1, 2, -1],
    [2, 1, -1], // cycle 1 ⇄ 2 of weight −2
    [2, 3, 1], // 3 is behind the cycle
    [0, 4, 1], // 4 is not
    [5, 5, -1], // a negative self-loop the source cannot reach
    [5, 0, 1],
  ];
  const g = graphFromEdges(6, edges);
  const r = bellmanFord(g, 0);
  assert.ok(r.negativeCycle);
  assert.deepEqual([...r.negativeCycle.affected], [1, 2, 3]);
  assert.deepEqual([...r.negativeCycle.cycle], [1, 2]);
  assert.deepEqual([...r.dist], [0, -Infinity, -Infinity, -Infinity, 1, Infinity]);
  assert.deepEqual([...r.pred], [-1, -1, -1, -1, 0, -1]);
  assert.equal(bellmanFordEcmp(g, 0).nextHops, undefined);
  // From 5 everything is behind a cycle (the self-loop, and 1 ⇄ 2).
  const r5 = bellmanFord(g, 5);
  assert.deepEqual([...r5.negativeCycle!.affected], [0, 1, 2, 3, 4, 5]);
  assertNegativeCycle(g, r5.negativeCycle!.cycle);
  const any = findNegativeCycle(g)!;
  assert.deepEqual([...any.affected], [0, 1, 2, 3, 4, 5]);
  assertNegativeCycle(g, any.cycle);
  assert.equal(findNegativeCycle(sixRouters()), undefined);
  // A single node with a negative self-loop.
  const one = bellmanFord(graphFromEdges(1, [[0, 0, -2]]), 0);
  assert.deepEqual([...one.negativeCycle!.cycle], [0]);
});

const smallGraph = (minW: number, maxW: number) =>
  fc.integer({ min: 1, max: 10 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(
        fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.integer({ min: minW, max: maxW })),
        { maxLength: 35 },
      ),
      source: fc.nat(n - 1),
    })
  );

Deno.test("property: Dijkstra and Bellman–Ford give identical distances and ECMP sets", () => {
  fc.assert(
    fc.property(smallGraph(0, 6), ({ n, edges, source }) => {
      const g = graphFromEdges(n, edges);
      const a = dijkstraEcmp(g, source);
      const b = bellmanFordEcmp(g, source);
      assert.equal(b.paths.negativeCycle, undefined);
      assert.deepEqual([...b.paths.dist], [...a.paths.dist]);
      assert.deepEqual(rows(b.nextHops!, n), rows(a.nextHops, n));
    }),
    { seed: 777, numRuns: 400 },
  );
  // Larger seeded random graphs with every awkward feature switched on.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.boolean(), (seed, undirected) => {
      const g = randomGraph({
        nodes: 300,
        edges: 1200,
        seed,
        undirected,
        connected: seed % 3 !== 0,
        maxWeight: 8,
        zeroWeight: 0.15,
        selfLoops: 0.05,
        parallelEdges: 0.1,
      });
      for (const source of [0, 150]) {
        const a = dijkstraEcmp(g, source);
        const b = bellmanFordEcmp(g, source);
        assert.deepEqual([...b.paths.dist], [...a.paths.dist]);
        assert.deepEqual(rows(b.nextHops!, 300), rows(a.nextHops, 300));
      }
    }),
    { seed: 4711, numRuns: 25 },
  );
});

Deno.test("property: negative edges from potentials keep paths; Bellman–Ford finds them", () => {
  // w'(u,v) = w(u,v) + p(u) − p(v) changes every s→v path by p(s) − p(v): same
  // shortest paths, same first hops, negative edges but no negative cycle.
  fc.assert(
    fc.property(
      smallGraph(0, 6),
      fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 10, maxLength: 10 }),
      ({ n, edges, source }, p) => {
        const g = graphFromEdges(n, edges);
        const h = graphFromEdges(n, edges.map(([u, v, w]) => [u, v, w + p[u]! - p[v]!]));
        const a = dijkstraEcmp(g, source);
        const b = bellmanFordEcmp(h, source);
        assert.equal(b.paths.negativeCycle, undefined);
        for (let v = 0; v < n; v++) {
          const want = a.paths.dist[v]! + p[source]! - p[v]!;
          assert.equal(b.paths.dist[v], a.paths.dist[v] === Infinity ? Infinity : want);
        }
        assert.deepEqual(rows(b.nextHops!, n), rows(a.nextHops, n));
      },
    ),
    { seed: 99, numRuns: 400 },
  );
});

Deno.test("property: planted negative cycles are detected with exactly the affected nodes", () => {
  fc.assert(
    fc.property(
      smallGraph(-3, 8),
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.boolean(),
      ({ n, edges, source }, seed, plant) => {
        const rng = new Prng(seed);
        const all = [...edges];
        if (plant) {
          // A cycle over k distinct nodes with total weight −1..−5.
          const nodes = rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(
            0,
            rng.range(1, n),
          );
          const ws = nodes.map(() => rng.range(-6, 6));
          const total = ws.reduce((x, y) => x + y, 0);
          ws[0] = ws[0]! - total - rng.range(1, 5);
          nodes.forEach((u, i) => all.push([u, nodes[(i + 1) % nodes.length]!, ws[i]!]));
        }
        const g = graphFromEdges(n, all);
        const d = floydWarshall(g);
        const want = negativeReach(g, d, source);
        const r = bellmanFord(g, source);
        if (want.length === 0) {
          assert.equal(r.negativeCycle, undefined);
          assert.deepEqual([...r.dist], d[source]);
        } else {
          assert.ok(r.negativeCycle);
          assert.deepEqual([...r.negativeCycle.affected], want);
          assertNegativeCycle(g, r.negativeCycle.cycle);
          for (let v = 0; v < n; v++) {
            assert.equal(r.dist[v], want.includes(v) ? -Infinity : d[source]![v]);
          }
        }
        // Whole-graph search: every node behind any negative cycle.
        const everywhere: number[] = [];
        for (let v = 0; v < n; v++) {
          for (let c = 0; c < n; c++) {
            if (d[c]![c]! < 0 && d[c]![v]! < Infinity) {
              everywhere.push(v);
              break;
            }
          }
        }
        const any = findNegativeCycle(g);
        if (plant) assert.ok(any, "a planted cycle must be found");
        if (everywhere.length === 0) assert.equal(any, undefined);
        else {
          assert.deepEqual([...any!.affected], everywhere);
          assertNegativeCycle(g, any!.cycle);
        }
      },
    ),
    { seed: 31337, numRuns: 500 },
  );
});

Deno.test("bellmanFord: agrees with Dijkstra on a 2000-node random graph", () => {
  const g = randomGraph({ nodes: 2000, edges: 12000, seed: 5, weightKind: "u32" });
  const a = dijkstra(g, 3);
  const b = bellmanFord(g, 3);
  assert.deepEqual(b.dist, a.dist);
  assert.ok(b.rounds < 100);
});
