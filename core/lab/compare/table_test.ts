import assert from "node:assert/strict";
import { flowTable, formatTable, layoutTable, summaryTable } from "./table.ts";
import { algo, flow, result } from "./fixture_testing.ts";

Deno.test("table: layout aligns names left and numbers right under two header lines", () => {
  const text = layoutTable(
    [
      { name: "algo", unit: "", align: "left" },
      { name: "goodput", unit: "Mbit/s", align: "right" },
    ],
    [["cubic", "95.1"], ["newreno", "9.5"]],
  );
  assert.equal(
    text,
    [
      "algo     goodput",
      "          Mbit/s",
      "-------  -------",
      "cubic       95.1",
      "newreno      9.5",
    ].join("\n"),
  );
});

Deno.test("table: one row per algorithm with the metrics at a column's precision", () => {
  const lines = summaryTable(result().results).split("\n");
  assert.equal(lines.length, 3 + 3);
  assert.match(
    lines[0]!,
    /^algo\s+goodput\s+util\s+RTT mean\s+RTT p95\s+qdelay mean\s+qdelay p95\s+retrans\s+loss\s+Jain$/,
  );
  assert.match(lines[1]!, /Mbit\/s\s+%\s+ms\s+ms\s+ms\s+ms\s+pkts\s+%$/);
  assert.match(
    lines[3]!,
    /^newreno\s+91\.2\s+91\.2\s+60\.3\s+87\.0\s+16\.2\s+43\.0\s+312\s+0\.12\s+1\.000$/,
  );
  // Every line of the table is as wide as the rule, numbers ending in the same column.
  const width = lines[2]!.length;
  for (const l of lines.slice(3)) assert.equal(l.length, width);
});

Deno.test("table: several seeds add aligned ± spreads and a note", () => {
  const r = result(1, { seeds: [1, 2, 3] });
  r.results[0]!.spread = { goodputMbps: 0.41, p95RttMs: 12.3 };
  r.results[1]!.spread = { goodputMbps: 1.2, p95RttMs: 0.5 };
  r.results[2]!.spread = { goodputMbps: 0.05, p95RttMs: 3 };
  const text = formatTable(r);
  assert.match(text, /newreno\s+91\.2 ± 0\.4\s+91\.2\s+60\.3\s+87\.0 ± 12\.3/);
  assert.match(text, /cubic\s+91\.2 ± 1\.2\s+91\.2\s+60\.3\s+87\.0 ± {2}0\.5/);
  assert.match(text, /± is the standard deviation over 3 seeds/);
  assert.match(text, /seeds 1\.\.3/);
});

Deno.test("table: per-flow table only when a run has several flows", () => {
  assert.ok(!formatTable(result(1)).includes("per flow"));
  const text = formatTable(result(2, { rttMs: [20, 80] }));
  assert.ok(text.includes("\nper flow\n"));
  const flows = flowTable(result(2, { rttMs: [20, 80] }).results).split("\n");
  assert.equal(flows.length, 3 + 6);
  assert.match(flows[3]!, /^newreno\s+1\s+newreno\s+20\s+45\.5\s+50\.0\s+60\.3\s+80\.5\s+12$/);
  assert.match(flows[4]!, /^\s+2\s+newreno\s+80\s+45\.5\s+50\.0/);
});

Deno.test("table: missing numbers show as a dash, not NaN", () => {
  const r = result();
  r.results[0] = algo("newreno", [flow("newreno")], { meanRttMs: NaN, jain: NaN });
  const text = formatTable(r);
  assert.ok(!text.includes("NaN"));
  assert.match(text, /newreno\s+91\.2\s+91\.2\s+–/);
});
