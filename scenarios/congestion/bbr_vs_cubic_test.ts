/**
 * BBR against CUBIC on one bottleneck: who wins depends on the buffer, as the
 * literature reports (Hock et al. 2017; Cardwell et al.'s BBR talks; Ware et
 * al. 2019). In a shallow buffer (a quarter of a BDP) CUBIC's losses come
 * often and BBR, which ignores them, takes most of the link. In a deep buffer
 * (eight BDPs) CUBIC fills the queue until the RTT is many times the base,
 * BBR's window cap of two (estimated) BDPs is a small part of what is in
 * flight, and CUBIC takes most of the link. One flow each, 10 Mbit/s, 40 ms,
 * 20 s.
 */
import assert from "node:assert/strict";
import { payloadRate, runDumbbell } from "./path_testing.ts";

const RATE = 10e6, BDP = 33;

const share = (buffer: number) => {
  const r = runDumbbell({
    algos: ["cubic", "bbr"],
    rttsMs: [40, 40],
    rate: RATE,
    buffer,
    seconds: 20,
    warmup: 5,
  });
  const [cubic, bbr] = r.goodput as [number, number];
  // The two together fill the link either way (≥ 95 %).
  assert.ok(cubic + bbr > 0.95 * payloadRate(RATE) * 8, `total ${(cubic + bbr) / 1e6}`);
  return { cubic, bbr };
};

Deno.test("BBR vs CUBIC: BBR wins in a shallow buffer, CUBIC in a deep one", () => {
  const shallow = share(BDP / 4);
  // Shallow: BBR gets at least four times CUBIC's goodput.
  assert.ok(
    shallow.bbr > 4 * shallow.cubic,
    `0.25 BDP: BBR ${shallow.bbr / 1e6}, CUBIC ${shallow.cubic / 1e6}`,
  );
  const deep = share(8 * BDP);
  // Deep: CUBIC gets at least three times BBR's.
  assert.ok(deep.cubic > 3 * deep.bbr, `8 BDP: BBR ${deep.bbr / 1e6}, CUBIC ${deep.cubic / 1e6}`);
});
