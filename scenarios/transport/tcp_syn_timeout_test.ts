/**
 * Connecting to a host whose packets silently vanish (a router with a
 * blackhole route to it): the SYN is retransmitted with the timeout doubling
 * from 1 s — at 1, 3, 7, 15, 31 and 63 s — and 127 s after the connect, with
 * `net.ipv4.tcp_syn_retries = 6` used up, connect fails with ETIMEDOUT, as on
 * Linux. Fewer retries (`sysctl -w net.ipv4.tcp_syn_retries=2`) give up sooner:
 * SYNs at 0, 1 and 3 s, ETIMEDOUT at 7 s.
 *
 *   a 10.0.0.1 ── 10.0.0.254 r ── (blackhole 10.9.9.9/32)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";
import type { TcpError, TcpSocket } from "../../core/transport/tcp/socket.ts";
import { gaps, ip, segments } from "./tcp_testing.ts";

function blackholed(net: Network, retries?: number): { sock: TcpSocket; errors: TcpError[] } {
  const [a, r] = net.nodes("a", "r");
  net.connect(a, r, { rate: "100mbit", delay: "1ms" });
  a.sh("ip addr add 10.0.0.1/24 dev eth0; ip route add default via 10.0.0.254");
  r.sh("ip addr add 10.0.0.254/24 dev eth0; sysctl -w net.ipv4.ip_forward=1");
  r.sh("ip route add blackhole 10.9.9.9/32");
  a.sh(`ip neigh add 10.0.0.254 lladdr ${r.mac("eth0")} dev eth0 nud permanent`);
  if (retries !== undefined) a.sh(`sysctl -w net.ipv4.tcp_syn_retries=${retries}`);
  const sock = a.root.tcp.socket();
  const errors: TcpError[] = [];
  sock.onError = (e) => errors.push(e);
  assert.equal(a.root.tcp.connect(sock, ip("10.9.9.9"), 22), undefined);
  return { sock, errors };
}

scenario("syn timeout: SYNs at 0, 1, 3, 7, 15, 31, 63 s, then ETIMEDOUT at 127 s", (net) => {
  const { sock, errors } = blackholed(net);
  net.run();
  const syns = segments(net, { node: "a" });
  assert.ok(syns.every((g) => g.flags === "S"));
  assert.deepEqual(syns.map((g) => g.time / s), [0, 1, 3, 7, 15, 31, 63]);
  // The gaps double: the RTO starts at 1 s and backs off (RFC 6298 §5.5).
  assert.deepEqual(gaps(syns.map((g) => g.time / s)), [1, 2, 4, 8, 16, 32]);
  // Every retransmission is the same SYN: same sequence number, same options.
  assert.equal(new Set(syns.map((g) => g.tcp.seq)).size, 1);
  assert.ok(syns.every((g) => g.tcp.options.mss === 1460 && g.tcp.options.sackPermitted));
  // The router dropped each one without a word.
  const drops = net.trace.filter({ kind: "drop", node: "r", proto: 6 });
  assert.equal(drops.length, 7);
  assert.ok(drops.every((e) => e.reason === "blackhole route"));
  assert.equal(net.trace.filter({ kind: "tx", node: "r", proto: 1 }).length, 0, "no ICMP");
  // After the last SYN's doubled timeout (64 s) the attempt is over.
  assert.deepEqual(errors, ["ETIMEDOUT"]);
  assert.deepEqual(sock.history.map((h) => [h.state, h.time / s]), [
    ["SYN-SENT", 0],
    ["CLOSED", 127],
  ]);
  assert.deepEqual([sock.stats.retransmits, sock.stats.timeouts], [6, 7]);
});

scenario("syn timeout: tcp_syn_retries=2 gives up after SYNs at 0, 1 and 3 s, at 7 s", (net) => {
  const { sock, errors } = blackholed(net, 2);
  net.run();
  assert.deepEqual(segments(net, { node: "a" }).map((g) => g.time / s), [0, 1, 3]);
  assert.deepEqual(errors, ["ETIMEDOUT"]);
  assert.equal(sock.history.at(-1)!.time, 7 * s);
});

scenario(
  "syn timeout: the host coming back before the retries run out saves the connect",
  (net) => {
    const { sock, errors } = blackholed(net);
    const r = net.get("r");
    const b = net.node("b");
    net.connect(r, b, { rate: "100mbit", delay: "1ms" });
    r.sh("ip addr add 10.9.9.1/24 dev eth1");
    b.sh("ip addr add 10.9.9.9/24 dev eth0; ip route add default via 10.9.9.1");
    const l = b.root.tcp.socket();
    b.root.tcp.bind(l, 0, 22);
    b.root.tcp.listen(l, 8);
    // At 10 s the blackhole route is removed (the connected route takes over).
    net.sim.after(10 * s, () => r.sh("ip route del blackhole 10.9.9.9/32"));
    net.run(200 * s);
    // SYNs at 0, 1, 3, 7 were lost; the one at 15 s got through.
    assert.deepEqual(
      segments(net, { node: "a" }).filter((g) => g.flags === "S").map((g) => g.time / s),
      [
        0,
        1,
        3,
        7,
        15,
      ],
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(sock.states(), ["SYN-SENT", "ESTABLISHED"]);
    assert.ok(sock.history[1]!.time > 15 * s && sock.history[1]!.time < 15.1 * s);
  },
);
