/**
 * Fast retransmit and fast recovery halve the window without a timeout: a
 * NewReno flow in congestion avoidance loses one segment (a middlebox drops
 * it); the sender retransmits just that segment, sets ssthresh and cwnd to half
 * the window, keeps the ACK clock going with about half a window of new data
 * during the recovery round trip (RFC 6675's pipe), and leaves recovery on the
 * full ACK with cwnd = ssthresh, then grows linearly again. Without SACK, two
 * losses in one window are repaired in one recovery episode with one halving:
 * RFC 6582's partial ACK retransmits the second hole at once.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { Network } from "../../core/lab/network.ts";
import { type AckRecord, dropData, MSS, path, roundStarts } from "./path_testing.ts";

/**
 * 10 Mbit/s, 40 ms (BDP 33 segments), a 60-packet buffer: a first drop at
 * segment 60 ends slow start early (cwnd ≈ 30 after it), and congestion
 * avoidance stays below BDP + buffer (93) until well after segment 1200, so
 * the queue never overflows; `drops` are the middlebox's only losses.
 */
function run(net: Network, drops: number[], sack: boolean) {
  const p = path(net, { algo: "newreno", rate: 10e6, rtt: 40 * ms, buffer: 60, socket: { sack } });
  const targets = new Set([60, ...drops].map((n) => n * MSS));
  dropData(p.router, (offset, first) => first && targets.has(offset));
  let sentAtEntry = -1, sentAtExit = -1, prev = false;
  p.tap = (e, sock) => {
    if (e.inRecovery && !prev && sock.stats.fastRetransmits === 2) {
      sentAtEntry = sock.stats.bytesSent;
    }
    if (!e.inRecovery && prev && sock.stats.fastRetransmits === 2) {
      sentAtExit = sock.stats.bytesSent;
    }
    prev = e.inRecovery;
  };
  p.start();
  net.run(3 * s);
  assert.equal(p.sock.stats.timeouts, 0, "no retransmission timeout");
  assert.equal(p.sock.stats.fastRetransmits, 2, "two recovery episodes: segment 60's and ours");
  assert.deepEqual([...net.trace.drops], [["netfilter drop", targets.size]], "no other loss");
  // The second episode.
  const acks = p.acks;
  const entries = acks.flatMap((a, i) => (a.inRecovery && !acks[i - 1]!.inRecovery ? [i] : []));
  const entry = entries[1]!;
  const exit = acks.findIndex((a, i) => i > entry && !a.inRecovery);
  return { p, acks, entry, exit, newData: (sentAtExit - sentAtEntry) / MSS };
}

/** The common checks of one halving: [entry, exit) of the ACK log. */
function halving(acks: AckRecord[], entry: number, exit: number) {
  const before = acks[entry - 1]!, at = acks[entry]!;
  const w = before.cwnd / MSS;
  assert.ok(before.cwnd >= before.ssthresh, "the flow was in congestion avoidance");
  assert.ok(w > 30 && w < 93, `window ${w} segments when the loss was detected`);
  // Halved: ssthresh = cwnd = ⌊W/2⌋ bytes (FlightSize ≥ cwnd, so cwnd counts).
  assert.equal(at.ssthresh, Math.floor(before.cwnd / 2));
  for (let i = entry; i < exit; i++) assert.equal(acks[i]!.cwnd, at.ssthresh, "held in recovery");
  // The full ACK: cwnd = ssthresh (plus the one segment of congestion
  // avoidance its own acknowledged bytes may earn), then one per round trip.
  const after = acks[exit]!.cwnd - at.ssthresh;
  assert.ok(after === 0 || after === MSS, `cwnd ${acks[exit]!.cwnd} after the full ACK`);
  const starts = roundStarts(acks).filter((i) => i > exit);
  const grown = (acks[starts[6]!]!.cwnd - acks[starts[1]!]!.cwnd) / MSS;
  assert.ok(grown >= 4 && grown <= 5, `+${grown} segments over 5 rounds after recovery`);
  return w;
}

scenario("fast recovery (SACK): one lost segment, one retransmission, window halved", (net) => {
  const { p, acks, entry, exit, newData } = run(net, [1000], true);
  assert.equal(p.sock.stats.retransmits, 2, "segments 60 and 1000, once each");
  const w = halving(acks, entry, exit);
  // Recovery is one round trip long; the ACK clock keeps going: once the pipe
  // falls below the halved window, each ACK lets one new segment out, so
  // about half a window of new data leaves during the recovery round trip.
  // ±25 %: the pipe counts the segments SACKed before the loss was detected.
  assert.ok(Math.abs(newData / (w / 2) - 1) < 0.25, `${newData} new segments for W = ${w}`);
  const length = acks[exit]!.t - acks[entry]!.t;
  assert.ok(length > 40 * ms && length < 2 * acks[entry]!.srtt, `recovery ${length / ms} ms`);
}, { trace: "digest" });

scenario("fast recovery without SACK: two losses in a window, one halving (RFC 6582)", (net) => {
  const { p, acks, entry, exit } = run(net, [1000, 1010], false);
  assert.equal(p.sock.stats.retransmits, 3, "segments 60, 1000 and 1010, once each");
  halving(acks, entry, exit);
  // The partial ACK (cumulative ACK up to segment 1010) kept recovery going:
  // inside the episode the cumulative point passed segment 1000 but not 1010.
  const partial = acks.slice(entry, exit).some((a) => a.newlyAcked > 2 * MSS);
  assert.ok(partial, "a partial ACK advanced the cumulative point within recovery");
  // Recovery spans two round trips, one per hole (the second shorter: the
  // halved window lets the queue drain), so 1.3–3 SRTTs at entry.
  const length = acks[exit]!.t - acks[entry]!.t;
  const rtt = acks[entry]!.srtt;
  assert.ok(length > 1.3 * rtt && length < 3 * rtt, `recovery ${length / ms} ms, SRTT ${rtt / ms}`);
}, { trace: "digest" });
