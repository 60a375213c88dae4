/**
 * BBR's PROBE_RTT: a single BBR flow keeps the queue too small to ever
 * measure an RTT below its first minimum again, so every 10 s the min-RTT
 * filter expires and BBR drops cwnd to 4 packets, holds it there for at least
 * 200 ms (and a round trip) with the queue empty, refreshes min RTT, restores
 * the window it had and returns to PROBE_BW — then does it again about 10 s
 * later.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { MSS, path, sampler } from "./path_testing.ts";

scenario("BBR: PROBE_RTT every 10 s, cwnd 4 packets for ≥ 200 ms, window restored", (net) => {
  // 5 Mbit/s, 40 ms: a BDP of 16.5 segments; 21 s covers two PROBE_RTTs.
  const p = path(net, { algo: "bbr", rate: 5e6, rtt: 40 * ms, buffer: 100 });
  const mode: string[] = [], stamp: number[] = [];
  p.tap = (_e, sock) => {
    const x = sock.cc.inspect();
    mode.push(String(x.mode));
    stamp.push(Number(x.minRttStamp));
  };
  const queue = sampler(net, ms, () => p.bottleneck.queued);
  p.start();
  net.run(21 * s);
  const acks = p.acks;
  // The PROBE_RTT episodes: [first ACK in it, first ACK after it).
  const episodes: Array<[number, number]> = [];
  mode.forEach((m, i) => {
    if (m === "PROBE_RTT" && mode[i - 1] !== "PROBE_RTT") episodes.push([i, -1]);
    if (m !== "PROBE_RTT" && mode[i - 1] === "PROBE_RTT") episodes.at(-1)![1] = i;
  });
  assert.equal(episodes.length, 2, `${episodes.length} PROBE_RTT episodes in 21 s`);
  let prevExit = -1;
  for (const [from, to] of episodes) {
    // Entered when the min-RTT estimate had gone 10 s without a refresh (the
    // check runs on ACKs, a few ms apart at this rate).
    const age = acks[from]!.t - stamp[from - 1]!;
    assert.ok(
      age > 10 * s && age < 10 * s + 10 * ms,
      `entered ${age / ms} ms after the last refresh`,
    );
    if (prevExit >= 0) {
      // …which the previous PROBE_RTT's exit was: about 10 s apart.
      const gap = acks[from]!.t - acks[prevExit]!.t;
      assert.ok(gap > 10 * s && gap < 10 * s + 10 * ms, `${gap / ms} ms between episodes`);
    }
    // cwnd at most 4 packets throughout, and the pipe gets down to it.
    for (let i = from; i < to; i++) {
      assert.ok(acks[i]!.cwnd <= 4 * MSS, `cwnd ${acks[i]!.cwnd / MSS}`);
    }
    assert.ok(acks.slice(from, to).some((a) => a.pipe <= 4 * MSS));
    // Held for at least 200 ms once the pipe is down to 4 packets, and not
    // much longer than that plus the drain and a round trip or two.
    const duration = acks[to]!.t - acks[from]!.t;
    assert.ok(duration >= 200 * ms && duration < 400 * ms, `PROBE_RTT for ${duration / ms} ms`);
    // The queue runs empty during it.
    const q = queue.filter((x) => x.t >= acks[from]!.t && x.t < acks[to]!.t).map((x) => x.v);
    assert.equal(Math.min(...q), 0);
    // Afterwards: PROBE_BW with the window saved on entry restored at once (then
    // cut to the new gain phase's target, as in Linux: the two extra packets
    // of the 1.25 phase go if the cycle moved on), and min RTT refreshed.
    assert.equal(mode[to], "PROBE_BW");
    const back = acks[to]!.cwnd, saved = acks[from - 1]!.cwnd;
    assert.ok(back >= saved - 2 * MSS && back <= saved + 2 * MSS, `${saved / MSS} → ${back / MSS}`);
    assert.ok(stamp[to]! >= acks[from]!.t, "min RTT timestamp refreshed");
    prevExit = to;
  }
  assert.equal(p.sock.stats.retransmits, 0);
}, { trace: "digest", once: true });
