import assert from "node:assert/strict";
import { flowColors, renderReport, runColors, shade } from "./report.ts";
import { algo, config, flow, result, series } from "./fixture_testing.ts";
import type { CompareResult } from "./types.ts";

const VOID = new Set(["meta", "br", "hr", "img", "input", "link"]);

/** Check that tags nest and close properly; returns the problems found. */
function structureProblems(html: string): string[] {
  const body = html
    .replace(/<script>[\s\S]*?<\/script>/g, "<script></script>")
    .replace(/<style>[\s\S]*?<\/style>/g, "<style></style>")
    .replace(/<!DOCTYPE html>/i, "");
  const problems: string[] = [];
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)) {
    const [, close, name, attrs] = m;
    const tag = name!.toLowerCase();
    if (close) {
      const open = stack.pop();
      if (open !== tag) problems.push(`</${tag}> closes <${open}>`);
    } else if (!attrs!.endsWith("/") && !VOID.has(tag)) {
      stack.push(tag);
    }
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(", ")}`);
  // A stray < or > outside tags would mean unescaped text.
  const text = body.replace(/<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g, "");
  if (/[<>]/.test(text)) problems.push("unescaped < or > in text");
  return problems;
}

/** The `<svg>` elements, in order. */
function svgs(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

function count(text: string, re: RegExp): number {
  return (text.match(re) ?? []).length;
}

Deno.test("report: one SVG per plot, one polyline per flow (per run for the queue)", () => {
  const r = result(2, { rttMs: [20, 80] });
  const html = renderReport(r);
  const plots = svgs(html);
  // Scatter, then cwnd, throughput, RTT and queue rows of three panels.
  assert.equal(plots.length, 1 + 4 * 3);
  assert.match(plots[0]!, /class="plot scatter"/);
  assert.equal(count(plots[0]!, /<circle /g), 3);
  assert.equal(count(plots[0]!, /<polyline/g), 0);
  for (let i = 1; i <= 9; i++) assert.equal(count(plots[i]!, /<polyline /g), 2, `panel ${i}`);
  for (let i = 10; i <= 12; i++) assert.equal(count(plots[i]!, /<polyline /g), 1, `queue ${i}`);
  // Each panel has labelled axes.
  for (const p of plots) {
    assert.equal(count(p, /class="axislabel"/g), 2);
    assert.ok(count(p, /class="ticklabel"/g) >= 4);
  }
  assert.ok(plots[1]!.includes(">cwnd (packets)</text>"));
  assert.ok(plots[4]!.includes(">throughput (Mbit/s)</text>"));
  assert.ok(plots[7]!.includes(">RTT (ms)</text>"));
  assert.ok(plots[10]!.includes(">queue (packets)</text>"));
  assert.ok(plots[0]!.includes("reversed"));
  assert.ok(plots[0]!.includes("better"));
});

Deno.test("report: well-formed, self-contained, no external URLs", () => {
  for (const r of [result(1), result(3, { rttMs: [10, 20, 40] })]) {
    const html = renderReport(r, { notice: "synthetic <data> & such" });
    assert.deepEqual(structureProblems(html), []);
    assert.ok(!/https?:|\/\/[a-z]|src=|href=|@import|url\((?!#)/i.test(html), "external reference");
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.ok(html.includes("synthetic &lt;data&gt; &amp; such"));
  }
});

Deno.test("report: the summary table and configuration are in the page", () => {
  const html = renderReport(result(2, { seeds: [1, 2], rttMs: [20, 80] }));
  assert.ok(html.includes("<h1>newreno vs cubic vs bbr</h1>"));
  assert.equal(count(html, /<table>/g), 2); // summary and per flow
  assert.match(html, /<dt>bottleneck<\/dt><dd>100 Mbit\/s<\/dd>/);
  assert.match(html, /<dt>buffer<\/dt><dd>367 packets \(1bdp\)<\/dd>/);
  assert.match(html, /<dt>seeds<\/dt><dd>1, 2<\/dd>/);
});

Deno.test("report: error bars with several seeds", () => {
  const r = result(1, { seeds: [1, 2, 3] });
  for (const a of r.results) a.spread = { goodputMbps: 1.5, p95RttMs: 4 };
  const scatter = svgs(renderReport(r))[0]!;
  assert.equal(count(scatter, /class="errbar"/g), 3);
  assert.equal(count(svgs(renderReport(result(1)))[0]!, /class="errbar"/g), 0);
});

Deno.test("report: empty series, a single point, flat values and long series", () => {
  const c = config({ algos: ["newreno", "cubic", "bbr"] });
  const empty = { t: [], v: [] };
  const r: CompareResult = {
    config: c,
    results: [
      algo("newreno", [flow("newreno", { cwnd: empty, throughput: empty, rtt: empty })], {
        queue: empty,
      }),
      algo("cubic", [
        flow("cubic", {
          cwnd: { t: [3], v: [1448 * 100] },
          throughput: series(10, 10, () => 50),
          rtt: series(10, 10, () => 44),
        }),
      ], { queue: series(10, 10, () => 0) }),
      algo("bbr", [flow("bbr", {}, 100_000)], { queue: series(100_000, 10, (t) => t * 10) }),
    ],
  };
  const html = renderReport(r);
  assert.deepEqual(structureProblems(html), []);
  assert.ok(!html.includes("NaN"));
  const plots = svgs(html);
  assert.equal(plots.length, 13);
  // newreno: every time panel says there is no data.
  for (const i of [1, 4, 7, 10]) {
    assert.equal(count(plots[i]!, /<polyline /g), 0);
    assert.ok(plots[i]!.includes(">no data</text>"));
  }
  // cubic: one cwnd point is drawn as a dot.
  assert.equal(count(plots[2]!, /<polyline /g), 1);
  assert.equal(count(plots[2]!, /<circle /g), 1);
  // bbr: 100,000 points thinned to a few per pixel column.
  const pts = /points="([^"]*)"/.exec(plots[3]!)![1]!.split(" ");
  assert.ok(pts.length < 2000, String(pts.length));
  assert.ok(html.length < 400_000, String(html.length));
});

Deno.test("report: colours — fixed per algorithm, shades per flow, extras for mixes", () => {
  assert.deepEqual(runColors(["newreno", "cubic+bbr", "bbr", "newreno+bbr"]), [
    "#0072B2",
    "#CC79A7",
    "#009E73",
    "#E69F00",
  ]);
  const colors = flowColors([flow("cubic"), flow("bbr"), flow("cubic"), flow("cubic")]);
  assert.equal(colors[0], "#D55E00");
  assert.equal(colors[1], "#009E73");
  assert.equal(new Set(colors).size, 4);
  assert.equal(shade("#D55E00", 0), "#D55E00");
  assert.match(shade("#D55E00", 1), /^#[0-9A-F]{6}$/);
});

Deno.test("report: a mix labels its flows by algorithm", () => {
  const c = config({ algos: ["cubic+bbr"], flows: 1 });
  const r: CompareResult = {
    config: c,
    results: [algo("cubic+bbr", [flow("cubic"), flow("bbr")])],
  };
  const html = renderReport(r);
  assert.ok(html.includes(">cubic 1</text>"));
  assert.ok(html.includes(">bbr 1</text>"));
  assert.equal(svgs(html).length, 5);
});
