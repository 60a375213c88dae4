/**
 * HyStart (Linux's CUBIC default) leaves slow start near the bandwidth-delay
 * product, before any loss: on a path with a deep buffer, slow start without
 * it doubles the window until BDP + buffer overflows and loses a large part of
 * a window at once; with it, the ACK train (or the rising delay) ends slow
 * start with ssthresh = cwnd close to the BDP, and three seconds in the flow
 * has lost nothing and delivered no less than the overshooting one.
 */
import assert from "node:assert/strict";
import { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { FRAME, MSS, path } from "./path_testing.ts";

/** 20 Mbit/s, 100 ms: BDP 165 segments; a 500-packet buffer. */
const RATE = 20e6, RTT = 100 * ms, BUFFER = 500;
const BDP = (RATE / 8) * (RTT / s) / FRAME;

function run(hystart: boolean) {
  const net = new Network({ seed: 1, trace: "counts" });
  const p = path(net, {
    algo: "cubic",
    ccOptions: { hystart },
    rate: RATE,
    rtt: RTT,
    buffer: BUFFER,
  });
  p.start();
  net.run(3 * s);
  net.assertConserved();
  // The end of slow start: the first ACK with a finite ssthresh.
  const exit = p.acks.find((a) => a.ssthresh !== Infinity)!;
  return {
    p,
    exit,
    found: String(p.sock.cc.inspect().hystartFound),
    goodput: p.received() * 8 / 3,
  };
}

Deno.test("HyStart ends CUBIC's slow start near the BDP without a loss", () => {
  const on = run(true);
  assert.ok(on.found === "ack-train" || on.found === "delay", `found by ${on.found}`);
  // ssthresh = cwnd at the exit (the same ACK's congestion avoidance may add
  // a few bytes), within ±25 % of the BDP (the ACK train fires when it
  // stretches past half the minimum RTT).
  assert.ok(on.exit.cwnd - on.exit.ssthresh >= 0 && on.exit.cwnd - on.exit.ssthresh < MSS);
  assert.ok(Math.abs(on.exit.cwnd / MSS / BDP - 1) < 0.25, `exit at ${on.exit.cwnd / MSS}`);
  assert.ok(!on.exit.inRecovery, "not a loss");
  assert.equal(on.p.sock.stats.retransmits, 0, "nothing lost in 3 s");
  assert.equal(on.p.bottleneck.counters.txDropped, 0);

  const off = run(false);
  // Without it, slow start runs until the buffer overflows: the window at the
  // first loss exceeds BDP + buffer, and a large share of a window is lost.
  const before = off.p.acks[off.p.acks.indexOf(off.exit) - 1]!;
  assert.ok(off.exit.inRecovery, "slow start ended by a loss");
  assert.ok(before.cwnd / MSS > BDP + BUFFER, `window ${before.cwnd / MSS} at the loss`);
  assert.ok(off.p.sock.stats.retransmits > 100, `${off.p.sock.stats.retransmits} retransmissions`);
  // Leaving early costs nothing: over the 3 s HyStart's flow delivers at least
  // as much as the overshooting one (and both keep the link busy after 1 s).
  assert.ok(on.goodput >= 0.95 * off.goodput, `${on.goodput} vs ${off.goodput}`);
});
