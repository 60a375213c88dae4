import assert from "node:assert/strict";
import fc from "fast-check";
import { WindowedMaxFilter } from "./windowed_filter.ts";

Deno.test("windowed max: table of updates", () => {
  // [time, value, expected best] with a 10-unit window.
  const table: [number, number, number][] = [
    [0, 5, 5],
    [1, 3, 5],
    [2, 8, 8], // new max replaces everything
    [5, 6, 8],
    [9, 7, 8],
    [12, 4, 8], // 8 taken at 2: 10 units old, still inside
    [13, 4, 7], // expired: the later choice (7 at 9) takes over
    [19, 1, 7],
    [20, 1, 4], // 7 at 9 expired: next choice
    [40, 2, 2], // nothing left in the window: reset
  ];
  const f = new WindowedMaxFilter(10);
  for (const [t, v, best] of table) assert.equal(f.update(t, v), best, `t=${t}`);
});

Deno.test("windowed max: best is always a sample from the window, at least the newest", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1000 })), {
        minLength: 1,
        maxLength: 200,
      }),
      (steps) => {
        const f = new WindowedMaxFilter(10);
        const seen: [number, number][] = [];
        let t = 0;
        for (const [dt, v] of steps) {
          t += dt;
          seen.push([t, v]);
          const best = f.update(t, v);
          const inWindow = seen.filter(([st]) => t - st <= 10).map(([, sv]) => sv);
          assert.ok(best >= v);
          assert.ok(best <= Math.max(...inWindow));
          assert.ok(inWindow.includes(best));
        }
      },
    ),
  );
});
