import assert from "node:assert/strict";
import { Fifo } from "./fifo.ts";

Deno.test("fifo: items leave in the order they came, across growth and wrap-around", () => {
  const q = new Fifo<number>();
  const out: number[] = [];
  let next = 0;
  // Interleave pushes and shifts so the head wraps while the ring grows past 16.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 7; i++) q.push(next++);
    for (let i = 0; i < 5; i++) out.push(q.shift()!);
  }
  assert.equal(q.size, next - out.length);
  assert.equal(q.at(0), out.length);
  assert.equal(q.at(q.size - 1), next - 1);
  while (q.size > 0) out.push(q.shift()!);
  assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
  assert.equal(q.shift(), undefined);
});

Deno.test("fifo: clear empties it and it works again afterwards", () => {
  const q = new Fifo<string>();
  for (const s of ["a", "b", "c"]) q.push(s);
  q.clear();
  assert.equal(q.size, 0);
  assert.equal(q.shift(), undefined);
  q.push("d");
  assert.equal(q.shift(), "d");
});
