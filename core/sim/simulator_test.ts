import assert from "node:assert/strict";
import { HeapScheduler, ListScheduler } from "./scheduler.ts";
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
  assert.throws(() => sim.schedule(ev, 3 * ms), /already pending/);
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

Deno.test("simulator: a cancelled event leaves the queue at once; a reusable one can be scheduled again", () => {
  const sim = new Simulator({ seed: 1 });
  let fired = 0;
  const ev = sim.reusable(() => fired++);
  sim.schedule(ev, 1 * ms);
  const other = sim.at(1 * ms, () => fired += 10);
  assert.equal(sim.pending, 2);
  ev.cancel();
  assert.equal(ev.pending, false);
  assert.equal(sim.pending, 1);
  sim.schedule(ev, 2 * ms);
  sim.run();
  assert.equal(fired, 11);
  assert.equal(other.pending, false);
  other.cancel(); // harmless after it fired
  assert.equal(sim.pending, 0);
});

for (
  const [name, make] of [["heap", () => new HeapScheduler()], [
    "sorted list",
    () => new ListScheduler(),
  ]] as const
) {
  Deno.test(`simulator (${name}): cancelling events anywhere in the queue keeps the others in order`, () => {
    const sim = new Simulator({ seed: 1, scheduler: make() });
    const fired: number[] = [];
    // Times that repeat, so order among equal times matters too.
    const timers = Array.from({ length: 200 }, (_, i) => {
      const t = ((i * 7919) % 37) * ms;
      return { i, t, timer: sim.at(t, () => fired.push(i)) };
    });
    const kept = timers.filter(({ i }) => i % 3 !== 0);
    for (const { i, timer } of timers) if (i % 3 === 0) timer.cancel();
    assert.equal(sim.pending, kept.length);
    sim.run();
    const want = [...kept].sort((a, b) => a.t - b.t || a.i - b.i).map(({ i }) => i);
    assert.deepEqual(fired, want);
  });
}

Deno.test("simulator: a reusable event scheduled again from its own callback keeps the order", () => {
  const sim = new Simulator({ seed: 1 });
  const order: string[] = [];
  let n = 0;
  const ev = sim.reusable(() => {
    order.push(`tick ${n} at ${sim.now}`);
    if (++n < 3) sim.schedule(ev, sim.now + 1 * ms);
  });
  sim.schedule(ev, 1 * ms);
  sim.at(2 * ms, () => order.push(`other at ${sim.now}`));
  // Cancelled from its own callback: it does not come back.
  const once = sim.reusable(() => {
    order.push("once");
    once.cancel();
  });
  sim.schedule(once, 2 * ms);
  sim.run();
  assert.deepEqual(order, [
    `tick 0 at ${1 * ms}`,
    // Scheduled again at 1 ms for 2 ms: after the events scheduled for 2 ms before the run.
    `other at ${2 * ms}`,
    "once",
    `tick 1 at ${2 * ms}`,
    `tick 2 at ${3 * ms}`,
  ]);
  assert.equal(sim.pending, 0);
  assert.equal(ev.pending, false);
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
