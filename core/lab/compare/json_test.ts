import assert from "node:assert/strict";
import { formatJson, roundSignificant, roundTo, toJson } from "./json.ts";
import { result } from "./fixture_testing.ts";

function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  }
  return typeof v;
}

Deno.test("json: keys, order and types exactly as documented", () => {
  const out = JSON.parse(formatJson(result(2, { rttMs: [20, 80] })));
  assert.deepEqual(shape(out), {
    config: {
      algos: ["string"],
      flows: "number",
      bandwidth: "number",
      rttMs: ["number"],
      bufferPackets: "number",
      buffer: "string",
      aqm: "string",
      loss: "number",
      durationS: "number",
      seeds: ["number"],
      mss: "number",
    },
    results: [{
      algo: "string",
      goodputMbps: "number",
      utilization: "number",
      meanRttMs: "number",
      p95RttMs: "number",
      queueDelayMs: { mean: "number", p95: "number" },
      retransmits: "number",
      lossRate: "number",
      jain: "number",
      flows: [{
        algo: "string",
        baseRttMs: "number",
        goodputMbps: "number",
        meanRttMs: "number",
        p95RttMs: "number",
        retransmits: "number",
      }],
      wallSeconds: "number",
    }],
  });
  // Key order, not just the set.
  assert.deepEqual(Object.keys(out.results[0]), [
    "algo",
    "goodputMbps",
    "utilization",
    "meanRttMs",
    "p95RttMs",
    "queueDelayMs",
    "retransmits",
    "lossRate",
    "jain",
    "flows",
    "wallSeconds",
  ]);
  assert.equal(out.results.length, 3);
  assert.equal(out.results[0].flows.length, 2);
});

Deno.test("json: numbers rounded, no series, non-finite as null", () => {
  const r = result();
  r.results[0]!.meanRttMs = NaN;
  const out = toJson(r);
  const first = out.results[0]!;
  assert.equal(first.goodputMbps, 91.235);
  assert.equal(first.utilization, 0.9123);
  assert.equal(first.p95RttMs, 87);
  assert.deepEqual(first.queueDelayMs, { mean: 16.205, p95: 43 });
  assert.equal(first.lossRate, 0.001235);
  assert.equal(first.jain, 0.9999);
  assert.equal(first.wallSeconds, 0.812);
  assert.equal(first.meanRttMs, null);
  const text = formatJson(r);
  for (const k of ["cwnd", "throughput", '"rtt"', 'queue"', "phases", "spread"]) {
    assert.ok(!text.includes(k), k);
  }
  assert.ok(text.endsWith("}\n"));
});

Deno.test("json: rounding helpers", () => {
  assert.equal(roundTo(1.23456, 2), 1.23);
  assert.equal(roundTo(-0.0001, 2), 0);
  assert.equal(roundTo(Infinity, 2), null);
  assert.equal(roundSignificant(0.000123456, 3), 0.000123);
  assert.equal(roundSignificant(0, 3), 0);
  assert.equal(roundSignificant(NaN, 3), null);
});
