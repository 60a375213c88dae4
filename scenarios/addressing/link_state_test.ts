/**
 * What `ip link` and `ip addr` show, and what it means. A cabled, configured
 * NIC is <BROADCAST,MULTICAST,UP,LOWER_UP>, state UP, qdisc pfifo_fast, with
 * its own `link/ether` MAC and `brd ff:ff:ff:ff:ff:ff`; lo is
 * <LOOPBACK,UP,LOWER_UP> with qdisc noqueue. When the peer goes down (or the
 * cable is pulled) the NIC shows NO-CARRIER and state DOWN, its prefix route
 * is marked `linkdown` and nothing reaches the wire; taking it down ourselves
 * removes UP and the route but keeps the address. The MTU shown is the one
 * packets are cut to. `ip -j` gives the same facts as JSON.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

interface JsonLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  qdisc: string;
  operstate: string;
  link_type: string;
  address: string;
  broadcast: string;
  addr_info?: Array<{ local: string; prefixlen: number; scope: string; label: string }>;
}

function links(text: string): JsonLink[] {
  return JSON.parse(text) as JsonLink[];
}

function pair(net: Network, mtu?: number) {
  const [a, b] = net.nodes("a", "b");
  const link = net.connect(a, b, mtu === undefined ? {} : { mtu });
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  return { a, b, link };
}

scenario("addressing: ip link and ip addr show the flags, MTU, qdisc and MAC", (net) => {
  const { a, b } = pair(net);
  const mac = a.mac("eth0");
  assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  assert.notEqual(mac, b.mac("eth0"));
  const link = a.sh("ip link show eth0").stdout;
  assert.match(
    link,
    /^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000$/m,
  );
  assert.match(link, new RegExp(`^ {4}link/ether ${mac} brd ff:ff:ff:ff:ff:ff$`, "m"));
  const addr = a.sh("ip addr").stdout;
  assert.match(addr, /^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN /m);
  assert.match(addr, /^ {4}link\/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00$/m);
  assert.match(addr, /^ {4}inet 127\.0\.0\.1\/8 scope host lo$/m);
  assert.match(
    addr,
    /^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP /m,
  );
  assert.match(addr, /^ {4}inet 10\.0\.0\.1\/24 scope global eth0$/m);

  // The JSON form carries the same facts, ready for a script.
  const [lo, eth0] = links(a.sh("ip -j addr").stdout);
  assert.deepEqual(
    [lo!.ifname, lo!.flags, lo!.mtu, lo!.qdisc, lo!.operstate, lo!.link_type],
    ["lo", ["LOOPBACK", "UP", "LOWER_UP"], 65536, "noqueue", "UNKNOWN", "loopback"],
  );
  assert.deepEqual(lo!.addr_info!.map((x) => `${x.local}/${x.prefixlen} ${x.scope}`), [
    "127.0.0.1/8 host",
  ]);
  assert.deepEqual(
    [eth0!.ifindex, eth0!.ifname, eth0!.flags, eth0!.mtu, eth0!.qdisc, eth0!.operstate],
    [2, "eth0", ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], 1500, "pfifo_fast", "UP"],
  );
  assert.deepEqual([eth0!.link_type, eth0!.address, eth0!.broadcast], [
    "ether",
    mac,
    "ff:ff:ff:ff:ff:ff",
  ]);
  assert.deepEqual(eth0!.addr_info!.map((x) => `${x.local}/${x.prefixlen} ${x.scope} ${x.label}`), [
    "10.0.0.1/24 global eth0",
  ]);
  // The MAC ip shows is the source MAC of what the NIC sends.
  a.sh("ping -c 1 10.0.0.2");
  const sent = net.trace.filter({ kind: "tx", node: "a", iface: "eth0" });
  assert.ok(sent.length >= 2);
  for (const e of sent) assert.equal(e.packet.eth.src, a.iface("eth0").mac);
  // And ip -s link counts exactly what the trace saw leave.
  assert.match(
    a.sh("ip -s link show eth0").stdout,
    new RegExp(`TX:  bytes packets.*\\n +\\d+ +${sent.length} `),
  );
});

scenario("addressing: the peer going down shows NO-CARRIER and a linkdown route", (net) => {
  const { a, b } = pair(net);
  assert.equal(b.sh("ip link set eth0 down").status, 0);
  // b's own view: administratively down, no UP flag, no LOWER_UP.
  assert.match(
    b.sh("ip link show eth0").stdout,
    /^2: eth0: <BROADCAST,MULTICAST> mtu 1500 .*state DOWN /m,
  );
  // a's view: still UP, but no carrier.
  const [eth0] = links(a.sh("ip -j link show eth0").stdout);
  assert.deepEqual(eth0!.flags, ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]);
  assert.equal(eth0!.operstate, "DOWN");
  assert.match(
    a.sh("ip link show eth0").stdout,
    /^2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> .*state DOWN /m,
  );
  assert.match(
    a.sh("ip route").stdout,
    /^10\.0\.0\.0\/24 dev eth0 proto kernel scope link src 10\.0\.0\.1 linkdown\s*$/m,
  );
  // Nothing leaves a NIC without carrier.
  const out = a.sh("ping -c 1 -W 1 10.0.0.2");
  assert.equal(out.status, 1);
  assert.equal(net.trace.filter({ kind: "tx", node: "a", iface: "eth0" }).length, 0);
  assert.ok(net.trace.filter({ kind: "drop", node: "a", reason: "link down" }).length >= 1);
  // The peer comes back: LOWER_UP again, the route loses linkdown, ping works.
  b.sh("ip link set eth0 up");
  assert.match(a.sh("ip link show eth0").stdout, /<BROADCAST,MULTICAST,UP,LOWER_UP>.*state UP /);
  assert.doesNotMatch(a.sh("ip route").stdout, /linkdown/);
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
});

scenario("addressing: pulling the cable takes the carrier from both ends", (net) => {
  const { a, b, link } = pair(net);
  link.setUp(false);
  for (const n of [a, b]) {
    const [eth0] = links(n.sh("ip -j link show eth0").stdout);
    assert.deepEqual(eth0!.flags, ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], n.name);
    assert.equal(eth0!.operstate, "DOWN", n.name);
  }
  link.setUp(true);
  for (const n of [a, b]) {
    assert.deepEqual(links(n.sh("ip -j link show eth0").stdout)[0]!.flags, [
      "BROADCAST",
      "MULTICAST",
      "UP",
      "LOWER_UP",
    ]);
  }
});

scenario("addressing: a NIC taken down keeps its address but loses its route", (net) => {
  const { a } = pair(net);
  a.sh("ip link set eth0 down");
  assert.match(
    a.sh("ip link show eth0").stdout,
    /^2: eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc pfifo_fast state DOWN /m,
  );
  assert.match(a.sh("ip addr show eth0").stdout, /^ {4}inet 10\.0\.0\.1\/24 scope global eth0$/m);
  assert.doesNotMatch(a.sh("ip route").stdout, /10\.0\.0\.0\/24/);
  const out = a.sh("ping -c 1 10.0.0.2");
  assert.equal(out.status, 2);
  assert.match(out.stderr, /^ping: connect: Network is unreachable$/m);
  assert.equal(net.trace.filter({ kind: "tx", node: "a" }).length, 0);
  a.sh("ip link set eth0 up");
  assert.match(
    a.sh("ip route").stdout,
    /^10\.0\.0\.0\/24 dev eth0 proto kernel scope link src 10\.0\.0\.1\s*$/m,
  );
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
});

scenario("addressing: a NIC never brought up has qdisc noop and no UP", (net) => {
  const [a, b] = net.nodes("a", "b");
  net.connect(a, b, { up: false });
  assert.match(
    a.sh("ip link show eth0").stdout,
    /^2: eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN /m,
  );
  a.sh("ip link set eth0 up");
  // Up, but b's end is still down: no carrier yet.
  assert.match(
    a.sh("ip link show eth0").stdout,
    /^2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc pfifo_fast state DOWN /m,
  );
  b.sh("ip link set eth0 up");
  assert.match(
    a.sh("ip link show eth0").stdout,
    /^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP /m,
  );
});

scenario("addressing: the MTU ip link shows is the size packets are cut to", (net) => {
  const { a } = pair(net, 9000);
  assert.match(a.sh("ip link show eth0").stdout, / mtu 9000 /);
  // 8000 data bytes fit a 9000-byte MTU: one frame.
  assert.equal(a.sh("ping -c 1 -s 8000 10.0.0.2").status, 0);
  const big = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" });
  assert.equal(big.length, 1);
  // Below Ethernet's minimum (68) the kernel refuses, and the MTU stays.
  const tiny = a.sh("ip link set eth0 mtu 40");
  assert.equal(tiny.status, 2);
  assert.equal(tiny.stderr, "Error: mtu less than device minimum.\n");
  assert.match(a.sh("ip link show eth0").stdout, / mtu 9000 /);
  a.sh("ip link set eth0 mtu 1400");
  assert.equal(links(a.sh("ip -j link show eth0").stdout)[0]!.mtu, 1400);
  // 2000 data bytes no longer fit: two fragments, the first 1400 bytes long.
  assert.equal(a.sh("ping -c 1 -s 2000 10.0.0.2").status, 0);
  const frags = net.trace.filter({ kind: "tx", node: "a", iface: "eth0", proto: 1 }).slice(1);
  assert.deepEqual(frags.map((e) => [e.packet.ip!.fragOffset, e.packet.ip!.mf]), [[0, true], [
    1376,
    false,
  ]]);
});
