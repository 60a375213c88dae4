/**
 * The notes' NAT gateway. Server A (192.168.1.101) and server B (also
 * 192.168.1.101, in another private network) talk across the "international"
 * 192.168.56.0/24. Router A gives A the international identity 192.168.56.1
 * (SNAT on the way out); router B answers for B at 192.168.56.2 (DNAT on the
 * way in). A sends to 192.168.56.2; the addresses at each hop are exactly the
 * notes' three packets, and the replies are translated back by conntrack
 * without any rule for them.
 *
 *   A 192.168.1.101 ── 192.168.1.1 routerA 192.168.56.1 ── 192.168.56.2 routerB 192.168.1.1 ── B 192.168.1.101
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

function build(net: Network) {
  const [a, ra, rb, b] = net.nodes("serverA", "routerA", "routerB", "serverB");
  net.connect(a, ra);
  net.connect(ra, rb);
  net.connect(rb, b);
  a.sh("ip addr add 192.168.1.101/24 dev eth0; ip route add default via 192.168.1.1");
  ra.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 192.168.56.1/24 dev eth1");
  ra.sh("sysctl -w net.ipv4.ip_forward=1");
  ra.sh("iptables -t nat -A POSTROUTING -s 192.168.1.101 -o eth1 -j SNAT --to-source 192.168.56.1");
  rb.sh("ip addr add 192.168.56.2/24 dev eth0; ip addr add 192.168.1.1/24 dev eth1");
  rb.sh("sysctl -w net.ipv4.ip_forward=1");
  rb.sh(
    "iptables -t nat -A PREROUTING -d 192.168.56.2 -i eth0 -j DNAT --to-destination 192.168.1.101",
  );
  b.sh("ip addr add 192.168.1.101/24 dev eth0; ip route add default via 192.168.1.1");
  return { a, ra, rb, b };
}

scenario("NAT gateway: the notes' three packets, hop by hop", (net) => {
  const { a, ra, rb, b } = build(net);
  const out = a.sh("ping -c 1 192.168.56.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /64 bytes from 192\.168\.56\.2: icmp_seq=1 ttl=62 time=/);
  assert.deepEqual(net.trace.hops({ icmp: "echo-request" }), [
    {
      link: "serverA-routerA",
      node: "serverA",
      iface: "eth0",
      srcMac: a.mac("eth0"),
      dstMac: ra.mac("eth0"),
      srcIp: "192.168.1.101",
      dstIp: "192.168.56.2",
      ttl: 64,
    },
    {
      link: "routerA-routerB",
      node: "routerA",
      iface: "eth1",
      srcMac: ra.mac("eth1"),
      dstMac: rb.mac("eth0"),
      srcIp: "192.168.56.1",
      dstIp: "192.168.56.2",
      ttl: 63,
    },
    {
      link: "routerB-serverB",
      node: "routerB",
      iface: "eth1",
      srcMac: rb.mac("eth1"),
      dstMac: b.mac("eth0"),
      srcIp: "192.168.56.1",
      dstIp: "192.168.1.101",
      ttl: 62,
    },
  ]);
  // B answers A's international identity; each router undoes its own translation.
  assert.deepEqual(
    net.trace.hops({ icmp: "echo-reply" }).map((h) => [h.link, h.srcIp, h.dstIp]),
    [
      ["routerB-serverB", "192.168.1.101", "192.168.56.1"],
      ["routerA-routerB", "192.168.56.2", "192.168.56.1"],
      ["serverA-routerA", "192.168.56.2", "192.168.1.101"],
    ],
  );
});

scenario("NAT gateway: each router's conntrack entry holds both identities", (net) => {
  const { a, ra, rb } = build(net);
  a.sh("ping -c 1 192.168.56.2");
  const id = net.trace.first({ kind: "tx", node: "serverA", icmp: "echo-request" })!.packet.icmp!
    .rest >>> 16;
  assert.equal(
    ra.sh("conntrack -L").stdout,
    `icmp     1 29 src=192.168.1.101 dst=192.168.56.2 type=8 code=0 id=${id} ` +
      `src=192.168.56.2 dst=192.168.56.1 type=0 code=0 id=${id} mark=0 use=1\n`,
  );
  assert.equal(
    rb.sh("conntrack -L").stdout,
    `icmp     1 29 src=192.168.56.1 dst=192.168.56.2 type=8 code=0 id=${id} ` +
      `src=192.168.1.101 dst=192.168.56.1 type=0 code=0 id=${id} mark=0 use=1\n`,
  );
  // The summary goes to standard error, as conntrack-tools prints it.
  assert.equal(
    rb.sh("conntrack -L").stderr,
    "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n",
  );
  // 30 s after the last packet the ICMP entry is gone.
  net.run(net.sim.now + 30e9);
  assert.equal(ra.sh("conntrack -L").stdout, "");
});

scenario(
  "NAT gateway: the rules count the first packet only; later packets follow conntrack",
  (net) => {
    const { a, ra, rb } = build(net);
    a.sh("ping -c 3 -i 0.2 192.168.56.2");
    // Only a connection's first packet traverses the nat table.
    assert.match(
      ra.sh("iptables -t nat -L POSTROUTING -n -v").stdout,
      /^ {4}1 {4}84 SNAT {7}0 {4}-- {2}\* {6}eth1 {4}192\.168\.1\.101 {8}0\.0\.0\.0\/0 {12}to:192\.168\.56\.1$/m,
    );
    assert.match(
      rb.sh("iptables -t nat -L PREROUTING -n -v").stdout,
      /^ {4}1 {4}84 DNAT {7}0 {4}-- {2}eth0 {3}\* {7}0\.0\.0\.0\/0 {12}192\.168\.56\.2 {9}to:192\.168\.1\.101$/m,
    );
    // All three requests still arrived translated.
    assert.equal(
      net.trace.filter({ kind: "rx", node: "serverB", icmp: "echo-request", src: "192.168.56.1" })
        .length,
      3,
    );
  },
);

scenario(
  "NAT gateway: without router A's SNAT, B's reply goes to its own LAN and A never hears",
  (net) => {
    const { a, ra } = build(net);
    ra.sh("iptables -t nat -F POSTROUTING");
    const out = a.sh("ping -c 1 -W 1 192.168.56.2");
    assert.equal(out.status, 1);
    // B sees A's private address, which is its own: the reply never leaves B.
    assert.equal(
      net.trace.filter({ kind: "rx", node: "serverB", icmp: "echo-request", src: "192.168.1.101" })
        .length,
      1,
    );
    assert.equal(net.trace.filter({ kind: "rx", node: "routerB", icmp: "echo-reply" }).length, 0);
  },
);
