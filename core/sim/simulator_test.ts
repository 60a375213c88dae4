import assert from "node:assert/strict";
import { ms, Simulator } from "./simulator.ts";

Deno.test("simulator: equal times run in the order they were scheduled", () => {
  const sim = new Simulator({ seed: 1 });
  const order: string[] = [];
  sim.at(5 * ms, () => order.push("a"));
  sim.at(1 * ms, () => order.push("b"));
  sim.at(5 * ms, () => order.push("c"));
  sim.run();
  assert.deepEqual(order, ["b", "a", "c"]);
});

Deno.test("simulator: a reusable event fires once per schedule, in its place among equal times", () => {
  const sim = new Simulator({ seed: 1 });
  const order: string[] = [];
  const ev = sim.reusable((tag: string) => order.push(`reusable ${tag} at ${sim.now}`), "x");
  sim.at(2 * ms, () => order.push("first at 2 ms"));
  sim.schedule(ev, 2 * ms);
  sim.at(2 * ms, () => order.push("last at 2 ms"));
  assert.equal(ev.pending, true);
  assert.throws(() => sim.schedule(ev, 3 * ms), /already queued/);
  sim.run();
  assert.equal(ev.pending, false);
  sim.schedule(ev, 4 * ms);
  sim.run();
  assert.deepEqual(order, [
    "first at 2 ms",
    `reusable x at ${2 * ms}`,
    "last at 2 ms",
    `reusable x at ${4 * ms}`,
  ]);
  assert.equal(sim.executed, 4);
});

Deno.test("simulator: a cancelled reusable event does not fire and can be scheduled again once skipped", () => {
  const sim = new Simulator({ seed: 1 });
  let fired = 0;
  const ev = sim.reusable(() => fired++);
  sim.schedule(ev, 1 * ms);
  ev.cancel();
  assert.equal(ev.pending, false);
  assert.equal(ev.queued, true);
  sim.run();
  assert.equal(fired, 0);
  assert.equal(ev.queued, false);
  sim.schedule(ev, 2 * ms);
  sim.run();
  assert.equal(fired, 1);
});

Deno.test("simulator: a reserved sequence number keeps the place of the moment it was taken", () => {
  const sim = new Simulator({ seed: 1 });
  const order: string[] = [];
  // A component that keeps future events in its own FIFO takes their sequence
  // numbers when it learns of them and hands over only the earliest.
  const seq = sim.reserveSeq();
  sim.at(3 * ms, () => order.push("scheduled after the reservation"));
  const ev = sim.reusable(() => order.push("reserved"));
  sim.scheduleReserved(ev, 3 * ms, seq);
  sim.run();
  assert.deepEqual(order, ["reserved", "scheduled after the reservation"]);
  assert.throws(() => sim.scheduleReserved(ev, 1 * ms, sim.reserveSeq()), /in the past/);
});
