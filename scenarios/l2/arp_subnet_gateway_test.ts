/**
 * Before ARP comes the subnet check, as the notes teach: a destination inside
 * the sender's subnet is asked for directly; any other destination is sent to
 * the gateway, so the sender asks only for the gateway's MAC and the far host's
 * IP never appears in an ARP frame. The mask decides which is which; with no
 * route at all nothing is sent; with a dead gateway the ARP for the gateway
 * fails and ping says so.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatIp4, formatMac } from "../../core/wire/addr.ts";
import { arpSent, ipNeigh } from "./frames.ts";

/** a and b on one switch with gateway r; c beyond r. */
function build(net: Network, mask = 24) {
  const [a, b, r, c] = net.nodes("a", "b", "r", "c");
  const sw = net.switch("sw");
  net.connect(a, sw);
  net.connect(b, sw);
  net.connect(r, sw);
  net.connect(r, c);
  a.sh(`ip addr add 10.0.0.1/${mask} dev eth0; ip route add default via 10.0.0.254`);
  b.sh(`ip addr add 10.0.1.2/${mask} dev eth0; ip route add default via 10.0.1.254`);
  r.sh("ip addr add 10.0.0.254/24 dev eth0; ip addr add 10.0.1.254/24 dev eth0");
  r.sh("ip addr add 10.9.0.254/24 dev eth1; sysctl -w net.ipv4.ip_forward=1");
  c.sh("ip addr add 10.9.0.3/24 dev eth0; ip route add default via 10.9.0.254");
  return { a, b, r, c };
}

scenario("subnet: a destination in the subnet is asked for directly", (net) => {
  const { a, r } = build(net);
  r.sh("ip addr add 10.0.0.7/24 dev eth0"); // a second address of r in a's subnet
  assert.equal(a.sh("ping -c 1 10.0.0.7").status, 0);
  assert.deepEqual(arpSent(net, "a"), ["who-has 10.0.0.7 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"]);
  assert.deepEqual(ipNeigh(a), [`10.0.0.7 dev eth0 lladdr ${r.mac("eth0")} REACHABLE`]);
});

scenario(
  "subnet: another subnet's host is reached through the gateway — ARP for the gateway only",
  (net) => {
    const { a, r } = build(net);
    const out = a.sh("ping -c 2 10.9.0.3");
    assert.match(out.stdout, /^64 bytes from 10\.9\.0\.3: icmp_seq=1 ttl=63/m);
    assert.deepEqual(arpSent(net, "a"), ["who-has 10.0.0.254 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"]);
    // Nobody anywhere asked for 10.9.0.3 on a's LAN: only r asked for it, on its other wire.
    const asked = net.trace.filter({ kind: "tx", arp: true }).filter((e) =>
      e.packet.arp!.op === 1 && formatIp4(e.packet.arp!.targetIp) === "10.9.0.3"
    );
    assert.deepEqual(asked.map((e) => `${e.node}:${e.iface}`), ["r:eth1"]);
    // a's echo requests carry the far host's IP inside the gateway's MAC.
    for (const e of net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" })) {
      assert.equal(formatMac(e.packet.eth.dst), r.mac("eth0"));
      assert.equal(formatIp4(e.packet.ip!.dst), "10.9.0.3");
    }
    assert.deepEqual(ipNeigh(a), [`10.0.0.254 dev eth0 lladdr ${r.mac("eth0")} REACHABLE`]);
  },
);

scenario("subnet: with /24, b (10.0.1.2) is another subnet, reached through the gateway", (net) => {
  const { a, r } = build(net, 24);
  assert.equal(a.sh("ping -c 1 10.0.1.2").status, 0);
  assert.deepEqual(arpSent(net, "a"), ["who-has 10.0.0.254 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"]);
  // Even though b is on the same switch, the request goes to r, which forwards it
  // (TTL 63) back out of the interface it came in on.
  const req = net.trace.filter({ kind: "rx", node: "b", icmp: "echo-request" });
  assert.equal(req.length, 1);
  assert.equal(req[0]!.packet.ip!.ttl, 63);
  assert.equal(formatMac(req[0]!.packet.eth.src), r.mac("eth0"));
});

scenario("subnet: with /16, the same b is a neighbour and is asked for directly", (net) => {
  const { a, b } = build(net, 16);
  assert.equal(a.sh("ping -c 1 10.0.1.2").status, 0);
  assert.deepEqual(arpSent(net, "a"), ["who-has 10.0.1.2 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"]);
  const req = net.trace.filter({ kind: "rx", node: "b", icmp: "echo-request" });
  assert.equal(req[0]!.packet.ip!.ttl, 64);
  assert.equal(formatMac(req[0]!.packet.eth.src), a.mac("eth0"));
  assert.deepEqual(ipNeigh(a), [`10.0.1.2 dev eth0 lladdr ${b.mac("eth0")} REACHABLE`]);
});

scenario("subnet: off-subnet with no route — nothing is sent at all", (net) => {
  const { a } = build(net);
  a.sh("ip route del default");
  const out = a.sh("ping -c 1 10.9.0.3");
  assert.equal(out.status, 2);
  assert.equal(out.stderr, "ping: connect: Network is unreachable\n");
  assert.equal(net.trace.filter({ node: "a", kind: "tx" }).length, 0);
});

scenario("subnet: a dead gateway — the ARP for the gateway fails, ping says so", (net) => {
  const { a } = build(net);
  a.sh("ip route replace default via 10.0.0.253"); // nobody has 10.0.0.253
  const out = a.sh("ping -c 2 10.9.0.3");
  assert.match(out.stdout, /^From 10\.0\.0\.1 icmp_seq=1 Destination Host Unreachable$/m);
  assert.match(out.stdout, /^From 10\.0\.0\.1 icmp_seq=2 Destination Host Unreachable$/m);
  assert.deepEqual(
    arpSent(net, "a"),
    Array(3).fill("who-has 10.0.0.253 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"),
  );
  assert.deepEqual(ipNeigh(a), ["10.0.0.253 dev eth0 FAILED"]);
  // The far host's address never shows up in a's neighbour table.
  assert.ok(!a.sh("ip neigh").stdout.includes("10.9.0.3"));
});
