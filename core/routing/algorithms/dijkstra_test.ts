import assert from "node:assert/strict";
import fc from "fast-check";
import { dijkstra, DijkstraWorkspace, pathTo } from "./dijkstra.ts";
import { graphFromEdges } from "./graph.ts";
import { randomGraph } from "./random_graph.ts";
import { arbSmallGraph, floydWarshall, sixRouters } from "./testing.ts";

Deno.test("dijkstra: six-router topology, hand-computed distances", () => {
  for (const kind of ["u32", "f64"] as const) {
    const g = sixRouters(kind);
    const r = dijkstra(g, 0);
    assert.deepEqual([...r.dist], [0, 1, 2, 3, 6, 7]);
    assert.equal(r.complete, true);
    assert.equal(r.source, 0);
    assert.equal(r.pred[0], -1);
    assert.equal(r.pred[1], 0);
    assert.equal(r.pred[2], 0);
    assert.ok(r.pred[3] === 1 || r.pred[3] === 2);
    assert.equal(r.pred[4], 3);
    assert.equal(r.pred[5], 4);
    assert.equal(r.order.length, 6);
    for (let i = 1; i < r.order.length; i++) {
      assert.ok(r.dist[r.order[i - 1]!]! <= r.dist[r.order[i]!]!);
    }
    const p = pathTo(r, 5)!;
    assert.equal(p[0], 0);
    assert.equal(p[p.length - 1], 5);
    assert.equal(p.length, 5); // A, B|C, D, E, F
    // From F: E 1, D 4, C 5, B 6, A 7.
    assert.deepEqual([...dijkstra(g, 5).dist], [7, 6, 5, 4, 1, 0]);
  }
});

Deno.test("dijkstra: unreachable nodes, self-loops, zero weights and parallel edges", () => {
  const g = graphFromEdges(6, [
    [0, 1, 5],
    [0, 1, 2], // parallel, cheaper
    [1, 1, 0], // zero self-loop
    [1, 2, 0], // zero edge
    [2, 1, 0], // zero cycle 1 <-> 2
    [2, 3, 4],
    [4, 5, 1], // 4, 5 unreachable from 0
  ]);
  const r = dijkstra(g, 0);
  assert.deepEqual([...r.dist], [0, 2, 2, 6, Infinity, Infinity]);
  assert.deepEqual([...r.pred], [-1, 0, 1, 2, -1, -1]);
  assert.equal(r.order.length, 4);
  assert.equal(pathTo(r, 4), undefined);
  assert.deepEqual(pathTo(r, 3), [0, 1, 2, 3]);
  assert.deepEqual(pathTo(r, 0), [0]);
});

Deno.test("dijkstra: early exit at a target settles it with its final distance", () => {
  const g = randomGraph({ nodes: 300, edges: 1500, seed: 9 });
  const full = dijkstra(g, 0);
  for (const t of [0, 1, 17, 299]) {
    const r = dijkstra(g, 0, { target: t });
    assert.equal(r.dist[t], full.dist[t]);
    assert.equal(r.order[r.order.length - 1], t);
    for (const v of r.order) assert.equal(r.dist[v], full.dist[v]);
    assert.deepEqual(pathTo(r, t), pathTo(full, t));
  }
  assert.equal(dijkstra(g, 0, { target: 17 }).complete, false);
});

Deno.test("dijkstra: rejects negative weights and bad nodes", () => {
  const g = graphFromEdges(2, [[0, 1, -1]]);
  assert.throws(() => dijkstra(g, 0), /negative/);
  const h = graphFromEdges(2, [[0, 1, 1]]);
  assert.throws(() => dijkstra(h, 2), RangeError);
  assert.throws(() => dijkstra(h, 0, { target: 5 }), RangeError);
});

Deno.test("dijkstra: single node and empty graph edge cases", () => {
  const r = dijkstra(graphFromEdges(1, []), 0);
  assert.deepEqual([...r.dist], [0]);
  assert.deepEqual([...r.order], [0]);
});

Deno.test("dijkstra: property — distances equal Floyd–Warshall on small random graphs", () => {
  const graph = arbSmallGraph(10, 9, 35);
  fc.assert(
    fc.property(graph, fc.constantFrom("f64", "u32"), ({ n, edges, source }, weights) => {
      // Float weights take the 4-ary heap, u32 metrics the radix heap.
      const g = graphFromEdges(n, edges, { weights });
      const d = floydWarshall(g);
      const r = dijkstra(g, source);
      assert.deepEqual([...r.dist], d[source]);
      // Every recorded predecessor edge is tight.
      for (let v = 0; v < n; v++) {
        const p = r.pred[v]!;
        if (p < 0) continue;
        let ok = false;
        for (let e = g.offsets[p]!; e < g.offsets[p + 1]!; e++) {
          if (g.targets[e] === v && r.dist[p]! + g.weights[e]! === r.dist[v]) ok = true;
        }
        assert.ok(ok, `pred edge ${p} → ${v} is not tight`);
      }
    }),
    { seed: 424242, numRuns: 400 },
  );
});

