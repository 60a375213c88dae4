/**
 * Which requests a host answers. With Linux's default arp_ignore=0 a host
 * answers a request for any of its local addresses, whatever interface the
 * request came in on: router r answers on eth0 for the address of its eth1.
 * It does not answer for addresses it merely routes to (unless proxy_arp is
 * on), nor for its subnet broadcast, loopback or multicast addresses — those
 * requests are ignored and teach it nothing. ARP never crosses the router.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms } from "../../core/sim/simulator.ts";
import { arpSent, arpView, ipNeigh, sendArp } from "./frames.ts";

function build(net: Network) {
  const [a, r, b] = net.nodes("a", "r", "b");
  const sw = net.switch("sw");
  net.connect(a, sw);
  net.connect(r, sw); // r eth0
  net.connect(r, b); // r eth1
  // a believes all of 10.0.0.0/16 is on its wire, so it ARPs for 10.0.1.x directly.
  a.sh("ip addr add 10.0.0.1/16 dev eth0");
  r.sh("ip addr add 10.0.0.254/24 dev eth0; ip addr add 10.0.1.254/24 dev eth1");
  r.sh("sysctl -w net.ipv4.ip_forward=1");
  b.sh("ip addr add 10.0.1.2/24 dev eth0; ip route add default via 10.0.1.254");
  return { a, r, b };
}

scenario("local address: r answers on eth0 for the address of its eth1 (arp_ignore=0)", (net) => {
  const { a, r } = build(net);
  assert.equal(
    r.sh("sysctl net.ipv4.conf.eth0.arp_ignore").stdout,
    "net.ipv4.conf.eth0.arp_ignore = 0\n",
  );
  const out = a.sh("ping -c 1 10.0.1.254");
  assert.match(out.stdout, /^64 bytes from 10\.0\.1\.254: icmp_seq=1 ttl=64/m);
  const reply = net.trace.first({ kind: "tx", node: "r", arp: true })!;
  assert.deepEqual(arpView(reply), {
    ethSrc: r.mac("eth0"),
    ethDst: a.mac("eth0"),
    op: "reply",
    senderMac: r.mac("eth0"), // the MAC of the interface the request came in on
    senderIp: "10.0.1.254",
    targetMac: a.mac("eth0"),
    targetIp: "10.0.0.1",
  });
  assert.equal(reply.iface, "eth0");
  assert.deepEqual(ipNeigh(a), [`10.0.1.254 dev eth0 lladdr ${r.mac("eth0")} REACHABLE`]);
  // Nothing went out of eth1: the request was answered where it arrived.
  assert.equal(net.trace.filter({ kind: "tx", node: "r", iface: "eth1" }).length, 0);
});

scenario("local address: no answer for an address r only routes to — and ARP stops at r", (net) => {
  const { a, r } = build(net);
  const out = a.sh("ping -c 1 10.0.1.2");
  assert.match(out.stdout, /^From 10\.0\.0\.1 icmp_seq=1 Destination Host Unreachable$/m);
  assert.equal(arpSent(net, "a").length, 3);
  assert.deepEqual(arpSent(net, "r"), []);
  assert.deepEqual(
    net.trace.filter({ kind: "consume", node: "r" }).map((e) => e.detail),
    ["arp", "arp", "arp"],
  );
  // The requests never reached b's wire, and r learned nothing about a from them.
  assert.equal(net.trace.filter({ kind: "rx", node: "b" }).length, 0);
  assert.deepEqual(ipNeigh(r), []);
  assert.equal(
    r.sh("sysctl net.ipv4.conf.eth0.proxy_arp").stdout,
    "net.ipv4.conf.eth0.proxy_arp = 0\n",
  );
});

scenario("local address: with proxy_arp on eth0, r answers for b with its own MAC", (net) => {
  const { a, r } = build(net);
  r.sh("sysctl -w net.ipv4.conf.eth0.proxy_arp=1");
  const out = a.sh("ping -c 1 10.0.1.2");
  assert.match(out.stdout, /^64 bytes from 10\.0\.1\.2: icmp_seq=1 ttl=63/m);
  const reply = arpView(net.trace.first({ kind: "tx", node: "r", arp: true })!);
  assert.deepEqual([reply.op, reply.senderIp, reply.senderMac], [
    "reply",
    "10.0.1.2",
    r.mac("eth0"),
  ]);
  // a now maps b's IP to r's MAC.
  assert.deepEqual(ipNeigh(a), [`10.0.1.2 dev eth0 lladdr ${r.mac("eth0")} REACHABLE`]);
});

scenario(
  "proxy ARP: the answer to a broadcast request waits a random moment (proxy_delay)",
  (net) => {
    const { a, r } = build(net);
    r.sh("sysctl -w net.ipv4.conf.eth0.proxy_arp=1");
    assert.equal(
      r.sh("sysctl net.ipv4.neigh.default.proxy_delay").stdout,
      "net.ipv4.neigh.default.proxy_delay = 80\n",
    );
    a.sh("ping -c 1 10.0.1.2");
    // Linux queues a proxied answer to a broadcast for a random time below
    // proxy_delay (80 hundredths of a second), so that a real owner answers first.
    const asked = net.trace.first({ kind: "rx", node: "r", arp: true })!.time;
    const answered = net.trace.first({ kind: "tx", node: "r", arp: true })!.time;
    assert.ok(answered > asked && answered - asked < 800 * ms, `${(answered - asked) / ms} ms`);
    // Its own addresses it answers at once.
    const t0 = net.sim.now;
    a.sh("ping -c 1 10.0.0.254");
    const mine = net.trace.filter({ kind: "tx", node: "r", arp: true, where: (e) => e.time >= t0 });
    const heard = net.trace.filter({
      kind: "rx",
      node: "r",
      arp: true,
      where: (e) => e.time >= t0,
    });
    assert.equal(mine[0]!.time, heard[0]!.time);
  },
);

scenario("proxy ARP: only a router proxies — with forwarding off, r keeps quiet", (net) => {
  const { a, r } = build(net);
  r.sh("sysctl -w net.ipv4.ip_forward=0; sysctl -w net.ipv4.conf.eth0.proxy_arp=1");
  const out = a.sh("ping -c 1 10.0.1.2");
  assert.match(out.stdout, /^From 10\.0\.0\.1 icmp_seq=1 Destination Host Unreachable$/m);
  assert.deepEqual(arpSent(net, "r"), []);
});

scenario(
  "local address: requests for broadcast, loopback or multicast targets are ignored",
  (net) => {
    const { a, r } = build(net);
    for (const target of ["10.0.0.255", "127.0.0.1", "224.0.0.1"]) {
      sendArp(net, a, "eth0", { op: "request", senderIp: "10.0.0.1", targetIp: target });
      net.runFor(1 * ms);
    }
    assert.deepEqual(arpSent(net, "r"), []);
    // The loopback and multicast ones are martians; none taught r about a.
    assert.deepEqual(
      net.trace.filter({ node: "r", where: (e) => e.kind === "drop" || e.kind === "consume" }).map(
        (e) => e.kind === "drop" ? `drop ${e.reason}: ${e.detail}` : `consume ${e.detail}`,
      ),
      [
        "consume arp",
        "drop martian address: arp target 127.0.0.1",
        "drop martian address: arp target 224.0.0.1",
      ],
    );
    assert.deepEqual(ipNeigh(r), []);
  },
);
