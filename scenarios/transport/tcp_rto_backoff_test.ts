/**
 * Exponential back-off of the retransmission timer when the link is cut
 * (RFC 6298 §5.5, Linux). On a 20 ms path the RTO is 220 ms (SRTT + Linux's
 * 200 ms floor); with the cable pulled, each retransmission of the
 * unacknowledged segment comes twice as long after the previous one: 0.22,
 * 0.44, 0.88 … 112.64 s, then the 120 s ceiling; after `net.ipv4.tcp_retries2`
 * (15) retransmissions the connection is given up with ETIMEDOUT at the next
 * timeout, 945.06 s after the first transmission (Linux: the first timeout
 * after its 924.6 s budget) — silently, no RST. Plug the cable back in and
 * the next retransmission gets through; the RTO collapses to the measured one
 * with the first fresh RTT sample.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { TcpError } from "../../core/transport/tcp/socket.ts";
import { gaps, ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

/** a connected to b:80 on a 10 ms link; at 1.020 s the cable is pulled and 100 bytes written. */
function cut(net: Network) {
  const { a, b, link } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const srv = serve(b, 80);
  const c = a.root.tcp.socket();
  const errors: TcpError[] = [];
  c.onError = (e) => errors.push(e);
  c.onConnect = () =>
    net.sim.after(1 * s, () => {
      link.setUp(false);
      c.send(pattern(100));
    });
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  /** Times (ms) at which a tried to send its data segment. */
  const attempts = () =>
    net.trace.filter({ node: "a", proto: 6 })
      .filter((e) => e.kind === "drop" || e.kind === "tx")
      .filter((e) => (e.packet.tcp!.payload as Uint8Array).length === 100)
      .map((e) => e.time / ms);
  return { a, b, link, c, srv, errors, attempts };
}

scenario(
  "backoff: with the cable pulled, retransmissions double their spacing up to 120 s",
  (net) => {
    const { c, errors, attempts } = cut(net);
    net.run();
    const t = attempts();
    assert.equal(t.length, 16, "the first transmission and tcp_retries2 = 15 retransmissions");
    assert.equal(t[0], 1020);
    assert.deepEqual(gaps(t).map((g) => Math.round(g) / 1000), [
      0.22,
      0.44,
      0.88,
      1.76,
      3.52,
      7.04,
      14.08,
      28.16,
      56.32,
      112.64,
      120,
      120,
      120,
      120,
      120,
    ]);
    // Every one of them died on the dead link.
    const drops = net.trace.filter({ kind: "drop", node: "a", proto: 6 });
    assert.ok(drops.length === 16 && drops.every((e) => e.reason === "link down"));
    // When the last retransmission's 120 s ran out too, 945.06 s after the
    // first transmission, the connection is abandoned.
    assert.deepEqual(errors, ["ETIMEDOUT"]);
    assert.equal(c.history.at(-1)!.state, "CLOSED");
    assert.equal(c.history.at(-1)!.time, (1020 + 945_060) * ms);
    assert.deepEqual([c.stats.retransmits, c.stats.timeouts], [15, 16]);
    // Given up silently: nothing but the data segment was tried after the cut.
    assert.equal(
      net.trace.filter({ node: "a", proto: 6 }).filter((e) => e.time > 1020 * ms).length,
      15,
    );
  },
);

scenario("backoff: fewer retries (tcp_retries2=5) give up sooner", (net) => {
  const { a, errors, attempts, c } = cut(net);
  a.sh("sysctl -w net.ipv4.tcp_retries2=5");
  net.run();
  assert.deepEqual(gaps(attempts()).map((g) => Math.round(g) / 1000), [
    0.22,
    0.44,
    0.88,
    1.76,
    3.52,
  ]);
  assert.deepEqual(errors, ["ETIMEDOUT"]);
  // The sixth timeout, 7.04 s after the fifth retransmission.
  assert.equal(c.history.at(-1)!.time, (1020 + 13_860) * ms);
});

scenario(
  "backoff: the cable back in — the next retransmission arrives and the RTO collapses",
  (net) => {
    const { link, c, srv, errors, attempts } = cut(net);
    // Plugged back at 10 s: the retransmission due at 14.88 s goes through.
    net.sim.after(10 * s, () => link.setUp(true));
    let rtoAtRepair = 0;
    net.sim.after(14_950 * ms, () => {
      rtoAtRepair = c.rto;
      c.send(pattern(100, 1)); // fresh data, acknowledged on its first trip
    });
    net.run(20 * s);
    // The data segment at 1.02 s and its retransmissions until one got through,
    // then the fresh write at 14.95 s.
    assert.deepEqual(attempts(), [1020, 1240, 1680, 2560, 4320, 7840, 14_880, 14_950]);
    assert.deepEqual(errors, []);
    assert.equal(srv.received[0]!.length, 200);
    assert.equal(c.unacked, 0);
    // After the repair the timer was still backed off (no fresh sample yet)…
    assert.equal(rtoAtRepair, 220 * ms * 2 ** 6);
    // …until the next write was measured: back to 20 ms + 200 ms.
    assert.equal(c.rto, 220 * ms);
    assert.equal(c.state, "ESTABLISHED");
    const last = segments(net, { node: "b" }).at(-1)!;
    assert.equal(last.ack, 201);
  },
);
