/**
 * Rule selectors other than the source, each deciding where real packets go:
 * `iif` (the LAN a packet came in on; `lo` for the router's own packets),
 * `oif` (a socket bound to a device, as `ping -I`), `to`, `not`, `tos`, and
 * `ipproto` with `dport` (one service's traffic to its own uplink).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { udpOut } from "./routing_testing.ts";
import { formatMac, ip } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [r, h1, h2, g1, g2] = net.nodes("r", "h1", "h2", "g1", "g2");
  net.connect(r, h1); // eth0: LAN 1
  net.connect(r, h2); // eth1: LAN 2
  net.connect(r, g1); // eth2: uplink 1 (main's default)
  net.connect(r, g2); // eth3: uplink 2 (table 100)
  r.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 192.168.1.1/24 dev eth0",
    "ip addr add 192.168.2.1/24 dev eth1",
    "ip addr add 172.16.1.1/24 dev eth2",
    "ip addr add 172.16.2.1/24 dev eth3",
    "ip route add default via 172.16.1.2",
    "ip route add default via 172.16.2.2 table 100",
  ].join("\n"));
  h1.sh("ip addr add 192.168.1.10/24 dev eth0; ip route add default via 192.168.1.1");
  h2.sh("ip addr add 192.168.2.10/24 dev eth0; ip route add default via 192.168.2.1");
  g1.sh("ip addr add 172.16.1.2/24 dev eth0; ip route add default via 172.16.1.1");
  g2.sh("ip addr add 172.16.2.2/24 dev eth0; ip route add default via 172.16.2.1");
  return { r, h1, h2, g2 };
}

function udp(node: ReturnType<typeof build>["h1"], dst: string, port: number, tos = 0) {
  node.root.udp.socket().sendTo(new Uint8Array(8), ip(dst), port, { tos });
}

scenario(
  "rule selectors: iif picks by the LAN a packet came from; iif lo by the router's own",
  (net) => {
    const { r, h1, h2 } = build(net);
    r.sh("ip rule add iif eth1 table 100");
    udp(h1, "198.51.100.1", 9000);
    udp(h2, "198.51.100.1", 9000);
    net.run();
    assert.deepEqual(udpOut(net, "r", 9000), { eth2: 1, eth3: 1 });
    assert.equal(
      net.trace.filter({ kind: "tx", node: "r", iface: "eth3", src: "192.168.2.10" }).length,
      1,
    );
    // The router's own packets come in on lo: an iif lo rule catches them, and only them.
    r.sh("ip rule add iif lo table 100");
    assert.match(r.sh("ip route get 198.51.100.1").stdout, /via 172\.16\.2\.2 dev eth3 table 100 /);
    assert.match(
      r.sh("ip route get 198.51.100.1 from 192.168.1.10 iif eth0").stdout,
      /via 172\.16\.1\.2 dev eth2 \n/,
    );
    // A rule naming a device that does not exist matches nothing, and says so.
    r.sh("ip rule add iif wlan0 table 100");
    assert.match(r.sh("ip rule").stdout, /\tfrom all iif wlan0 \[detached\] lookup 100\n/);
  },
);

scenario("rule selectors: oif catches a socket bound to the device (ping -I)", (net) => {
  const { r, g2 } = build(net);
  // Bound to eth3 with no rule, the router has no route through eth3 for the address and
  // takes it as on that link (ARP for it there); with the rule, table 100's gateway.
  r.sh("ping -c 1 -W 1 -I eth3 198.51.100.1");
  r.sh("ip rule add oif eth3 table 100");
  r.sh("ping -c 1 -W 1 -I eth3 198.51.100.1");
  r.sh("ping -c 1 -W 1 198.51.100.1");
  const asked = net.trace.filter({ kind: "tx", node: "r", iface: "eth3", arp: true })
    .map((e) => e.packet.arp!.targetIp);
  assert.ok(asked.includes(ip("198.51.100.1")));
  const reqs = net.trace.filter({
    kind: "tx",
    node: "r",
    icmp: "echo-request",
    dst: "198.51.100.1",
  })
    .map((e) => [e.iface, formatMac(e.packet.eth.dst) === g2.mac("eth0")]);
  assert.deepEqual(reqs, [["eth3", true], ["eth2", false]]);
  assert.match(
    r.sh("ip route get 198.51.100.1 oif eth3").stdout,
    /via 172\.16\.2\.2 dev eth3 table 100 /,
  );
  assert.match(r.sh("ip route get 198.51.100.1").stdout, /via 172\.16\.1\.2 dev eth2 src/);
});

scenario("rule selectors: to and not", (net) => {
  const { r, h1 } = build(net);
  r.sh("ip rule add to 198.51.100.0/24 table 100");
  r.sh("ip rule add not from 192.168.0.0/16 table 100");
  udp(h1, "198.51.100.1", 9100);
  udp(h1, "203.0.113.1", 9100);
  net.run();
  assert.deepEqual(udpOut(net, "r", 9100), { eth3: 1, eth2: 1 });
  assert.equal(
    net.trace.filter({ kind: "tx", node: "r", iface: "eth3", dst: "198.51.100.1" }).length,
    1,
  );
  // The router's own traffic (source 172.16.1.1, not 192.168/16) takes table 100.
  assert.match(r.sh("ip route get 203.0.113.1 from 172.16.1.1").stdout, /dev eth3 table 100 /);
  assert.match(r.sh("ip route get 203.0.113.1 from 192.168.1.1").stdout, /dev eth2 uid 0/);
});

scenario(
  "rule selectors: tos and ipproto/dport send one kind of traffic up the other line",
  (net) => {
    const { r, h1 } = build(net);
    r.sh("ip rule add tos 0x10 table 100"); // minimize-delay
    r.sh("ip rule add ipproto udp dport 53 table 100");
    udp(h1, "203.0.113.1", 53);
    udp(h1, "203.0.113.1", 123);
    udp(h1, "203.0.113.1", 123, 0x10);
    udp(h1, "203.0.113.1", 123, 0x11); // the ECN bit is no part of the match
    net.run();
    assert.deepEqual(udpOut(net, "r", 53), { eth3: 1 });
    const ntp = net.trace.filter({ kind: "tx", node: "r", proto: 17, dst: "203.0.113.1" })
      .filter((e) => e.packet.udp!.dstPort === 123).map((e) => [e.packet.ip!.tos, e.iface]);
    assert.deepEqual(ntp, [[0, "eth2"], [0x10, "eth3"], [0x11, "eth3"]]);
    assert.match(
      r.sh("ip route get 203.0.113.1 from 192.168.1.10 iif eth0 ipproto udp dport 53").stdout,
      /dev eth3 table 100/,
    );
    assert.match(
      r.sh("ip route get 203.0.113.1 from 192.168.1.10 iif eth0 ipproto tcp dport 53").stdout,
      /dev eth2 \n/,
    );
  },
);
