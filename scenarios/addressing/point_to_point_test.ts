/**
 * Point-to-point addressing. A /31 (RFC 3021) has two hosts and no network or
 * broadcast address: both ends are configured, ping each other (the "network
 * address" 10.255.0.0 is an ordinary host), and the kernel installs no
 * broadcast route — unlike a /30, whose last address is the broadcast. A /32
 * host address has no connected route at all; its gateway is reached only
 * with `onlink`, and then ARP for it works although it lies in no shared
 * prefix (the way many hosting providers configure servers).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { subnet } from "../../core/ip/cidr.ts";
import { formatIp4 } from "../../core/wire/addr.ts";

interface JsonRoute {
  type?: string;
  dst: string;
  dev?: string;
  gateway?: string;
  flags?: string[];
}

scenario("addressing: a /31 link works at both ends with no broadcast", (net) => {
  const [r1, r2] = net.nodes("r1", "r2");
  net.connect(r1, r2);
  assert.equal(r1.sh("ip addr add 10.255.0.0/31 dev eth0").status, 0);
  assert.equal(r2.sh("ip addr add 10.255.0.1/31 dev eth0").status, 0);
  const s = subnet("10.255.0.0/31");
  assert.deepEqual([formatIp4(s.firstHost), formatIp4(s.lastHost), s.broadcast], [
    "10.255.0.0",
    "10.255.0.1",
    undefined,
  ]);
  for (const [node, me] of [[r1, "10.255.0.0"], [r2, "10.255.0.1"]] as const) {
    assert.match(
      node.sh("ip route").stdout,
      new RegExp(
        `^10\\.255\\.0\\.0/31 dev eth0 proto kernel scope link src ${
          me.replaceAll(".", "\\.")
        }\\s*$`,
        "m",
      ),
    );
    const local = JSON.parse(node.sh("ip -j route show table local").stdout) as JsonRoute[];
    assert.deepEqual(
      local.filter((r) => r.dev === "eth0").map((r) => `${r.type} ${r.dst}`),
      [`local ${me}`],
    );
    const info = JSON.parse(node.sh("ip -j addr show dev eth0").stdout)[0].addr_info[0];
    assert.equal(info.prefixlen, 31);
    assert.equal(info.broadcast, undefined);
  }
  // Both directions; the peer of r2 is the block's first address.
  const there = r1.sh("ping -c 2 10.255.0.1");
  assert.equal(there.status, 0);
  assert.match(there.stdout, /^2 packets transmitted, 2 received, 0% packet loss/m);
  const back = r2.sh("ping -c 2 10.255.0.0");
  assert.equal(back.status, 0);
  assert.match(back.stdout, /^64 bytes from 10\.255\.0\.0: icmp_seq=2 ttl=64 /m);
  // Each end asked ARP for the other end itself, as for any on-link host.
  assert.deepEqual(
    net.trace.filter({ kind: "tx", arp: true }).filter((e) => e.packet.arp!.op === 1).map((e) =>
      `${e.node} who-has ${formatIp4(e.packet.arp!.targetIp)}`
    ),
    ["r1 who-has 10.255.0.1"],
  );
  assert.equal(net.trace.filter({ kind: "drop" }).length, 0);
  assert.match(
    r2.sh("ip -j route get 10.255.0.0").stdout,
    /^\[\{"dst":"10\.255\.0\.0","dev":"eth0"/,
  );
});

scenario("addressing: on a /30 the last address is the broadcast, on a /31 it is a host", (net) => {
  const [a, b, c, d] = net.nodes("a", "b", "c", "d");
  net.connect(a, b);
  net.connect(c, d);
  a.sh("ip addr add 10.255.1.1/30 dev eth0");
  b.sh("ip addr add 10.255.1.2/30 dev eth0");
  c.sh("ip addr add 10.255.2.0/31 dev eth0");
  d.sh("ip addr add 10.255.2.1/31 dev eth0");
  const [viaA] = JSON.parse(a.sh("ip -j route get 10.255.1.3").stdout) as JsonRoute[];
  assert.equal(viaA!.type, "broadcast");
  const refused = a.sh("ping -c 1 10.255.1.3");
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /Do you want to ping broadcast\? Then -b/);
  assert.equal(net.trace.filter({ kind: "tx", node: "a" }).length, 0);
  // The /31's "last" address is just the peer.
  const [viaC] = JSON.parse(c.sh("ip -j route get 10.255.2.1").stdout) as JsonRoute[];
  assert.equal(viaC!.type, undefined);
  assert.equal(c.sh("ping -c 1 10.255.2.1").status, 0);
});

scenario("addressing: a /32 host reaches its gateway only with onlink", (net) => {
  const [h, r, srv] = net.nodes("h", "r", "srv");
  net.connect(h, r);
  net.connect(r, srv);
  assert.equal(h.sh("ip addr add 203.0.113.10/32 dev eth0").status, 0);
  // A /32 is the whole network: no connected route appears.
  assert.deepEqual(JSON.parse(h.sh("ip -j route").stdout), []);
  const refused = h.sh("ip route add default via 192.0.2.1");
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr, "Error: Nexthop has invalid gateway.\n");
  assert.deepEqual(JSON.parse(h.sh("ip -j route").stdout), []);
  const ok = h.sh("ip route add default via 192.0.2.1 dev eth0 onlink");
  assert.equal(ok.status, 0);
  assert.match(h.sh("ip route").stdout, /^default via 192\.0\.2\.1 dev eth0 onlink\s*$/m);
  const [def] = JSON.parse(h.sh("ip -j route").stdout) as JsonRoute[];
  assert.deepEqual(def!.flags, ["onlink"]);

  // The provider's router: its own /32 on the customer port and a host route back.
  r.sh("ip addr add 192.0.2.1/32 dev eth0; ip route add 203.0.113.10/32 dev eth0");
  r.sh("ip addr add 198.51.100.1/24 dev eth1; sysctl -w net.ipv4.ip_forward=1");
  srv.sh("ip addr add 198.51.100.10/24 dev eth0; ip route add default via 198.51.100.1");
  assert.match(
    h.sh("ip route get 198.51.100.10").stdout,
    /^198\.51\.100\.10 via 192\.0\.2\.1 dev eth0 src 203\.0\.113\.10 uid 0 *$/m,
  );
  const out = h.sh("ping -c 1 198.51.100.10");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 198\.51\.100\.10: icmp_seq=1 ttl=63 /m);
  // ARP across "subnets": h asks for 192.0.2.1 from 203.0.113.10, and r answers.
  const who = net.trace.first({ kind: "tx", node: "h", arp: true })!;
  assert.deepEqual(
    [formatIp4(who.packet.arp!.targetIp), formatIp4(who.packet.arp!.senderIp)],
    ["192.0.2.1", "203.0.113.10"],
  );
  assert.equal(net.trace.filter({ kind: "tx", node: "r", arp: true, iface: "eth0" }).length, 1);
  assert.match(h.sh("ip neigh").stdout, /^192\.0\.2\.1 dev eth0 lladdr \S+ REACHABLE/m);
});
