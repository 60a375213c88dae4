/**
 * The loopback rules. All of 127.0.0.0/8 is local (one `local 127.0.0.0/8 dev
 * lo` route answers for it), so ping 127.0.0.5 works; traffic to 127/8 or to
 * any of the host's own addresses — on any interface, even one that is down —
 * goes through `lo` and never appears on a wire. Conversely a 127.x address
 * never comes in from a wire (a martian source or destination is dropped, not
 * answered) and never goes out to one: a socket bound to 127.0.0.1 cannot
 * send to a neighbour (EINVAL), and `ip route get … from 127.0.0.1` refuses.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { injectEcho } from "./inject_testing.ts";

/** a has two LANs: eth0 to b (10.0.0.0/24) and eth1 to c (10.0.1.0/24). */
function build(net: Network) {
  const [a, b, c] = net.nodes("a", "b", "c");
  net.connect(a, b);
  net.connect(a, c);
  a.sh("ip addr add 10.0.0.1/24 dev eth0; ip addr add 10.0.1.1/24 dev eth1");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.1.2/24 dev eth0");
  return { a, b, c };
}

/** Every event that happened on a wire (a link) so far. */
function onWires(net: Network) {
  return net.trace.events.filter((e) => e.link !== "");
}

scenario("addressing: 127/8 is one local route on lo, answered without a wire", (net) => {
  const { a } = build(net);
  const local = a.sh("ip route show table local").stdout;
  assert.match(
    local,
    /^local 127\.0\.0\.0\/8 dev lo proto kernel scope host src 127\.0\.0\.1\s*$/m,
  );
  assert.match(local, /^local 127\.0\.0\.1 dev lo proto kernel scope host src 127\.0\.0\.1\s*$/m);
  assert.match(
    local,
    /^broadcast 127\.255\.255\.255 dev lo proto kernel scope link src 127\.0\.0\.1\s*$/m,
  );
  for (const dst of ["127.0.0.5", "127.1.2.3", "127.255.255.254"]) {
    assert.match(
      a.sh(`ip route get ${dst}`).stdout,
      new RegExp(`^local ${dst.replaceAll(".", "\\.")} dev lo src 127\\.0\\.0\\.1 uid 0 *$`, "m"),
    );
  }
  const out = a.sh("ping -c 2 127.0.0.5");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 127\.0\.0\.5: icmp_seq=2 ttl=64 /m);
  const icmp = net.trace.filter({ proto: 1 });
  assert.equal(icmp.length, 2 * 6); // per ping: request tx, rx, consume; reply tx, rx, deliver
  assert.deepEqual([...new Set(icmp.map((e) => `${e.node}:${e.iface}`))], ["a:lo"]);
  assert.deepEqual(onWires(net), []);

  // UDP too: a server on 127.0.0.1 sees the client as 127.0.0.1.
  const server = a.root.udp.socket();
  assert.equal(server.bind(ip("127.0.0.1"), 7000), undefined);
  const client = a.root.udp.socket();
  assert.equal(client.sendTo(new TextEncoder().encode("hi"), ip("127.0.0.1"), 7000), undefined);
  net.runFor(1e6);
  const got = server.recv()!;
  assert.equal(formatIp4(got.from), "127.0.0.1");
  assert.equal(got.fromPort, client.localPort);
  assert.equal(got.iface.name, "lo");
  assert.deepEqual(onWires(net), []);
});

scenario("addressing: the host's own addresses are reached over lo, even on a down NIC", (net) => {
  const { a } = build(net);
  for (const own of ["10.0.0.1", "10.0.1.1"]) {
    const out = a.sh(`ping -c 1 ${own}`);
    assert.equal(out.status, 0, own);
    assert.match(
      a.sh(`ip route get ${own}`).stdout,
      new RegExp(
        `^local ${own.replaceAll(".", "\\.")} dev lo src ${own.replaceAll(".", "\\.")} `,
        "m",
      ),
    );
  }
  // eth1 down: its address stays local (Linux keeps local routes), still answered on lo.
  a.sh("ip link set eth1 down");
  assert.equal(a.sh("ping -c 1 10.0.1.1").status, 0);
  assert.deepEqual(onWires(net), []);
  assert.equal(a.iface("eth0").counters.txPackets + a.iface("eth1").counters.txPackets, 0);
  assert.deepEqual(
    [...new Set(net.trace.filter({ proto: 1 }).map((e) => `${e.node}:${e.iface}`))],
    ["a:lo"],
  );
});

scenario("addressing: 127.x arriving from a wire is a martian and gets no answer", (net) => {
  const { a, b } = build(net);
  // An attacker on b's side forges packets from, and to, a's loopback.
  injectEcho(net, b, "eth0", a, "eth0", "127.0.0.1", "10.0.0.1", 1);
  injectEcho(net, b, "eth0", a, "eth0", "10.0.0.2", "127.0.0.1", 2);
  net.runFor(10e6);
  const drops = net.trace.filter({ kind: "drop", node: "a" });
  assert.deepEqual(drops.map((e) => [e.reason, e.detail]), [
    ["martian address", "source 127.0.0.1"],
    ["martian address", "destination 127.0.0.1"],
  ]);
  assert.equal(net.trace.filter({ kind: "tx", node: "a" }).length, 0);
  assert.equal(net.trace.filter({ node: "a", iface: "lo" }).length, 0);
});

scenario("addressing: a socket bound to 127.0.0.1 cannot reach a neighbour", (net) => {
  const { a, b } = build(net);
  const sock = a.root.udp.socket();
  sock.bind(ip("127.0.0.1"), 0);
  assert.equal(sock.sendTo(new Uint8Array(8), ip("10.0.0.2"), 9), "EINVAL");
  const refused = a.sh("ip route get 10.0.0.2 from 127.0.0.1");
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /^RTNETLINK answers: Invalid argument$/m);
  net.runFor(5e9);
  assert.deepEqual(onWires(net), []);
  assert.equal(b.iface("eth0").counters.rxPackets, 0);
  // The same socket still talks to loopback peers.
  const peer = a.root.udp.socket();
  peer.bind(ip("127.0.0.1"), 9);
  assert.equal(sock.sendTo(new Uint8Array(8), ip("127.0.0.1"), 9), undefined);
  net.runFor(1e6);
  assert.equal(peer.recv()?.fromPort, sock.localPort);
});
