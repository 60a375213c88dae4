/**
 * The notes' worked example, 16.158.165.91/22, done twice: on paper with the
 * CIDR library and on a machine with `ip addr add`. The kernel routes a person
 * reads in `ip route` and `ip route show table local` are exactly the
 * library's network and broadcast; every address the library puts inside the
 * /22 is reached directly (ARP for the address itself), every address outside
 * needs the gateway, and `ip route get` says which. The same holds for a range
 * of other prefix lengths, /31 and /32 included.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { containsAddress, prefixOf, subnet } from "../../core/ip/cidr.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";

const NOTES = "16.158.165.91/22";

/** One parsed `ip -j route` entry. */
interface JsonRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
}

function jsonRoutes(text: string): JsonRoute[] {
  return JSON.parse(text) as JsonRoute[];
}

scenario("addressing: the notes' /22 on paper is what the kernel installs", (net) => {
  const s = subnet(NOTES);
  assert.deepEqual(
    [s.network, s.firstHost, s.netmask, s.broadcast!].map(formatIp4),
    ["16.158.164.0", "16.158.164.1", "255.255.252.0", "16.158.167.255"],
  );
  assert.equal(s.hostCount, 1022);

  const [a, b] = net.nodes("a", "b");
  net.connect(a, b);
  const add = a.sh(`ip addr add ${NOTES} dev eth0`);
  assert.equal(add.status, 0);
  assert.equal(add.out, "");
  assert.match(
    a.sh("ip addr show dev eth0").stdout,
    /^ {4}inet 16\.158\.165\.91\/22 .*scope global eth0$/m,
  );
  // The connected route: the library's network, scope link, the address as source.
  const route = a.sh("ip route").stdout;
  assert.match(
    route,
    /^16\.158\.164\.0\/22 dev eth0 proto kernel scope link src 16\.158\.165\.91\s*$/m,
  );
  assert.deepEqual(jsonRoutes(a.sh("ip -j route").stdout), [
    {
      dst: `${formatIp4(s.network)}/22`,
      dev: "eth0",
      protocol: "kernel",
      scope: "link",
      prefsrc: "16.158.165.91",
      flags: [],
    },
  ]);
  // Table local: the address itself and the library's broadcast.
  const local = a.sh("ip route show table local").stdout;
  assert.match(
    local,
    /^local 16\.158\.165\.91 dev eth0 proto kernel scope host src 16\.158\.165\.91\s*$/m,
  );
  assert.match(
    local,
    /^broadcast 16\.158\.167\.255 dev eth0 proto kernel scope link src 16\.158\.165\.91\s*$/m,
  );
  const eth0Local = jsonRoutes(a.sh("ip -j route show table local").stdout)
    .filter((r) => r.dev === "eth0")
    .map((r) => `${r.type} ${r.dst}`);
  assert.deepEqual(eth0Local, ["local 16.158.165.91", `broadcast ${formatIp4(s.broadcast!)}`]);
});

/** a (the notes' host) and b share a LAN with gateway g; g also reaches server 198.51.100.10. */
function lan(net: Network) {
  const [a, b, g, srv] = net.nodes("a", "b", "g", "srv");
  const sw = net.switch("sw");
  net.connect(a, sw);
  net.connect(b, sw);
  net.connect(g, sw);
  net.connect(g, srv);
  a.sh(`ip addr add ${NOTES} dev eth0`);
  b.sh("ip addr add 16.158.167.254/22 dev eth0"); // the last host of the /22
  g.sh("ip addr add 16.158.164.1/22 dev eth0; ip addr add 198.51.100.1/24 dev eth1");
  g.sh("sysctl -w net.ipv4.ip_forward=1");
  b.sh("ip route add default via 16.158.164.1");
  srv.sh("ip addr add 198.51.100.10/24 dev eth0; ip route add default via 198.51.100.1");
  return { a, b, g, srv };
}

