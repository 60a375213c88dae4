/**
 * MASQUERADE: a private LAN shares the router's one public address. Servers
 * outside see only 203.0.113.1; replies find their way back because
 * conntrack remembers each connection's inside address. When two inside
 * hosts use the same source port towards the same server, the second
 * connection gets another source port (Linux keeps the original port when it
 * is free and otherwise picks one in 1024–65535), so the server still sees
 * two distinct connections.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect, natLan, peer } from "./nat_testing.ts";
import { ip } from "../../core/wire/addr.ts";

scenario(
  "MASQUERADE: the server sees the router's address; both hosts get their replies",
  (net) => {
    const { gw, h, s } = natLan(net, 2, 1);
    gw.sh("iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -o eth1 -j MASQUERADE");
    const srv = serve(s[0]!, 80);
    const c1 = connect(h[0]!, "203.0.113.80", 80, 41000);
    const c2 = connect(h[1]!, "203.0.113.80", 80, 42000);
    net.run(1e9);
    assert.equal(c1.state, "ESTABLISHED");
    assert.equal(c2.state, "ESTABLISHED");
    // Free ports are kept: only the address changes.
    assert.deepEqual(srv.conns.map(peer), ["203.0.113.1:41000", "203.0.113.1:42000"]);
    // Nothing with a private address ever crossed the outside switch.
    for (const e of net.trace.filter({ kind: "tx", node: "gw", iface: "eth1" })) {
      if (e.packet.ip) assert.notEqual(e.packet.ip.src >>> 16, 0xc0a8);
    }
  },
);

scenario("MASQUERADE: two hosts on the same source port get two public ports", (net) => {
  const { gw, h, s } = natLan(net, 2, 1);
  gw.sh("iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -o eth1 -j MASQUERADE");
  const srv = serve(s[0]!, 80);
  const c1 = connect(h[0]!, "203.0.113.80", 80, 40000);
  net.run(0.5e9);
  const c2 = connect(h[1]!, "203.0.113.80", 80, 40000);
  net.run(1e9);
  assert.equal(c1.state, "ESTABLISHED");
  assert.equal(c2.state, "ESTABLISHED");
  const [first, second] = srv.conns.map((c) => c.remotePort);
  assert.equal(first, 40000, "the first connection keeps its port");
  assert.notEqual(second, 40000, "the second is rewritten");
  assert.ok(second! >= 1024 && second! <= 65535);
  // conntrack shows the rewrite in the reply tuple of the second connection.
  const lines = gw.sh("conntrack -L -p tcp").stdout.trim().split("\n");
  assert.deepEqual(lines.map((l) => l.replace(/^tcp {6}6 \d+ /, "")), [
    `ESTABLISHED src=192.168.1.20 dst=203.0.113.80 sport=40000 dport=80 ` +
    `src=203.0.113.80 dst=203.0.113.1 sport=80 dport=${second} [ASSURED] mark=0 use=1`,
    `ESTABLISHED src=192.168.1.10 dst=203.0.113.80 sport=40000 dport=80 ` +
    `src=203.0.113.80 dst=203.0.113.1 sport=80 dport=40000 [ASSURED] mark=0 use=1`,
  ]);
  // Data flows both ways on the rewritten connection.
  c2.send(new TextEncoder().encode("hello"));
  net.run(2e9);
  assert.equal(new TextDecoder().decode(srv.received[1]), "hello");
});

scenario("MASQUERADE: the same inside port to two different servers needs no rewrite", (net) => {
  const { gw, h, s } = natLan(net, 2, 2);
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
  const a = serve(s[0]!, 80);
  const b = serve(s[1]!, 80);
  connect(h[0]!, "203.0.113.80", 80, 40000);
  connect(h[1]!, "203.0.113.81", 80, 40000);
  net.run(1e9);
  // Tuples differ by destination, so both keep port 40000 (Linux checks the whole tuple).
  assert.deepEqual([...a.conns, ...b.conns].map(peer), [
    "203.0.113.1:40000",
    "203.0.113.1:40000",
  ]);
});

scenario("MASQUERADE: two pings with the same ICMP id get distinct ids outside", (net) => {
  const { gw, h } = natLan(net, 2, 1);
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
  // Two ping sockets with the same identifier, one on each host.
  const replies: number[][] = [[], []];
  h.forEach((host, i) => {
    const sock = host.root.ping.open(0x1234);
    sock.onReply = (r) => replies[i]!.push(r.seq);
    sock.send(ip("203.0.113.80"), i + 1, 56);
  });
  net.run(1e9);
  // Each host got its own reply back, with its own id and sequence.
  assert.deepEqual(replies, [[1], [2]]);
  const outside = net.trace.filter({ kind: "rx", node: "s1", icmp: "echo-request" })
    .map((e) => e.packet.icmp!.rest >>> 16);
  assert.equal(outside[0], 0x1234, "the first keeps its id");
  assert.notEqual(outside[1], 0x1234, "the second is rewritten");
  const lines = gw.sh("conntrack -L -p icmp").stdout;
  assert.match(
    lines,
    new RegExp(
      `src=192\\.168\\.1\\.20 dst=203\\.0\\.113\\.80 type=8 code=0 id=${0x1234} src=203\\.0\\.113\\.80 dst=203\\.0\\.113\\.1 type=0 code=0 id=${
        outside[1]
      } `,
    ),
  );
});

scenario("MASQUERADE: an outside interface with no address drops, and says why", (net) => {
  const { gw, h } = natLan(net, 1, 1);
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
  gw.sh("ip addr flush dev eth1; ip route add 203.0.113.0/24 dev eth1");
  const out = h[0]!.sh("ping -c 1 -W 1 203.0.113.80");
  assert.equal(out.status, 1);
  const d = net.trace.first({ kind: "drop", node: "gw", reason: "netfilter drop" });
  assert.equal(d?.detail, "nat POSTROUTING rule 1 (MASQUERADE: no address)");
});

scenario("MASQUERADE: bad command lines get iptables' messages", (net) => {
  const { gw } = natLan(net, 1, 1);
  let r = gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE --to-ports 1024-2000");
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    "iptables v1.8.9 (nf_tables): Need TCP, UDP, SCTP or DCCP with port specification\n" +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
  );
  r = gw.sh("iptables -t nat -A PREROUTING -j MASQUERADE");
  assert.equal(r.status, 4);
  assert.equal(
    r.stderr,
    "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n",
  );
  r = gw.sh("iptables -A POSTROUTING -j MASQUERADE");
  assert.equal(r.stderr, "iptables: No chain/target/match by that name.\n");
  assert.equal(gw.sh("iptables -t nat -S POSTROUTING").stdout, "-P POSTROUTING ACCEPT\n");
});
