/**
 * Gratuitous ARP: a host announces its own address (a request with sender IP =
 * target IP, to the broadcast MAC), typically after its MAC changed. With
 * Linux's default arp_accept=0 an announcement updates an entry a neighbour
 * already has — new MAC, STALE, since a broadcast confirms nothing — but
 * creates none on hosts that never talked to the announcer.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac, ip } from "../../core/wire/addr.ts";
import { ms } from "../../core/sim/simulator.ts";
import { arpSent, arpView, ipNeigh, sendArp } from "./frames.ts";

const NEW_MAC = "02:00:00:00:aa:02";

function build(net: Network) {
  const [a, b, c] = net.nodes("a", "b", "c");
  const sw = net.switch("sw");
  for (const n of [a, b, c]) net.connect(n, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  const oldMac = b.mac("eth0");
  assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${oldMac} REACHABLE`]);
  return { a, b, c, oldMac };
}

/** b gets a new NIC address, then announces 10.0.0.2 (arping -U). */
function newMacAndAnnounce(net: Network, b: ReturnType<typeof build>["b"]): void {
  assert.equal(b.sh(`ip link set dev eth0 address ${NEW_MAC}`).status, 0);
  b.root.ip.neigh.announce(b.iface("eth0"), ip("10.0.0.2"));
  net.runFor(1 * ms);
}

scenario("gratuitous: the announcement is a broadcast request for the sender's own IP", (net) => {
  const { b } = build(net);
  const t0 = net.sim.now;
  newMacAndAnnounce(net, b);
  const garp = net.trace.filter({ kind: "tx", node: "b", arp: true, where: (e) => e.time >= t0 });
  assert.equal(garp.length, 1);
  assert.deepEqual(arpView(garp[0]!), {
    ethSrc: NEW_MAC,
    ethDst: "ff:ff:ff:ff:ff:ff",
    op: "request",
    senderMac: NEW_MAC,
    senderIp: "10.0.0.2",
    targetMac: "00:00:00:00:00:00",
    targetIp: "10.0.0.2",
  });
  // Nobody answers an announcement.
  assert.equal(arpSent(net, "a", t0).length + arpSent(net, "c", t0).length, 0);
});

scenario(
  "gratuitous: an existing entry takes the new MAC, as STALE, and traffic follows",
  (net) => {
    const { a, b } = build(net);
    newMacAndAnnounce(net, b);
    assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${NEW_MAC} STALE`]);
    const t0 = net.sim.now;
    assert.equal(a.sh("ping -c 2 10.0.0.2").status, 0);
    // No new question: the echo requests go straight to the new MAC.
    assert.deepEqual(arpSent(net, "a", t0), []);
    const echoes = net.trace.filter({
      kind: "tx",
      node: "a",
      icmp: "echo-request",
      where: (e) => e.time >= t0,
    });
    assert.deepEqual(echoes.map((e) => formatMac(e.packet.eth.dst)), [NEW_MAC, NEW_MAC]);
  },
);

scenario(
  "gratuitous: without the announcement, a keeps sending to the old MAC and loses",
  (net) => {
    const { a, b, oldMac } = build(net);
    assert.equal(b.sh(`ip link set dev eth0 address ${NEW_MAC}`).status, 0);
    const t0 = net.sim.now;
    const out = a.sh("ping -c 3 -W 1 10.0.0.2");
    assert.match(out.stdout, /3 packets transmitted, 0 received, 100% packet loss/);
    // The switch still delivers them to b's port; b's NIC no longer has that address.
    const dropped = net.trace.filter({
      kind: "drop",
      node: "b",
      reason: "not for this host",
      icmp: "echo-request",
      where: (e) => e.time >= t0,
    });
    assert.equal(dropped.length, 3);
    assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${oldMac} REACHABLE`]);
  },
);

scenario("gratuitous: a host that had no entry creates none (arp_accept=0)", (net) => {
  const { b, c } = build(net);
  assert.equal(
    c.sh("sysctl net.ipv4.conf.eth0.arp_accept").stdout,
    "net.ipv4.conf.eth0.arp_accept = 0\n",
  );
  newMacAndAnnounce(net, b);
  assert.equal(net.trace.filter({ kind: "rx", node: "c", arp: true }).length, 2); // a's request, b's announcement
  assert.deepEqual(ipNeigh(c), []);
  // So c still has to ask, and gets the new MAC.
  const t0 = net.sim.now;
  assert.equal(c.sh("ping -c 1 10.0.0.2").status, 0);
  assert.deepEqual(arpSent(net, "c", t0), ["who-has 10.0.0.2 tell 10.0.0.3 to ff:ff:ff:ff:ff:ff"]);
  assert.deepEqual(ipNeigh(c), [`10.0.0.2 dev eth0 lladdr ${NEW_MAC} REACHABLE`]);
});

scenario("gratuitous: announcing an unchanged MAC leaves a REACHABLE entry alone", (net) => {
  const { a, b, oldMac } = build(net);
  b.root.ip.neigh.announce(b.iface("eth0"), ip("10.0.0.2"));
  net.runFor(1 * ms);
  assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${oldMac} REACHABLE`]);
});

scenario(
  "gratuitous: a broadcast reply (arping -A) moves the entry too, and confirms nothing",
  (net) => {
    const { a, b } = build(net);
    assert.equal(b.sh(`ip link set dev eth0 address ${NEW_MAC}`).status, 0);
    sendArp(net, b, "eth0", {
      op: "reply",
      senderIp: "10.0.0.2",
      targetIp: "10.0.0.2",
      targetMac: NEW_MAC,
    });
    net.runFor(1 * ms);
    assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${NEW_MAC} STALE`]);
  },
);
