import assert from "node:assert/strict";
import { createProgress, renderBar } from "./progress.ts";

Deno.test("progress: the bar text", () => {
  assert.equal(renderBar(0.5, "cubic seed 2", 10), "[#####.....]  50% cubic seed 2");
  assert.equal(renderBar(0, "", 4), "[....]   0% ");
  assert.equal(renderBar(1.7, "x", 4), "[####] 100% x");
  assert.equal(renderBar(NaN, "x", 4), "[....]   0% x");
  assert.equal(renderBar(0.25, "a very long label indeed", 4, 10), "[#...]  25% a very lo…");
});

function harness(enabled = true) {
  let now = 0;
  const out: string[] = [];
  const p = createProgress({ now: () => now, write: (t) => out.push(t), enabled, width: 10 });
  return { p, out, at: (t: number) => (now = t) };
}

Deno.test("progress: silent for the first second, then redrawn in place at most every 100 ms", () => {
  const { p, out, at } = harness();
  at(500);
  p.update(0.2, "newreno seed 1");
  assert.deepEqual(out, []);
  at(1000);
  p.update(0.3, "newreno seed 1");
  assert.deepEqual(out, ["\r[###.......]  30% newreno seed 1"]);
  at(1050);
  p.update(0.4, "newreno seed 1");
  assert.equal(out.length, 1);
  at(1200);
  p.update(0.5, "cubic seed 2");
  assert.equal(out[1], "\r[#####.....]  50% cubic seed 2  ");
  at(1400);
  p.update(0.5, "cubic seed 2"); // nothing changed: no redraw
  assert.equal(out.length, 2);
  p.done();
  assert.equal(out[2], `\r${" ".repeat(30)}\r`);
});

Deno.test("progress: a quick run and a disabled bar write nothing", () => {
  const quick = harness();
  quick.at(300);
  quick.p.update(1, "done");
  quick.p.done();
  assert.deepEqual(quick.out, []);
  const off = harness(false);
  off.at(5000);
  off.p.update(0.5, "x");
  off.p.done();
  assert.deepEqual(off.out, []);
});