scenario("addressing: `ip route get` agrees with the library on every boundary address", (net) => {
  const { a } = lan(net);
  const s = subnet(NOTES);
  const p = prefixOf(s.network, s.len);
  const probes = [
    "16.158.163.255",
    "16.158.164.0",
    "16.158.164.1",
    "16.158.165.91",
    "16.158.166.200",
    "16.158.167.254",
    "16.158.167.255",
    "16.158.168.0",
    "198.51.100.10",
  ];
  // Before a gateway is configured, only the /22 (and the host's own addresses) are reachable.
  for (const t of probes) {
    const r = a.sh(`ip route get ${t}`);
    if (containsAddress(p, ip(t))) assert.equal(r.status, 0, t);
    else {
      assert.equal(r.status, 2, t);
      assert.match(r.stderr, /^RTNETLINK answers: Network is unreachable$/m, t);
    }
  }
  a.sh("ip route add default via 16.158.164.1");
  for (const t of probes) {
    const [r] = JSON.parse(a.sh(`ip -j route get ${t}`).stdout) as JsonRoute[];
    const expected = t === "16.158.165.91"
      ? { type: "local", dev: "lo", gateway: undefined }
      : ip(t) === s.broadcast
      ? { type: "broadcast", dev: "eth0", gateway: undefined }
      : containsAddress(p, ip(t))
      ? { type: undefined, dev: "eth0", gateway: undefined }
      : { type: undefined, dev: "eth0", gateway: "16.158.164.1" };
    assert.deepEqual({ type: r!.type, dev: r!.dev, gateway: r!.gateway }, expected, t);
    assert.equal(r!.prefsrc, "16.158.165.91", t);
  }
  assert.match(
    a.sh("ip route get 16.158.167.254").stdout,
    /^16\.158\.167\.254 dev eth0 src 16\.158\.165\.91 uid 0 *$/m,
  );
  assert.match(
    a.sh("ip route get 16.158.168.0").stdout,
    /^16\.158\.168\.0 via 16\.158\.164\.1 dev eth0 src 16\.158\.165\.91 uid 0 *$/m,
  );
});

scenario(
  "addressing: inside the /22 ARP asks for the host itself, outside for the gateway",
  (net) => {
    const { a, b, g } = lan(net);
    a.sh("ip route add default via 16.158.164.1");
    // The far end of the block is still on the link: no gateway involved.
    const inside = a.sh("ping -c 1 16.158.167.254");
    assert.equal(inside.status, 0);
    assert.match(inside.stdout, /icmp_seq=1 ttl=64 /);
    const asks = () =>
      net.trace.filter({ kind: "tx", node: "a", arp: true })
        .filter((e) => e.packet.arp!.op === 1)
        .map((e) => formatIp4(e.packet.arp!.targetIp));
    assert.deepEqual(asks(), ["16.158.167.254"]);
    const req = net.trace.first({ kind: "tx", node: "a", icmp: "echo-request" })!;
    assert.equal(req.packet.eth.dst, b.iface("eth0").mac);
    assert.equal(net.trace.filter({ kind: "rx", node: "g", proto: 1 }).length, 0);

    // Outside: the only new ARP question is for the gateway; the frame goes to its MAC.
    const outside = a.sh("ping -c 1 198.51.100.10");
    assert.equal(outside.status, 0);
    assert.match(outside.stdout, /icmp_seq=1 ttl=63 /);
    assert.deepEqual(asks(), ["16.158.167.254", "16.158.164.1"]);
    const out = net.trace.filter({
      kind: "tx",
      node: "a",
      icmp: "echo-request",
      dst: "198.51.100.10",
    });
    assert.equal(out.length, 1);
    assert.equal(out[0]!.packet.eth.dst, g.iface("eth0").mac);
    assert.equal(net.trace.filter({ kind: "rx", node: "srv", icmp: "echo-request" }).length, 1);
  },
);

scenario(
  "addressing: for many prefix lengths the kernel's routes are the library's numbers",
  (net) => {
    const [h] = net.nodes("h");
    const [peer] = net.nodes("peer");
    net.connect(h, peer);
    // One address per length, each in its own /8 so that none overlaps another.
    const lens = [8, 12, 16, 19, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32];
    const addrs = lens.map((len) => `${20 + len}.201.77.${(len * 37) % 250 + 3}`);
    for (let i = 0; i < lens.length; i++) {
      assert.equal(h.sh(`ip addr add ${addrs[i]}/${lens[i]} dev eth0`).status, 0);
    }
    const main = jsonRoutes(h.sh("ip -j route").stdout);
    const local = jsonRoutes(h.sh("ip -j route show table local").stdout);
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i]!;
      const addr = addrs[i]!;
      const s = subnet(ip(addr), len);
      const prefixRoutes = main.filter((r) => r.prefsrc === addr).map((r) => r.dst);
      // A /32 has no prefix route (the address is the whole network); every other length has one.
      assert.deepEqual(prefixRoutes, len === 32 ? [] : [`${formatIp4(s.network)}/${len}`], addr);
      const brd = local.filter((r) => r.type === "broadcast" && r.prefsrc === addr).map((r) =>
        r.dst
      );
      // /31 (RFC 3021) and /32 have no broadcast address, so no broadcast route.
      assert.deepEqual(brd, s.broadcast === undefined ? [] : [formatIp4(s.broadcast)], addr);
      assert.ok(local.some((r) => r.type === "local" && r.dst === addr), addr);
    }
  },
);