Deno.test("dijkstra: property — early exits settle the target, and every reached node has a tight predecessor", () => {
  const graph = arbSmallGraph(12, 5, 40);
  fc.assert(
    fc.property(
      graph,
      fc.constantFrom("f64", "u32"),
      ({ n, edges, source, target }, weights) => {
        const g = graphFromEdges(n, edges, { weights });
        const d = floydWarshall(g)[source]!;
        const r = dijkstra(g, source, { target });
        for (const v of r.order) assert.equal(r.dist[v], d[v]);
        if (d[target] !== Infinity) assert.equal(r.order[r.order.length - 1], target);
        const settled = new Set(r.order);
        let reachedUnsettled = 0;
        for (let v = 0; v < n; v++) {
          if (r.dist[v] === Infinity) {
            assert.equal(r.pred[v], -1);
            continue;
          }
          assert.ok(r.dist[v]! >= d[v]!, `dist ${v} below the true distance`);
          if (!settled.has(v)) reachedUnsettled++;
          const p = r.pred[v]!;
          if (v === source) {
            assert.equal(p, -1);
            continue;
          }
          // The predecessor was settled when it reached v: its edge gives v's distance.
          assert.ok(settled.has(p), `pred ${p} of ${v} is not settled`);
          let ok = false;
          for (let e = g.offsets[p]!; e < g.offsets[p + 1]!; e++) {
            if (g.targets[e] === v && r.dist[p]! + g.weights[e]! === r.dist[v]) ok = true;
          }
          assert.ok(ok, `pred edge ${p} → ${v} does not give dist ${r.dist[v]}`);
        }
        assert.equal(r.complete, reachedUnsettled === 0);
      },
    ),
    { seed: 8080, numRuns: 400 },
  );
});

Deno.test("dijkstra: a reused workspace gives the same results, also after early exits", () => {
  const ws = new DijkstraWorkspace(400);
  const graphs = [
    randomGraph({ nodes: 300, edges: 1500, seed: 1 }),
    randomGraph({ nodes: 400, edges: 900, seed: 2, connected: false, zeroWeight: 0.2 }),
    randomGraph({ nodes: 300, edges: 1500, seed: 1, weightKind: "u32" }),
    randomGraph({
      nodes: 400,
      edges: 900,
      seed: 2,
      connected: false,
      zeroWeight: 0.2,
      weightKind: "u32",
    }),
  ];
  for (const g of graphs) {
    for (const [source, target] of [[0, 5], [7, undefined], [3, 299], [3, undefined]] as const) {
      const fresh = dijkstra(g, source, { target });
      const reused = dijkstra(g, source, { target, workspace: ws });
      assert.deepEqual([...reused.dist], [...fresh.dist]);
      assert.deepEqual([...reused.pred], [...fresh.pred]);
      assert.deepEqual([...reused.order], [...fresh.order]);
      assert.equal(reused.complete, fresh.complete);
    }
  }
  assert.throws(
    () => dijkstra(graphs[1]!, 0, { workspace: new DijkstraWorkspace(10) }),
    /capacity/,
  );
});

Deno.test("dijkstra: runs without a workspace share a scratch heap safely", () => {
  for (const weightKind of ["f64", "u32"] as const) {
    const big = randomGraph({ nodes: 500, edges: 2000, seed: 3, weightKind });
    const small = randomGraph({ nodes: 20, edges: 60, seed: 4, weightKind });
    const want = dijkstra(big, 0).dist.slice();
    const first = dijkstra(big, 0);
    dijkstra(big, 1, { target: 2 }); // leaves entries in the shared heap
    dijkstra(small, 0);
    assert.deepEqual([...dijkstra(big, 0).dist], [...want]);
    assert.deepEqual([...first.dist], [...want]); // earlier results are not overwritten
  }
});

Deno.test("dijkstra: u32 metrics that could overflow 32-bit distances take the float heap", () => {
  // Three hops of 2^31 each: 3·2^31 does not fit a 32-bit distance.
  const g = graphFromEdges(4, [[0, 1, 2 ** 31], [1, 2, 2 ** 31], [2, 3, 2 ** 31]], {
    weights: "u32",
  });
  assert.deepEqual([...dijkstra(g, 0).dist], [0, 2 ** 31, 2 ** 32, 3 * 2 ** 31]);
  assert.deepEqual([...dijkstra(g, 0, { target: 2 }).order], [0, 1, 2]);
});

Deno.test("dijkstra: property — the three queues (buckets, radix heap, 4-ary heap) agree with Floyd–Warshall", () => {
  // Metrics below 4096 take the bucket queue, larger u32 metrics the radix
  // heap, floats the 4-ary heap; scaling every weight by 1000 scales every
  // distance and keeps the same shortest paths.
  fc.assert(
    fc.property(arbSmallGraph(12, 9, 40), fc.boolean(), ({ n, edges, source, target }, early) => {
      const d = floydWarshall(graphFromEdges(n, edges))[source]!;
      const scaled = edges.map(([u, v, w]) => [u, v, w * 1000] as [number, number, number]);
      const opts = early ? { target } : {};
      const runs = [
        [dijkstra(graphFromEdges(n, edges, { weights: "u32" }), source, opts), 1],
        [dijkstra(graphFromEdges(n, scaled, { weights: "u32" }), source, opts), 1000],
        [dijkstra(graphFromEdges(n, scaled), source, opts), 1000],
      ] as const;
      for (const [r, k] of runs) {
        for (const v of r.order) assert.equal(r.dist[v], d[v]! * k);
        if (!early) assert.deepEqual([...r.dist], d.map((x) => x * k));
        if (early && d[target] !== Infinity) assert.equal(r.order[r.order.length - 1], target);
        for (let i = 1; i < r.order.length; i++) {
          assert.ok(r.dist[r.order[i - 1]!]! <= r.dist[r.order[i]!]!);
        }
      }
    }),
    { seed: 5150, numRuns: 400 },
  );
});
