/**
 * Which source address a host uses. With two subnets on one interface each
 * destination gets the address of its own subnet; a second address in the
 * same subnet is a secondary and is only used when asked for (`ping -I`); with
 * two interfaces the outgoing interface's address wins, for directly connected
 * destinations and for those behind a gateway alike; a route's `src` overrides
 * all of this. `ip route get` predicts it, and the packets on the wire show it
 * (the ARP request tells the packet's own source, as Linux's arp_announce=0).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatIp4 } from "../../core/wire/addr.ts";

/**
 * a: eth0 10.0.0.1/24 + 10.0.0.2/24 (secondary) + 192.168.5.1/24, eth1 172.16.0.1/16.
 * b on eth0's wire: 10.0.0.9/24 and 192.168.5.9/24; c on eth1's wire: 172.16.0.9/16.
 */
function build(net: Network) {
  const [a, b, c] = net.nodes("a", "b", "c");
  net.connect(a, b);
  net.connect(a, c);
  a.sh("ip addr add 10.0.0.1/24 dev eth0; ip addr add 10.0.0.2/24 dev eth0");
  a.sh("ip addr add 192.168.5.1/24 dev eth0; ip addr add 172.16.0.1/16 dev eth1");
  b.sh("ip addr add 10.0.0.9/24 dev eth0; ip addr add 192.168.5.9/24 dev eth0");
  c.sh("ip addr add 172.16.0.9/16 dev eth0; ip addr add 198.51.100.1/24 dev eth0");
  return { a, b, c };
}

/** The `prefsrc` and `dev` `ip -j route get` reports. */
function get(node: ReturnType<typeof build>["a"], dst: string): [string, string] {
  const [r] = JSON.parse(node.sh(`ip -j route get ${dst}`).stdout) as Array<
    { prefsrc: string; dev: string }
  >;
  return [r!.prefsrc, r!.dev];
}

/** Source address of each echo request a sent, in order. */
function sources(net: Network): string[] {
  return net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" }).map((e) =>
    formatIp4(e.packet.ip!.src)
  );
}

scenario("addressing: two subnets on one interface — each destination gets its own", (net) => {
  const { a } = build(net);
  assert.deepEqual(get(a, "10.0.0.9"), ["10.0.0.1", "eth0"]);
  assert.deepEqual(get(a, "192.168.5.9"), ["192.168.5.1", "eth0"]);
  const routes = a.sh("ip route").stdout;
  assert.match(routes, /^10\.0\.0\.0\/24 dev eth0 proto kernel scope link src 10\.0\.0\.1\s*$/m);
  assert.match(
    routes,
    /^192\.168\.5\.0\/24 dev eth0 proto kernel scope link src 192\.168\.5\.1\s*$/m,
  );
  assert.equal(a.sh("ping -c 1 10.0.0.9").status, 0);
  assert.equal(a.sh("ping -c 1 192.168.5.9").status, 0);
  assert.deepEqual(sources(net), ["10.0.0.1", "192.168.5.1"]);
});

scenario("addressing: the secondary is used only when asked for, and ARP tells it", (net) => {
  const { a, b } = build(net);
  assert.match(
    a.sh("ip addr show eth0").stdout,
    /^ {4}inet 10\.0\.0\.2\/24 scope global secondary eth0$/m,
  );
  // The kernel prefers the primary…
  assert.deepEqual(get(a, "10.0.0.9"), ["10.0.0.1", "eth0"]);
  // …but ping -I picks the secondary, and the ARP request that precedes it tells that address.
  const out = a.sh("ping -c 1 -I 10.0.0.2 10.0.0.9");
  assert.equal(out.status, 0);
  assert.match(
    out.stdout,
    /^PING 10\.0\.0\.9 \(10\.0\.0\.9\) from 10\.0\.0\.2 : 56\(84\) bytes of data\.$/m,
  );
  assert.deepEqual(sources(net), ["10.0.0.2"]);
  const who = net.trace.first({ kind: "tx", node: "a", arp: true })!;
  assert.equal(formatIp4(who.packet.arp!.senderIp), "10.0.0.2");
  // The reply came back to the secondary; b learned it as a neighbour.
  assert.equal(net.trace.filter({ kind: "deliver", node: "a", dst: "10.0.0.2" }).length, 1);
  assert.match(b.sh("ip neigh").stdout, /^10\.0\.0\.2 dev eth0 lladdr /m);
  // Without -I, the primary again.
  a.sh("ping -c 1 10.0.0.9");
  assert.deepEqual(sources(net), ["10.0.0.2", "10.0.0.1"]);
});

scenario("addressing: with two interfaces the outgoing one's address is the source", (net) => {
  const { a } = build(net);
  assert.deepEqual(get(a, "172.16.3.3"), ["172.16.0.1", "eth1"]);
  assert.equal(a.sh("ping -c 1 172.16.0.9").status, 0);
  // Behind a gateway on eth1, eth1's address although eth0's was configured first.
  a.sh("ip route add default via 172.16.0.9");
  assert.deepEqual(get(a, "198.51.100.1"), ["172.16.0.1", "eth1"]);
  assert.equal(a.sh("ping -c 1 198.51.100.1").status, 0);
  assert.deepEqual(sources(net), ["172.16.0.1", "172.16.0.1"]);
  const hops = net.trace.hops({ icmp: "echo-request" });
  assert.deepEqual(hops.map((h) => [h.iface, h.srcIp, h.dstIp]), [
    ["eth1", "172.16.0.1", "172.16.0.9"],
    ["eth1", "172.16.0.1", "198.51.100.1"],
  ]);
});

scenario("addressing: a route's src overrides the interface's choice", (net) => {
  const { a, c } = build(net);
  // Reach 198.51.100.0/24 through c on eth1, but speak as 192.168.5.1 (an eth0 address).
  assert.equal(a.sh("ip route add 198.51.100.0/24 via 172.16.0.9 src 192.168.5.1").status, 0);
  assert.deepEqual(get(a, "198.51.100.1"), ["192.168.5.1", "eth1"]);
  // c can answer only if it knows the way back to 192.168.5.1.
  c.sh("ip route add 192.168.5.0/24 via 172.16.0.1");
  assert.equal(a.sh("ping -c 1 198.51.100.1").status, 0);
  assert.deepEqual(sources(net), ["192.168.5.1"]);
  // A src that is not one of ours is refused.
  const bad = a.sh("ip route add 203.0.113.0/24 via 172.16.0.9 src 10.9.9.9");
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "Error: Invalid prefsrc address.\n");
});
