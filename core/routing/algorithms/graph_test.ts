import assert from "node:assert/strict";
import { checkNode, findNode, GraphBuilder, graphFromEdges, nodeName, transpose } from "./graph.ts";

Deno.test("GraphBuilder: CSR rows keep insertion order; edge ids map back", () => {
  const b = new GraphBuilder(4);
  assert.equal(b.addEdge(2, 0, 5), 0);
  assert.equal(b.addEdge(0, 1, 1), 1);
  assert.equal(b.addEdge(0, 3, 2), 2);
  assert.equal(b.addEdge(2, 2, 0), 3); // self-loop
  assert.equal(b.addEdge(0, 1, 7), 4); // parallel
  const g = b.build();
  assert.equal(g.nodeCount, 4);
  assert.equal(g.edgeCount, 5);
  assert.deepEqual([...g.offsets], [0, 3, 3, 5, 5]);
  assert.deepEqual([...g.targets], [1, 3, 1, 0, 2]);
  assert.deepEqual([...g.weights], [1, 2, 7, 5, 0]);
  assert.deepEqual([...g.edgeIds], [1, 2, 4, 0, 3]);
  assert.ok(g.weights instanceof Float64Array);
  assert.equal(g.minWeight, 0);
  assert.deepEqual(g.names, []);
});

Deno.test("GraphBuilder: links, names and u32 weights", () => {
  const b = new GraphBuilder(0, { weights: "u32" });
  const a = b.addNode("a");
  const c = b.addNode("c");
  const x = b.addNode();
  assert.deepEqual(b.addLink(a, c, 10), [0, 1]);
  assert.deepEqual(b.addLink(c, x, 3, 4), [2, 3]);
  b.setName(x, "x");
  assert.equal(b.nodeId("x"), 2);
  assert.throws(() => b.addNode("a"), /duplicate/);
  assert.throws(() => b.setName(a, "c"), /duplicate/);
  assert.throws(() => b.addEdge(a, c, -1), RangeError);
  assert.throws(() => b.addEdge(a, c, 1.5), RangeError);
  assert.throws(() => b.addEdge(a, c, 2 ** 32), RangeError);
  assert.throws(() => b.addEdge(a, 3, 1), RangeError);
  const g = b.build();
  assert.ok(g.weights instanceof Uint32Array);
  assert.deepEqual([...g.offsets], [0, 1, 3, 4]);
  assert.deepEqual([...g.targets], [1, 0, 2, 1]);
  assert.deepEqual([...g.weights], [10, 10, 3, 4]);
  assert.equal(nodeName(g, 2), "x");
  assert.equal(findNode(g, "c"), 1);
  assert.equal(findNode(g, "nope"), undefined);
  const h = graphFromEdges(3, [[0, 1, 1]]);
  assert.equal(nodeName(h, 2), "2");
});

Deno.test("GraphBuilder: rejects non-finite weights and bad node counts; grows storage", () => {
  assert.throws(() => new GraphBuilder(-1), RangeError);
  const b = new GraphBuilder(2, {}, 1);
  assert.throws(() => b.addEdge(0, 1, NaN), RangeError);
  assert.throws(() => b.addEdge(0, 1, Infinity), RangeError);
  for (let i = 0; i < 1000; i++) b.addEdge(i % 2, (i + 1) % 2, i - 500);
  const g = b.build();
  assert.equal(g.edgeCount, 1000);
  assert.equal(g.minWeight, -500);
  // A later edge does not appear in an earlier build.
  b.addEdge(0, 0, 1);
  assert.equal(g.edgeCount, 1000);
  assert.equal(b.build().edgeCount, 1001);
});

Deno.test("transpose reverses every edge and keeps weights and ids", () => {
  const g = graphFromEdges(3, [[0, 1, 4], [1, 2, 5], [2, 0, 6], [0, 2, 7]], { weights: "u32" });
  const t = transpose(g);
  assert.ok(t.weights instanceof Uint32Array);
  const edges = (x: typeof g) => {
    const out: string[] = [];
    for (let u = 0; u < x.nodeCount; u++) {
      for (let e = x.offsets[u]!; e < x.offsets[u + 1]!; e++) {
        out.push(`${u}>${x.targets[e]}:${x.weights[e]}#${x.edgeIds[e]}`);
      }
    }
    return out.sort();
  };
  assert.deepEqual(edges(t), ["0>2:6#2", "1>0:4#0", "2>0:7#3", "2>1:5#1"]);
  assert.deepEqual(edges(transpose(t)), edges(g));
});

Deno.test("checkNode", () => {
  const g = graphFromEdges(2, []);
  checkNode(g, 1);
  assert.throws(() => checkNode(g, 2), RangeError);
  assert.throws(() => checkNode(g, -1), RangeError);
  assert.throws(() => checkNode(g, 0.5), RangeError);
});
