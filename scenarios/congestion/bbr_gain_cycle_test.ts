/**
 * BBR's PROBE_BW gain cycle, read off the pacing rate: the rate the sender
 * is told to pace at, divided by the bandwidth estimate, takes exactly the
 * values 1.25, 0.75 and 1 (each × 0.99, Linux's margin), in the order
 * [1.25, 0.75, 1, 1, 1, 1, 1, 1], over and over; a 1.0 phase lasts one min
 * RTT, the 0.75 phase about one at most, the 1.25 phase until a BDP and a
 * quarter is in flight, and a whole cycle about eight to ten min RTTs.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { path } from "./path_testing.ts";

scenario("BBR: pacing gain cycles 1.25, 0.75, 1 × 6 in PROBE_BW", (net) => {
  const p = path(net, { algo: "bbr", rate: 10e6, rtt: 40 * ms, buffer: 100 });
  // Per ACK in PROBE_BW: time, pacing gain as the pacing rate shows it, cycle index.
  const seen: Array<{ t: number; gain: number; index: number; minRtt: number }> = [];
  p.tap = (e, sock) => {
    const x = sock.cc.inspect();
    if (x.mode !== "PROBE_BW") return;
    seen.push({
      t: e.time,
      gain: e.pacingRate / (Number(x.btlBw) * 0.99),
      index: Number(x.cycleIndex),
      minRtt: Number(x.minRtt),
    });
  };
  p.start();
  net.run(4 * s);
  // The gain is always one of the three, to 1e-9.
  for (const x of seen) {
    assert.ok([1.25, 0.75, 1].some((g) => Math.abs(x.gain - g) < 1e-9), `gain ${x.gain}`);
  }
  // Phases: runs of one cycle index.
  const phases: Array<{ index: number; gain: number; from: number; to: number }> = [];
  for (const x of seen) {
    const last = phases.at(-1);
    if (last && last.index === x.index) last.to = x.t;
    else phases.push({ index: x.index, gain: x.gain, from: x.t, to: x.t });
  }
  // Consecutive phases step through the cycle in order, gains as the cycle says.
  const cycle = [1.25, 0.75, 1, 1, 1, 1, 1, 1];
  for (let i = 1; i < phases.length; i++) {
    assert.equal(phases[i]!.index, (phases[i - 1]!.index + 1) % 8);
    assert.ok(Math.abs(phases[i]!.gain - cycle[phases[i]!.index]!) < 1e-9);
  }
  // The first phase is never the 0.75 one (Linux draws among the other seven).
  assert.notEqual(phases[0]!.index, 1);
  // Durations (whole phases only: from a phase's first ACK to the next one's).
  const minRtt = seen.at(-1)!.minRtt;
  const full = phases.slice(1, -1).map((ph, i) => ({ ...ph, len: phases[i + 2]!.from - ph.from }));
  assert.ok(full.filter((ph) => ph.index === 0).length >= 5, "five cycles or more in 4 s");
  for (const ph of full) {
    const r = ph.len / minRtt;
    // A 1.0 phase: just over one min RTT (it ends on the first ACK after it;
    // ACKs come every 2.4 ms here). The 0.75 phase: at most one. The 1.25
    // phase: until 1.25 BDP + allowance is in flight, 1–3 min RTTs at this BDP.
    if (ph.gain === 1) assert.ok(r >= 1 && r < 1.15, `1.0 phase of ${r.toFixed(2)} min RTT`);
    if (ph.gain === 0.75) assert.ok(r > 0.3 && r < 1.15, `0.75 phase of ${r.toFixed(2)} min RTT`);
    if (ph.gain === 1.25) assert.ok(r >= 1 && r < 3, `1.25 phase of ${r.toFixed(2)} min RTT`);
  }
  // A whole cycle: 8–10 min RTTs.
  const starts = phases.filter((ph) => ph.index === 0).map((ph) => ph.from);
  for (let i = 1; i < starts.length; i++) {
    const r = (starts[i]! - starts[i - 1]!) / minRtt;
    assert.ok(r > 8 && r < 10.5, `cycle of ${r.toFixed(2)} min RTT`);
  }
}, { trace: "digest", once: true });
