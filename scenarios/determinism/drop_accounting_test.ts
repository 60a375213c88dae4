/**
 * Every packet is accounted for. A busy network — a hub LAN, a slow lossy
 * uplink with a short transmit queue, a neighbour router that does not
 * forward, a server with one closed port — is driven into every common kind
 * of loss. Each drop carries a reason from the closed DropReason set (the
 * per-reason counters add up to the total, and each expected reason shows up
 * where it should), and `net.conservation()` balances at every quiet moment:
 * born = delivered + consumed + dropped, nothing held. In the middle of a
 * burst it balances too, with the difference held by queues and wires.
 *
 *   h1, h2 ── hub ── 192.168.1.1 r 10.9.0.1 ══(1 Mbit/s, 5 % loss)══ 10.9.0.80 srv
 *                                r 10.8.0.1 ── 10.8.0.2 r2 (ip_forward=0)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { ip } from "../../core/wire/addr.ts";
import { EtherType, IpProto, newPacket } from "../../core/wire/packet.ts";

function build(net: Network) {
  const [h1, h2, r, srv, r2] = net.nodes("h1", "h2", "r", "srv", "r2");
  const hub = net.hub("hub");
  net.connect(h1, hub);
  net.connect(h2, hub);
  net.connect(r, hub);
  net.connect(r, srv, { rate: "1mbit", delay: "2ms", loss: 0.05 });
  net.connect(r, r2);
  h1.sh("ip addr add 192.168.1.11/24 dev eth0; ip route add default via 192.168.1.1");
  h2.sh("ip addr add 192.168.1.12/24 dev eth0; ip route add default via 192.168.1.1");
  r.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 10.9.0.1/24 dev eth1");
  r.sh("ip addr add 10.8.0.1/30 dev eth2; sysctl -w net.ipv4.ip_forward=1");
  r.sh("ip link set eth1 txqueuelen 4; ip route add 172.16.0.0/16 via 10.8.0.2");
  r2.sh("ip addr add 10.8.0.2/30 dev eth0; ip addr add 172.16.0.1/16 dev eth1");
  r2.sh("ip route add default via 10.8.0.1");
  srv.sh("ip addr add 10.9.0.80/24 dev eth0; ip route add default via 10.9.0.1");
  const server = srv.root.udp.socket();
  server.bind(0, 7);
  return { h1, h2, r, srv, server };
}

/** Conservation at a quiet moment: nothing in flight, nothing held, the books balance. */
function quiet(net: Network, when: string): void {
  const c = net.assertConserved();
  assert.equal(c.inFlight, 0, when);
  assert.equal(c.held, 0, when);
  assert.equal(c.born, c.delivered + c.consumed + c.dropped, when);
}

scenario("determinism: every drop has a reason, and conservation balances throughout", (net) => {
  const { h1, h2, r, srv, server } = build(net);
  quiet(net, "before anything");

  // A burst of 40 × 1400-byte datagrams into a 1 Mbit/s uplink with a 4-packet queue.
  const sock = h1.root.udp.socket();
  for (let i = 0; i < 40; i++) sock.sendTo(new Uint8Array(1400), ip("10.9.0.80"), 7);
  net.runFor(2e6);
  const mid = net.assertConserved();
  assert.ok(mid.held > 0, "mid-burst, queues and wires hold packets");
  assert.equal(mid.inFlight, mid.held);
  net.runFor(2e9);
  quiet(net, "after the burst");
  assert.ok(server.inbox.length >= 1 && server.inbox.length < 40);

  // Pings: a normal one, TTL too small, no route, a non-forwarding router, an absent host.
  assert.equal(h2.sh("ping -c 20 -i 0.2 -W 1 10.9.0.80").status, 0);
  h1.sh("ping -c 1 -t 1 10.9.0.80");
  h1.sh("ping -c 1 -W 1 203.0.113.1");
  h1.sh("ping -c 1 -W 1 172.16.5.5");
  h1.sh("ping -c 1 192.168.1.99");
  net.runFor(5e9);
  quiet(net, "after the pings");

  // A closed port, a forged loopback source, and the server's NIC going down.
  sock.sendTo(new Uint8Array(10), ip("10.9.0.80"), 9);
  const forged = newPacket({
    dst: r.iface("eth0").mac,
    src: h2.iface("eth0").mac,
    type: EtherType.IPv4,
    vlan: undefined,
  });
  forged.ip = {
    tos: 0,
    id: 1,
    df: false,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    proto: IpProto.ICMP,
    src: ip("127.0.0.1"),
    dst: ip("192.168.1.1"),
    options: undefined,
  };
  forged.icmp = { type: 8, code: 0, rest: 1, payload: new Uint8Array(8) };
  net.sim.trace.birth(forged);
  h2.iface("eth0").transmit(forged);
  net.runFor(1e9);
  srv.sh("ip link set eth0 down");
  h1.sh("ping -c 2 -W 1 10.9.0.80");
  net.runFor(5e9);
  quiet(net, "at the end");

  // The closed set: every reason is one of DropReason's, and the counters add up.
  const reasons = new Set<string>(Object.values(DropReason));
  const drops = net.trace.filter({ kind: "drop" });
  for (const e of drops) assert.ok(e.reason !== undefined && reasons.has(e.reason), e.reason);
  let sum = 0;
  for (const [reason, n] of net.trace.drops) {
    assert.ok(reasons.has(reason));
    assert.equal(drops.filter((e) => e.reason === reason).length, n, reason);
    sum += n;
  }
  assert.equal(sum, net.trace.dropped);
  assert.equal(drops.length, net.trace.dropped);

  // Each kind of trouble left its own reason, where it happened.
  const at = (reason: DropReason) =>
    new Set(drops.filter((e) => e.reason === reason).map((e) => `${e.node}:${e.iface}`));
  assert.deepEqual(at(DropReason.queueFull), new Set(["r:eth1"]));
  // Random loss only on the lossy uplink, at either end.
  const lossy = at(DropReason.randomLoss);
  assert.ok(lossy.size >= 1);
  for (const where of lossy) assert.ok(["r:eth1", "srv:eth0"].includes(where), where);
  assert.deepEqual(at(DropReason.ttlExceeded), new Set(["r:eth0"]));
  assert.deepEqual(at(DropReason.noRoute), new Set(["r:eth0"]));
  assert.deepEqual(at(DropReason.forwardingOff), new Set(["r2:eth0"]));
  assert.ok(at(DropReason.neighbourFailed).has("h1:eth0"));
  assert.deepEqual(at(DropReason.noSocket), new Set(["srv:eth0"]));
  assert.deepEqual(at(DropReason.martian), new Set(["r:eth0"]));
  assert.ok(at(DropReason.otherHost).has("h2:eth0"), "h2 hears h1's unicast through the hub");
  assert.ok(at(DropReason.linkDown).has("r:eth1"), "r cannot reach srv without carrier");
  assert.ok(net.trace.drops.size >= 10, `${net.trace.drops.size} distinct reasons`);
});
