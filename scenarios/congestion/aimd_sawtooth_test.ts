/**
 * NewReno's AIMD sawtooth: one flow through a drop-tail bottleneck with a
 * one-BDP buffer. In congestion avoidance the window climbs by one segment per
 * round trip (+1 MSS per RTT, RFC 5681) until it reaches what the path holds
 * (BDP + buffer ≈ 67 segments), a packet is dropped, and fast recovery halves
 * it; the cycle repeats with the same peak, the same trough and the same slope
 * every time. Swapping in CUBIC fails this: it reduces to 0.7 and its growth
 * is not linear.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { FRAME, MSS, path, roundStarts, slope } from "./path_testing.ts";

/** 10 Mbit/s and 40 ms: a BDP of 33 full frames; the buffer holds one more BDP. */
const RATE = 10e6, RTT = 40 * ms, BUFFER = 33;
const BDP = (RATE / 8) * (RTT / s) / FRAME;

scenario("NewReno AIMD: halve at each loss, +1 MSS per round trip in between", (net) => {
  const p = path(net, { algo: "newreno", rate: RATE, rtt: RTT, buffer: BUFFER });
  p.start();
  net.run(20 * s);
  const acks = p.acks;
  // Loss events: [entry, exit) of each fast recovery.
  const episodes: Array<[number, number]> = [];
  for (let i = 1; i < acks.length; i++) {
    if (acks[i]!.inRecovery && !acks[i - 1]!.inRecovery) episodes.push([i, -1]);
    if (!acks[i]!.inRecovery && acks[i - 1]!.inRecovery) episodes.at(-1)![1] = i;
  }
  assert.equal(p.sock.stats.timeouts, 0);
  // The slow-start overshoot costs one or two episodes; then the sawtooth.
  const teeth = episodes.slice(2);
  assert.ok(teeth.length >= 7, `${teeth.length} sawtooth teeth in 20 s`);
  const capacity = BDP + BUFFER; // segments the path holds: in flight + queued
  const starts = roundStarts(acks);
  for (let k = 0; k < teeth.length; k++) {
    const [entry, exit] = teeth[k]!;
    const peak = acks[entry - 1]!.cwnd / MSS, trough = acks[entry]!.cwnd / MSS;
    // The loss comes when the window exceeds what the path holds, by at most
    // the few segments the sender adds before it learns of the drop.
    assert.ok(peak > capacity && peak < capacity + 4, `peak ${peak}, capacity ${capacity}`);
    // Multiplicative decrease: half (±3 %: ⌊cwnd/2⌋ in bytes, and the byte-
    // counting accumulator).
    assert.ok(Math.abs(trough / peak - 0.5) < 0.015, `${peak} → ${trough}`);
    // Additive increase up to the next loss: the window at each round's start
    // against the round's number. From two rounds after recovery (the first
    // rounds count the recovery's ACKs) to the round before the next loss.
    const next = teeth[k + 1]?.[0] ?? acks.length;
    const rounds = starts.filter((i) => i > exit && i < next).slice(2, -1);
    if (rounds.length < 10) continue; // the run ended mid-tooth
    const x = rounds.map((_, j) => j), y = rounds.map((i) => acks[i]!.cwnd / MSS);
    const perRound = slope(x, y);
    // One MSS per cwnd of acknowledged bytes is one per round; ±5 %.
    assert.ok(Math.abs(perRound - 1) < 0.05, `tooth ${k}: +${perRound.toFixed(3)} MSS per RTT`);
  }
}, { trace: "digest", once: true });
