/**
 * ARP (RFC 826) as the notes draw it: "who has this IP? tell me" goes to the
 * broadcast MAC with an empty target MAC; the owner answers by unicast with its
 * MAC. The asker caches the answer (REACHABLE), so a second ping asks nothing.
 * The owner records the asker from the request itself (STALE, as Linux does),
 * and checks that entry later with a unicast request of its own.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ip } from "../../core/wire/addr.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { arpSent, arpView, ipNeigh } from "./frames.ts";

function build(net: Network) {
  const [a, b, c] = net.nodes("a", "b", "c");
  const sw = net.switch("sw");
  for (const n of [a, b, c]) net.connect(n, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  return { a, b, c };
}

scenario("arp: the request is a broadcast who-has, the reply a unicast is-at", (net) => {
  const { a, b } = build(net);
  const [ma, mb] = [a.mac("eth0"), b.mac("eth0")];
  b.sh("tcpdump -c 2 -n -i eth0 > /tmp/arp.txt 2>/dev/null &");
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  const request = net.trace.first({ kind: "tx", node: "a", arp: true })!;
  assert.equal(request.packet.eth.type, 0x0806);
  assert.deepEqual(arpView(request), {
    ethSrc: ma,
    ethDst: "ff:ff:ff:ff:ff:ff",
    op: "request",
    senderMac: ma,
    senderIp: "10.0.0.1",
    targetMac: "00:00:00:00:00:00",
    targetIp: "10.0.0.2",
  });
  const reply = net.trace.first({ kind: "tx", node: "b", arp: true })!;
  assert.deepEqual(arpView(reply), {
    ethSrc: mb,
    ethDst: ma,
    op: "reply",
    senderMac: mb,
    senderIp: "10.0.0.2",
    targetMac: ma,
    targetIp: "10.0.0.1",
  });
  // What b's tcpdump printed.
  const lines = b.sh("wait; cat /tmp/arp.txt").stdout.trim().split("\n").map((l) =>
    l.replace(/^\S+ /, "")
  );
  assert.deepEqual(lines, [
    "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28",
    `ARP, Reply 10.0.0.2 is-at ${mb}, length 28`,
  ]);
  // The echo request waited for the answer and left the moment it arrived.
  const answered = net.trace.first({ kind: "rx", node: "a", arp: true })!.time;
  assert.equal(net.trace.first({ kind: "tx", node: "a", icmp: "echo-request" })!.time, answered);
});

scenario("arp: the second ping uses the cache — one request for three echoes", (net) => {
  const { a, b } = build(net);
  assert.equal(a.sh("ping -c 2 10.0.0.2").status, 0);
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  assert.deepEqual(arpSent(net, "a"), ["who-has 10.0.0.2 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"]);
  assert.equal(a.root.ip.neigh.stats.requestsSent, 1);
  assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${b.mac("eth0")} REACHABLE`]);
  // Every echo request carries b's MAC, learned once.
  for (const e of net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" })) {
    assert.equal(e.packet.eth.dst, b.iface("eth0").mac);
  }
});

scenario(
  "arp: the target records the asker from its request, STALE, without asking back",
  (net) => {
    const { a, b } = build(net);
    const server = b.root.udp.socket();
    server.bind(0, 9);
    const client = a.root.udp.socket();
    assert.equal(client.sendTo(new Uint8Array(8), ip("10.0.0.2"), 9), undefined);
    net.runFor(1 * ms);
    assert.equal(server.recv()?.from, ip("10.0.0.1"));
    // b answered the request and kept a's MAC from it, unconfirmed.
    assert.deepEqual(ipNeigh(b), [`10.0.0.1 dev eth0 lladdr ${a.mac("eth0")} STALE`]);
    assert.deepEqual(arpSent(net, "b"), [`10.0.0.2 is-at ${b.mac("eth0")} to ${a.mac("eth0")}`]);
    // b answers a's datagram: no broadcast request, the STALE entry is used (DELAY)...
    const t0 = net.sim.now;
    server.sendTo(new Uint8Array(8), ip("10.0.0.1"), client.localPort);
    net.runFor(1 * ms);
    assert.equal(client.recv()?.from, ip("10.0.0.2"));
    assert.deepEqual(ipNeigh(b), [`10.0.0.1 dev eth0 lladdr ${a.mac("eth0")} DELAY`]);
    // ...and 5 s later b checks it with a unicast request to a's MAC; a's answer confirms it.
    net.runFor(6 * s);
    const probe = net.trace.filter({ kind: "tx", node: "b", arp: true }).filter((e) =>
      e.packet.arp!.op === 1
    );
    assert.equal(probe.length, 1);
    assert.equal(probe[0]!.time, t0 + 5 * s);
    assert.equal(arpView(probe[0]!).ethDst, a.mac("eth0"));
    assert.deepEqual(ipNeigh(b), [`10.0.0.1 dev eth0 lladdr ${a.mac("eth0")} REACHABLE`]);
  },
);

scenario("arp: a bystander hears the broadcast but neither answers nor learns", (net) => {
  const { a, c } = build(net);
  a.sh("ping -c 1 10.0.0.2");
  net.runFor(10 * s);
  assert.deepEqual(
    net.trace.filter({ kind: "consume", node: "c" }).map((e) => e.detail),
    ["arp"],
  );
  assert.equal(net.trace.filter({ kind: "tx", node: "c" }).length, 0);
  assert.deepEqual(ipNeigh(c), []);
  assert.equal(c.root.ip.neigh.stats.requestsReceived, 1);
});
