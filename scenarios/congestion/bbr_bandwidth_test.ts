/**
 * BBR's model converges on the path: the bottleneck-bandwidth estimate (the
 * windowed maximum of delivery-rate samples) reaches the bottleneck's payload
 * rate — the link rate × 1448/1514, what full segments carry — within 1 % by
 * the end of STARTUP and stays there, at 5, 10 and 20 Mbit/s alike; min RTT
 * is the base RTT plus one packet's serialization; and the flow's goodput
 * fills the link.
 */
import assert from "node:assert/strict";
import { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { FRAME, path, payloadRate } from "./path_testing.ts";

const RTT = 40 * ms;

for (const rate of [5e6, 10e6, 20e6]) {
  Deno.test(`BBR at ${rate / 1e6} Mbit/s: btlBw → the link's payload rate, min RTT → base RTT`, () => {
    const net = new Network({ seed: 1, trace: "counts" });
    const p = path(net, { algo: "bbr", rate, rtt: RTT, buffer: 200 });
    const est: Array<{ t: number; bw: number; mode: string; minRtt: number }> = [];
    p.tap = (e, sock) => {
      const x = sock.cc.inspect();
      est.push({ t: e.time, bw: Number(x.btlBw), mode: String(x.mode), minRtt: Number(x.minRtt) });
    };
    let atOne = 0;
    net.sim.at(1 * s, () => void (atOne = p.received()));
    p.start();
    net.run(3 * s);
    net.assertConserved();
    const target = payloadRate(rate);
    // From the first ACK after STARTUP on, every estimate is within 1 % of it
    // (delivery-rate samples cannot exceed the bottleneck for long; the max
    // filter keeps the best of 10 rounds).
    const after = est.slice(est.findIndex((x) => x.mode !== "STARTUP"));
    assert.ok(after.length > 100);
    for (const x of after) {
      assert.ok(Math.abs(x.bw / target - 1) < 0.01, `btlBw ${x.bw} against ${target} at ${x.t}`);
    }
    // STARTUP found it within a second.
    assert.ok(after[0]!.t < 1 * s, `STARTUP ended at ${after[0]!.t / ms} ms`);
    // min RTT: the base RTT plus serialization of one data frame at the
    // bottleneck and the access link, and of an ACK: within 1 ms of that.
    const serialization = ((FRAME * 8) / rate) * 1.1 * s;
    const minRtt = est.at(-1)!.minRtt;
    assert.ok(minRtt >= RTT && minRtt < RTT + serialization + 1 * ms, `min RTT ${minRtt / ms} ms`);
    // Goodput from 1 s to 3 s: at least 95 % of the payload rate.
    const goodput = (p.received() - atOne) / 2;
    assert.ok(goodput > 0.95 * target, `goodput ${(goodput * 8) / 1e6} Mbit/s`);
  });
}
