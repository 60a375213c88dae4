import assert from "node:assert/strict";
import { type CsrGraph, transpose } from "./graph.ts";
import { randomGraph } from "./random_graph.ts";

function reachableFrom(g: CsrGraph, s: number): number {
  const seen = new Uint8Array(g.nodeCount);
  const stack = [s];
  seen[s] = 1;
  let count = 1;
  while (stack.length > 0) {
    const u = stack.pop()!;
    for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) {
      const v = g.targets[e]!;
      if (!seen[v]) {
        seen[v] = 1;
        count++;
        stack.push(v);
      }
    }
  }
  return count;
}

const pairs = (g: CsrGraph): string[] => {
  const out: string[] = [];
  for (let u = 0; u < g.nodeCount; u++) {
    for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) out.push(`${u}>${g.targets[e]}`);
  }
  return out;
};

Deno.test("randomGraph: same seed, same graph; different seed, different graph", () => {
  const a = randomGraph({ nodes: 50, edges: 200, seed: 1 });
  const b = randomGraph({ nodes: 50, edges: 200, seed: 1 });
  const c = randomGraph({ nodes: 50, edges: 200, seed: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.targets, c.targets);
});

Deno.test("randomGraph: directed graphs are strongly connected with exactly m edges", () => {
  for (const seed of [1, 2, 3]) {
    const g = randomGraph({ nodes: 500, edges: 1500, seed });
    assert.equal(g.edgeCount, 1500);
    assert.equal(reachableFrom(g, 0), 500);
    assert.equal(reachableFrom(transpose(g), 0), 500);
    for (const w of g.weights) assert.ok(w >= 1 && w <= 100 && Number.isInteger(w));
  }
  assert.equal(randomGraph({ nodes: 1, edges: 0, seed: 1 }).edgeCount, 0);
});

Deno.test("randomGraph: undirected graphs give two edges per link and are connected", () => {
  const g = randomGraph({ nodes: 300, edges: 400, seed: 4, undirected: true, weightKind: "u32" });
  assert.equal(g.edgeCount, 800);
  assert.ok(g.weights instanceof Uint32Array);
  assert.equal(reachableFrom(g, 7), 300);
  assert.deepEqual(pairs(transpose(g)).sort(), pairs(g).sort());
});

Deno.test("randomGraph: simple graphs have no parallel edges or self-loops", () => {
  const g = randomGraph({ nodes: 30, edges: 600, seed: 5, parallel: false });
  const p = pairs(g);
  assert.equal(new Set(p).size, p.length);
  assert.ok(p.every((s) => s.split(">")[0] !== s.split(">")[1]));
  assert.throws(() => randomGraph({ nodes: 3, edges: 7, seed: 1, parallel: false }), RangeError);
});

Deno.test("randomGraph: knobs produce zero weights, self-loops, parallel edges, float weights", () => {
  const g = randomGraph({
    nodes: 100,
    edges: 2000,
    seed: 6,
    zeroWeight: 0.2,
    selfLoops: 0.1,
    parallelEdges: 0.1,
    integer: false,
    minWeight: 0.5,
    maxWeight: 2,
  });
  const p = pairs(g);
  assert.ok(p.length - new Set(p).size > 50, "parallel edges");
  assert.ok(p.filter((s) => s.split(">")[0] === s.split(">")[1]).length > 50, "self-loops");
  const zeros = [...g.weights].filter((w) => w === 0).length;
  assert.ok(zeros > 250 && zeros < 550, `zero weights ${zeros}`);
  assert.ok([...g.weights].some((w) => w > 0 && !Number.isInteger(w)));
  assert.ok([...g.weights].every((w) => w === 0 || (w >= 0.5 && w <= 2)));
});

Deno.test("randomGraph: disconnected graphs and bad options", () => {
  const g = randomGraph({ nodes: 1000, edges: 300, seed: 8, connected: false });
  assert.ok(reachableFrom(g, 0) < 1000);
  assert.throws(() => randomGraph({ nodes: 10, edges: 9, seed: 1 }), RangeError);
  assert.throws(() => randomGraph({ nodes: 0, edges: 0, seed: 1 }), RangeError);
  assert.throws(
    () => randomGraph({ nodes: 5, edges: 5, seed: 1, minWeight: 3, maxWeight: 2 }),
    RangeError,
  );
});
