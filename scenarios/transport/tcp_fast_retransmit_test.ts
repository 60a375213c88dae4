/**
 * Fast retransmit (RFC 5681 §3.2) with SACK off: each segment arriving after a
 * hole makes the receiver repeat its last ACK at once; the sender retransmits
 * the missing segment right after the third duplicate ACK — not the first,
 * not the second, and without waiting for the RTO. Two duplicate ACKs (a
 * segment merely overtaken) trigger nothing. With two holes in one window,
 * NewReno's partial ACK (RFC 6582) retransmits the second hole at once too,
 * still without a timeout.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import {
  delayWhere,
  dropWhere,
  ip,
  nthData,
  pair,
  pattern,
  segments,
  serve,
} from "./tcp_testing.ts";

const MSS = 1448;

/**
 * a sends `n` segments of patterned data to b:80 over a 10 ms link with SACK
 * off on both sides; returns the client and what the server read.
 */
function bulk(net: Network, n: number, rate: string | number = 0) {
  const { a, b, link } = pair(net, { rate, delay: "10ms" }, { permanent: true });
  a.sh("sysctl -w net.ipv4.tcp_sack=0");
  b.sh("sysctl -w net.ipv4.tcp_sack=0");
  const srv = serve(b, 80);
  const c = a.root.tcp.socket({ congestion: "newreno" });
  const data = pattern(n * MSS);
  c.onConnect = () => c.send(data);
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  return { a, b, link, c, srv, data };
}

/** a's trace from the first duplicate ACK on: "dup" for each arriving duplicate ACK, "rtx" for a retransmission. */
function story(net: Network, hole: number): string[] {
  const out: string[] = [];
  const sent = new Set<number>();
  let isnA = 0;
  for (const e of net.trace.filter({ node: "a", proto: 6 })) {
    const t = e.packet.tcp!;
    if (t.flags & TcpFlag.SYN) {
      if (e.kind === "tx") isnA = t.seq;
      continue;
    }
    const len = typeof t.payload === "number" ? t.payload : t.payload.length;
    const rel = (t.seq - isnA) >>> 0;
    if (e.kind === "tx" && len > 0) {
      if (sent.has(rel)) out.push(`rtx ${rel}`);
      sent.add(rel);
    }
    if (e.kind === "rx" && len === 0 && ((t.ack - isnA) >>> 0) === hole) out.push("ack");
  }
  // The first ACK naming the hole is the ordinary one; the rest are duplicates.
  const i = out.indexOf("ack");
  return out.slice(i + 1).map((x) => (x === "ack" ? "dup" : x));
}

scenario(
  "fast retransmit: the lost segment goes again right after the third duplicate ACK",
  (net) => {
    const { link, c, srv, data } = bulk(net, 30);
    dropWhere(net, link.b, nthData(5)); // bytes 5793..7241, lost once
    net.run(2 * s);
    assert.deepEqual(srv.received[0], data);
    const hole = 4 * MSS + 1;
    // In a's trace: three duplicate ACKs arrive, then the retransmission leaves.
    assert.deepEqual(story(net, hole).slice(0, 4), ["dup", "dup", "dup", `rtx ${hole}`]);
    // The receiver sent those duplicates at once, each for an out-of-order segment,
    // and without SACK blocks.
    const dups = segments(net, { node: "b" }).filter((g) => g.ack === hole).slice(1);
    assert.ok(dups.length >= 3);
    assert.ok(dups.every((g) => g.tcp.options.sack === undefined));
    // Counted as a fast retransmit, one RTT after the loss — no timeout.
    assert.deepEqual([c.stats.fastRetransmits, c.stats.retransmits, c.stats.timeouts], [1, 1, 0]);
    const first = segments(net, { node: "a" }).filter((g) => g.seq === hole);
    assert.equal(first.length, 2);
    assert.equal(first[1]!.time - first[0]!.time, 20 * ms, "one round trip, not the 220 ms RTO");
  },
);

scenario("fast retransmit: two duplicate ACKs from a reordered segment trigger nothing", (net) => {
  const { link, c, srv, data } = bulk(net, 30, "100mbit");
  // The fifth segment is held 0.3 ms: the sixth and seventh overtake it.
  let n = 0;
  delayWhere(net, link.b, (p) => {
    const t = p.tcp;
    if (!t || (typeof t.payload === "number" ? t.payload : t.payload.length) === 0) return false;
    return ++n === 5;
  }, 300_000);
  net.run(2 * s);
  assert.deepEqual(srv.received[0], data);
  const hole = 4 * MSS + 1;
  assert.deepEqual(story(net, hole).filter((x) => x === "dup"), ["dup", "dup"]);
  assert.deepEqual([c.stats.dupAcksIn, c.stats.retransmits, c.stats.fastRetransmits], [2, 0, 0]);
});

scenario(
  "fast retransmit: two holes in one window — NewReno's partial ACK repairs the second",
  (net) => {
    const { link, c, srv, data } = bulk(net, 40);
    dropWhere(net, link.b, nthData(5, 9)); // two segments of the same window
    net.run(3 * s);
    assert.deepEqual(srv.received[0], data);
    const rtx = segments(net, { node: "a" }).filter((g) => g.len > 0)
      .filter((g, i, all) => all.findIndex((x) => x.seq === g.seq) !== i);
    assert.deepEqual(rtx.map((g) => g.seq), [4 * MSS + 1, 8 * MSS + 1]);
    // The second retransmission follows the partial ACK (for the first hole) one RTT later.
    assert.equal(rtx[1]!.time - rtx[0]!.time, 20 * ms);
    assert.deepEqual([c.stats.fastRetransmits, c.stats.retransmits, c.stats.timeouts], [1, 2, 0]);
  },
);
