/**
 * Determinism of the congestion experiments: the same seed gives the
 * identical cwnd trace, ACK for ACK (times, windows, ssthresh), and the same
 * packet-trace digest; another seed draws other random losses and the trace
 * differs — for a loss-based flow on a lossy link and for BBR, whose starting
 * gain-cycle phase also comes from the seed.
 */
import assert from "node:assert/strict";
import { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { path } from "./path_testing.ts";

function trace(algo: string, seed: number) {
  const net = new Network({ seed, trace: "digest" });
  const p = path(net, { algo, rate: 10e6, rtt: 40 * ms, buffer: 50, loss: 0.01 });
  p.start();
  net.run(3 * s);
  net.assertConserved();
  return {
    cwnd: p.acks.map((a) => [a.t, a.cwnd, a.ssthresh, a.pacingRate]),
    losses: net.trace.drops.get("random loss") ?? 0,
    digest: net.trace.digest(),
  };
}

for (const algo of ["newreno", "cubic", "bbr"]) {
  Deno.test(`determinism (${algo}, 1 % random loss): same seed, same cwnd trace; new seed, new trace`, () => {
    const a = trace(algo, 7), b = trace(algo, 7), c = trace(algo, 8);
    assert.ok(a.cwnd.length > 500 && a.losses >= 10, `${a.cwnd.length} ACKs, ${a.losses} losses`);
    assert.deepEqual(b.cwnd, a.cwnd);
    assert.equal(b.digest, a.digest);
    assert.equal(b.losses, a.losses);
    // Another seed: the trace parts company early (before a tenth of the way).
    assert.notEqual(c.digest, a.digest);
    const split = a.cwnd.findIndex((x, i) => JSON.stringify(x) !== JSON.stringify(c.cwnd[i]));
    assert.ok(split >= 0 && split < a.cwnd.length / 10, `traces first differ at ACK ${split}`);
  });
}
