/**
 * Through plain routers (no NAT) a UDP server sees the client's real source
 * address and port: the datagram's `from`/`fromPort` are exactly the
 * client's address and bound port, ports are untouched at every hop, and the
 * reply sent back to `from:fromPort` reaches the very socket that asked. Two
 * clients using the same port are told apart by address; the TTL the server
 * reads tells how many routers the datagram crossed.
 *
 *   c1 192.168.1.11 ─┐
 *   c2 192.168.1.12 ─┴ sw ─ r1 ══ r2 ─ srv 10.0.0.80:5353
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function build(net: Network) {
  const [c1, c2, r1, r2, srv] = net.nodes("c1", "c2", "r1", "r2", "srv");
  const sw = net.switch("sw");
  net.connect(c1, sw);
  net.connect(c2, sw);
  net.connect(r1, sw);
  net.connect(r1, r2);
  net.connect(r2, srv);
  c1.sh("ip addr add 192.168.1.11/24 dev eth0; ip route add default via 192.168.1.1");
  c2.sh("ip addr add 192.168.1.12/24 dev eth0; ip route add default via 192.168.1.1");
  r1.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 172.31.0.1/30 dev eth1");
  r1.sh("sysctl -w net.ipv4.ip_forward=1; ip route add default via 172.31.0.2");
  r2.sh("ip addr add 172.31.0.2/30 dev eth0; ip addr add 10.0.0.1/24 dev eth1");
  r2.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 192.168.1.0/24 via 172.31.0.1");
  srv.sh("ip addr add 10.0.0.80/24 dev eth0; ip route add default via 10.0.0.1");
  const server = srv.root.udp.socket();
  assert.equal(server.bind(0, 5353), undefined);
  return { c1, c2, srv, server };
}

scenario("gateway: the UDP server reads the client's own address and port", (net) => {
  const { c1, server } = build(net);
  const client = c1.root.udp.socket();
  assert.equal(client.sendTo(enc.encode("query"), ip("10.0.0.80"), 5353), undefined);
  const port = client.localPort;
  assert.ok(port >= 32768 && port <= 60999, `ephemeral port ${port}`);
  net.runFor(10e6);
  const d = server.recv()!;
  assert.equal(dec.decode(d.data as Uint8Array), "query");
  assert.deepEqual([formatIp4(d.from), d.fromPort], ["192.168.1.11", port]);
  assert.deepEqual([formatIp4(d.to), d.iface.name, d.ttl], ["10.0.0.80", "eth0", 62]);
  // At every hop the ports and addresses are the client's, unchanged.
  const hops = net.trace.filter({ kind: "tx", proto: 17, dst: "10.0.0.80" });
  assert.equal(hops.length, 4); // c1, sw, r1, r2
  for (const e of hops) {
    assert.deepEqual(
      [formatIp4(e.packet.ip!.src), e.packet.udp!.srcPort, e.packet.udp!.dstPort],
      ["192.168.1.11", port, 5353],
    );
  }
  // The reply goes to from:fromPort and reaches the socket that asked.
  assert.equal(server.sendTo(enc.encode("answer"), d.from, d.fromPort), undefined);
  net.runFor(10e6);
  const back = client.recv()!;
  assert.equal(dec.decode(back.data as Uint8Array), "answer");
  assert.deepEqual([formatIp4(back.from), back.fromPort, back.ttl], ["10.0.0.80", 5353, 62]);
});

scenario("gateway: two clients on one port are told apart by address", (net) => {
  const { c1, c2, server } = build(net);
  const s1 = c1.root.udp.socket();
  const s2 = c2.root.udp.socket();
  assert.equal(s1.bind(0, 40000), undefined);
  assert.equal(s2.bind(0, 40000), undefined);
  s1.sendTo(enc.encode("from c1"), ip("10.0.0.80"), 5353);
  s2.sendTo(enc.encode("from c2"), ip("10.0.0.80"), 5353);
  net.runFor(10e6);
  const got = [server.recv()!, server.recv()!];
  assert.equal(server.recv(), undefined);
  const seen = got.map((d) =>
    `${formatIp4(d.from)}:${d.fromPort} ${dec.decode(d.data as Uint8Array)}`
  )
    .sort();
  assert.deepEqual(seen, ["192.168.1.11:40000 from c1", "192.168.1.12:40000 from c2"]);
  // Answer each by its own source: each client gets its own answer only.
  for (const d of got) server.sendTo(enc.encode(`hi ${formatIp4(d.from)}`), d.from, d.fromPort);
  net.runFor(10e6);
  assert.equal(dec.decode(s1.recv()!.data as Uint8Array), "hi 192.168.1.11");
  assert.equal(dec.decode(s2.recv()!.data as Uint8Array), "hi 192.168.1.12");
  assert.equal(s1.recv(), undefined);
  assert.equal(s2.recv(), undefined);
});

scenario("gateway: a datagram to a closed port comes back as port unreachable", (net) => {
  const { c1 } = build(net);
  const client = c1.root.udp.socket();
  client.sendTo(enc.encode("anyone?"), ip("10.0.0.80"), 9999);
  net.runFor(10e6);
  assert.equal(client.errors.length, 1);
  const e = client.errors[0]!;
  assert.deepEqual([formatIp4(e.from), e.type, e.code], ["10.0.0.80", 3, 3]);
  assert.deepEqual([e.quoted.srcPort, e.quoted.dstPort], [client.localPort, 9999]);
  assert.equal(net.trace.filter({ kind: "drop", node: "srv", reason: "no socket" }).length, 1);
});
