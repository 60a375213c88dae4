/**
 * A relay agent for a second subnet (recorded with ISC dhcrelay and dnsmasq on
 * Linux namespaces): the client's broadcast stops at the router, where
 * dhcrelay writes the address of the interface it came in on into giaddr,
 * counts a hop and unicasts the message to the server from port 67. The
 * server picks the range whose subnet holds giaddr (its netmask must be
 * given), offers the relay as router, and answers the relay at giaddr:67; the
 * relay hands the reply to the client, unicast to yiaddr at its MAC. The
 * client sees the relay as the sender of the OFFER and ACK.
 *
 *   srv 172.16.0.1/30 ── r (dhcrelay) 172.16.0.2/30 | 10.0.2.1/24 ── sw ── pc2
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { dhcpOnWire, formatIp4, PC2_MAC, syslogLines } from "./dhcp_testing.ts";

function routed(net: Network) {
  const [srv, r, pc2] = net.nodes("srv", "r", "pc2");
  const sw = net.switch("sw");
  net.connect(srv, r);
  net.connect(r, sw);
  net.connect(pc2, sw);
  pc2.sh(`ip link set eth0 address ${PC2_MAC}`);
  srv.sh("ip addr add 172.16.0.1/30 dev eth0; ip route add 10.0.2.0/24 via 172.16.0.2");
  r.sh("ip addr add 172.16.0.2/30 dev eth0; ip addr add 10.0.2.1/24 dev eth1");
  r.sh("sysctl -w net.ipv4.ip_forward=1");
  return { srv, r, pc2 };
}

scenario("dhcp relay: giaddr picks the range, the relay carries both ways", (net) => {
  const { srv, r, pc2 } = routed(net);
  srv.sh("dnsmasq --port=0 --dhcp-range=10.0.2.100,10.0.2.200,255.255.255.0,12h");
  const relay = r.sh("dhcrelay -d -i eth1 -i eth0 172.16.0.1 &");
  assert.deepEqual(relay.stderr.split("\n"), [
    "Requesting: eth1 as upstream: Y downstream: Y",
    "Requesting: eth0 as upstream: Y downstream: Y",
    "Internet Systems Consortium DHCP Relay Agent 4.4.3-P1",
    "Copyright 2004-2022 Internet Systems Consortium.",
    "All rights reserved.",
    "For info, please visit https://www.isc.org/software/dhcp/",
    `Listening on LPF/eth0/${r.mac("eth0")}`,
    `Sending on   LPF/eth0/${r.mac("eth0")}`,
    `Listening on LPF/eth1/${r.mac("eth1")}`,
    `Sending on   LPF/eth1/${r.mac("eth1")}`,
    "Sending on   Socket/fallback",
    "",
  ]);
  const c = pc2.sh("dhclient -v eth0");
  assert.match(c.stderr, /^DHCPOFFER of 10\.0\.2\.155 from 10\.0\.2\.1$/m);
  assert.match(c.stderr, /^DHCPACK of 10\.0\.2\.155 from 10\.0\.2\.1$/m);

  const wire = dhcpOnWire(net);
  assert.deepEqual(
    wire.map((w) => `${w.node} ${w.type} ${w.src}:${w.srcPort} > ${w.dst}:${w.dstPort}`),
    [
      "pc2 DHCPDISCOVER 0.0.0.0:68 > 255.255.255.255:67",
      "r DHCPDISCOVER 172.16.0.2:67 > 172.16.0.1:67",
      "srv DHCPOFFER 172.16.0.1:67 > 10.0.2.1:67",
      "r DHCPOFFER 10.0.2.1:67 > 10.0.2.155:68",
      "pc2 DHCPREQUEST 0.0.0.0:68 > 255.255.255.255:67",
      "r DHCPREQUEST 172.16.0.2:67 > 172.16.0.1:67",
      "srv DHCPACK 172.16.0.1:67 > 10.0.2.1:67",
      "r DHCPACK 10.0.2.1:67 > 10.0.2.155:68",
    ],
  );
  // What the client sends has no giaddr; everything past the relay carries it, and one hop.
  for (const w of wire) {
    const relayed = w.node !== "pc2";
    assert.equal(formatIp4(w.message.giaddr), relayed ? "10.0.2.1" : "0.0.0.0");
    assert.equal(w.message.hops, relayed ? 1 : 0);
  }
  // Towards the client: a hand-built frame at its MAC (dhcrelay's LPF), TOS 0x10, TTL 128.
  const toClient = wire[3]!;
  assert.deepEqual([toClient.dstMac, toClient.tos, toClient.ttl], [PC2_MAC, 0x10, 128]);
  // Towards the server: an ordinary UDP datagram (DF, TTL 64) from the relay's address there.
  assert.deepEqual([wire[1]!.tos, wire[1]!.ttl], [0, 64]);
  // The offer: the relay's subnet, the relay as router, the server as server id and next server.
  const o = wire[2]!.message;
  assert.deepEqual(
    [o.yiaddr, o.siaddr, o.options.serverId!, o.options.subnetMask!].map(formatIp4),
    ["10.0.2.155", "172.16.0.1", "172.16.0.1", "255.255.255.0"],
  );
  assert.deepEqual(o.options.routers!.map(formatIp4), ["10.0.2.1"]);
  assert.deepEqual([...o.options.raw!.get(28)!], [10, 0, 2, 255]);

  assert.deepEqual(syslogLines(r, "dhcrelay"), [
    `Forwarded BOOTREQUEST for ${PC2_MAC} to 172.16.0.1`,
    "BOOTREPLY giaddr: 10.0.2.1",
    `Forwarded BOOTREPLY for ${PC2_MAC} to 10.0.2.155`,
    `Forwarded BOOTREQUEST for ${PC2_MAC} to 172.16.0.1`,
    "BOOTREPLY giaddr: 10.0.2.1",
    `Forwarded BOOTREPLY for ${PC2_MAC} to 10.0.2.155`,
  ]);
  assert.ok(
    syslogLines(srv, "dnsmasq-dhcp").includes(`DHCPACK(eth0) 10.0.2.155 ${PC2_MAC} pc2`),
  );
  assert.equal(
    pc2.sh("ip route").stdout,
    "default via 10.0.2.1 dev eth0 \n10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.155 \n",
  );
  assert.equal(pc2.sh("ping -c 1 172.16.0.1").status, 0, "through the router to the server");
  // Renewals need no relay: unicast from the client to the server, routed by r.
  r.sh("pkill dhcrelay");
  net.runFor(7 * 3600e9);
  const renewal = dhcpOnWire(net, { type: "DHCPREQUEST", node: "pc2" })[1]!;
  assert.deepEqual([renewal.src, renewal.dst], ["10.0.2.155", "172.16.0.1"]);
  assert.equal(dhcpOnWire(net, { type: "DHCPACK", node: "srv" })[1]!.dst, "10.0.2.155");
});

scenario("dhcp relay: a range without a netmask gets its class's mask behind a relay", (net) => {
  const { srv, r, pc2 } = routed(net);
  // dnsmasq cannot see the relayed subnet's mask: it guesses from the address class (10/8).
  srv.sh("dnsmasq --port=0 --dhcp-range=10.0.2.100,10.0.2.200,12h");
  r.sh("dhcrelay -i eth1 -i eth0 172.16.0.1");
  assert.equal(pc2.sh("dhclient eth0").status, 0);
  const ack = dhcpOnWire(net, { type: "DHCPACK", node: "srv" })[0]!;
  assert.equal(formatIp4(ack.message.options.subnetMask!), "255.0.0.0");
  assert.deepEqual([...ack.message.options.raw!.get(28)!], [10, 255, 255, 255]);
  assert.match(pc2.sh("ip -br addr show dev eth0").stdout, /10\.0\.2\.155\/8/);
  assert.match(
    pc2.sh("ip route").stdout,
    /^10\.0\.0\.0\/8 dev eth0 proto kernel scope link src 10\.0\.2\.155 $/m,
  );
});

scenario("dhcp relay: no range for the relay's subnet, no answer", (net) => {
  const { srv, r, pc2 } = routed(net);
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h");
  r.sh("dhcrelay -i eth1 -i eth0 172.16.0.1");
  const c = pc2.sh("dhclient -1 eth0");
  assert.equal(c.status, 2);
  const log = syslogLines(srv, "dnsmasq-dhcp").slice(1);
  assert.ok(log.length >= 4);
  assert.ok(log.every((l) => l === "no address range available for DHCP request via 10.0.2.1"));
  assert.equal(dhcpOnWire(net, { type: "DHCPOFFER" }).length, 0);
  // The relay forwarded each DISCOVER; only the server had nothing to say.
  assert.equal(
    syslogLines(r, "dhcrelay").length,
    dhcpOnWire(net, { type: "DHCPDISCOVER", node: "pc2" }).length,
  );
});

scenario("dhcp relay: dhcrelay's command-line errors", (net) => {
  const { r } = routed(net);
  const none = r.sh("dhcrelay -i eth1");
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^No servers specified\.$/m);
  assert.match(none.stderr, /\nexiting\.\n$/);
  const bad = r.sh("dhcrelay -i eth9 172.16.0.1");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^Error getting hardware address for "eth9": No such device$/m);
  const host = r.sh("dhcrelay nosuchhost");
  assert.match(host.stderr, /^nosuchhost: host unknown\.$/m);
  // Nothing was left running.
  assert.equal(r.sh("pkill dhcrelay").status, 1);
});
