import assert from "node:assert/strict";
import {
  axisBottom,
  axisLeft,
  escapeXml,
  extent,
  formatTick,
  linearScale,
  niceDomain,
  niceStep,
  niceTicks,
  pointsAttr,
  stepDecimals,
  thinToPixels,
} from "./svg.ts";

Deno.test("svg: linear scale maps, inverts, reverses and survives a zero-width domain", () => {
  const s = linearScale([0, 10], [50, 450]);
  assert.equal(s.map(0), 50);
  assert.equal(s.map(10), 450);
  assert.equal(s.map(2.5), 150);
  assert.equal(s.invert(150), 2.5);
  const y = linearScale([0, 100], [200, 0]);
  assert.equal(y.map(25), 150);
  const rev = linearScale([100, 40], [0, 600]);
  assert.equal(rev.map(100), 0);
  assert.equal(rev.map(40), 600);
  assert.equal(rev.map(70), 300);
  const flat = linearScale([5, 5], [0, 100]);
  assert.equal(flat.map(5), 50);
  assert.equal(flat.map(99), 50);
});

Deno.test("svg: nice steps are 1, 2 or 5 times a power of ten", () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(100, 5), 20);
  assert.equal(niceStep(30, 6), 5);
  assert.equal(niceStep(1, 10), 0.1);
  assert.equal(niceStep(0.7, 5), 0.1);
  assert.equal(niceStep(367, 5), 100);
  assert.equal(niceStep(330, 5), 50);
  assert.equal(niceStep(1.4e9, 5), 2e8);
  assert.equal(niceStep(0, 5), 0);
  assert.equal(niceStep(NaN, 5), 0);
  assert.equal(niceStep(-1, 5), 0);
});

Deno.test("svg: ticks are exact multiples inside the range", () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0, 30, 6), [0, 5, 10, 15, 20, 25, 30]);
  assert.deepEqual(niceTicks(0, 1, 10), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceTicks(44, 88, 5), [50, 60, 70, 80]);
  assert.deepEqual(niceTicks(100, 40, 6), [40, 50, 60, 70, 80, 90, 100]);
  assert.deepEqual(niceTicks(-5, 5, 4), [-4, -2, 0, 2, 4]);
  assert.deepEqual(niceTicks(7, 7), [7]);
  assert.deepEqual(niceTicks(NaN, 1), []);
});

Deno.test("svg: nice domains end on ticks and widen a single value", () => {
  assert.deepEqual(niceDomain(0, 367, 5), [0, 400]);
  assert.deepEqual(niceDomain(44.2, 87.9, 5), [40, 90]);
  assert.deepEqual(niceDomain(0, 96.3, 5), [0, 100]);
  assert.deepEqual(niceDomain(0.0012, 0.0049, 5), [0.001, 0.005]);
  assert.deepEqual(niceDomain(5, 5), [4.4, 5.6]);
  assert.deepEqual(niceDomain(0, 0), [0, 1]);
  assert.deepEqual(niceDomain(-3, -3), [-3.3, -2.7]);
  assert.deepEqual(niceDomain(NaN, 3), [0, 1]);
  assert.deepEqual(niceDomain(10, 0), [0, 10]);
});

Deno.test("svg: extent skips non-finite values and can include zero", () => {
  assert.deepEqual(extent([3, NaN, 1, Infinity, 2]), [1, 3]);
  assert.deepEqual(extent([3, 5], true), [0, 5]);
  assert.equal(extent([]), undefined);
  assert.deepEqual(extent([], true), [0, 0]);
});

Deno.test("svg: tick labels carry the decimals of their step", () => {
  assert.equal(stepDecimals(5), 0);
  assert.equal(stepDecimals(0.5), 1);
  assert.equal(stepDecimals(0.25), 2);
  assert.equal(stepDecimals(0.001), 3);
  assert.equal(formatTick(0.30000000000000004, 0.1), "0.3");
  assert.equal(formatTick(20, 5), "20");
  assert.equal(formatTick(-0, 0.1), "0.0");
});

Deno.test("svg: thinning keeps each pixel column's first, lowest, highest and last point", () => {
  const x = linearScale([0, 100], [0, 10]); // 10 data units per pixel
  const y = linearScale([0, 10], [10, 0]);
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < 100; i++) {
    t.push(i);
    v.push(i % 10 === 3 ? 9 : i % 10 === 6 ? 1 : 5);
  }
  const pts = thinToPixels(t, v, x, y);
  assert.equal(pts.length, 40);
  // First column: t = 0 (5), 3 (9), 6 (1), 9 (5), in time order.
  const r = (p: readonly [number, number]) => [Math.round(p[0] * 10) / 10, p[1]];
  assert.deepEqual(pts.slice(0, 4).map(r), [[0, 5], [0.3, 1], [0.6, 9], [0.9, 5]]);
  // Two hundred thousand points become at most four per column.
  const n = 200_000;
  const big = thinToPixels(
    Array.from({ length: n }, (_, i) => i / n * 100),
    Array.from({ length: n }, (_, i) => Math.sin(i)),
    x,
    y,
  );
  assert.ok(big.length <= 4 * 11, String(big.length));
  // Empty, single and non-finite.
  assert.deepEqual(thinToPixels([], [], x, y), []);
  assert.deepEqual(thinToPixels([50], [5], x, y), [[5, 5]]);
  assert.deepEqual(thinToPixels([1, 2, 3], [NaN, 4, Infinity], x, y), [[0.2, 6]]);
});

Deno.test("svg: points, escaping and axes", () => {
  assert.equal(pointsAttr([[1.234, 5], [-0.01, 10.06]]), "1.2,5 0,10.1");
  assert.equal(escapeXml(`a<b & "c" 'd'>`), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  const area = { left: 50, top: 10, width: 400, height: 200 };
  const x = linearScale([0, 30], [50, 450]);
  const ax = axisBottom(x, area, { ticks: niceTicks(0, 30, 6), label: "time (s)", grid: true });
  assert.equal((ax.match(/class="ticklabel"/g) ?? []).length, 7);
  assert.equal((ax.match(/class="grid"/g) ?? []).length, 7);
  assert.ok(ax.includes(">time (s)</text>"));
  const y = linearScale([0, 100], [210, 10]);
  const ay = axisLeft(y, area, { ticks: niceTicks(0, 100, 5), label: "Mbit/s <x>" });
  assert.equal((ay.match(/class="ticklabel"/g) ?? []).length, 6);
  assert.ok(ay.includes("Mbit/s &lt;x&gt;"));
  assert.ok(!ay.includes('class="grid"'));
});
