/**
 * IPv4 fragmentation at a router (RFC 791): a datagram without DF that does not
 * fit the next link is cut into fragments that each fit its MTU — data in
 * multiples of 8 bytes, offsets counted in bytes of the original payload, MF on
 * all but the last, the original's identification on all — and the
 * destination reassembles them and delivers the datagram whole. Fragments of
 * fragments keep MF from the original. Replies can be fragmented on their way
 * back by another router.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ip, line } from "./topology_testing.ts";

function build(net: Parameters<typeof line>[0]) {
  return line(net, { middle: { mtu: 1400 } });
}

/** The fragments a node sent, as [offset, MF, IP length]. */
function fragsFrom(net: Parameters<typeof line>[0], node: string, proto = 17) {
  return net.trace.filter({ kind: "tx", node, proto, where: (e) => e.packet.raw !== undefined })
    .map((e) => [e.packet.ip!.fragOffset, e.packet.ip!.mf, 20 + e.packet.raw!.length]);
}

scenario("fragmentation: r1 cuts a 1500-byte datagram into 1396 + 124 for its 1400 link", (net) => {
  const { a, r1, b } = build(net);
  const server = b.root.udp.socket();
  server.bind(0, 7000);
  const data = new Uint8Array(1472).map((_, k) => (k * 7) & 0xff);
  const sock = a.root.udp.socket();
  assert.equal(sock.sendTo(data, ip("10.0.2.2"), 7000, { df: false }), undefined);
  net.runFor(10e6);
  // a sent it whole (1500 fits its link) …
  const whole = net.trace.filter({ kind: "tx", node: "a", proto: 17 });
  assert.equal(whole.length, 1);
  const id = whole[0]!.packet.ip!.id;
  // … r1 fragmented it: 1376 bytes of payload (a multiple of 8) then the other 104.
  const cut = net.trace.filter({ kind: "tx", node: "r1", proto: 17 });
  assert.deepEqual(
    cut.map((
      e,
    ) => [
      e.packet.ip!.fragOffset,
      e.packet.ip!.mf,
      e.packet.ip!.df,
      e.packet.ip!.id,
      e.packet.ip!.ttl,
      20 + e.packet.raw!.length,
    ]),
    [[0, true, false, id, 63, 1396], [1376, false, false, id, 63, 124]],
  );
  assert.equal(
    net.trace.first({ kind: "consume", node: "r1", proto: 17 })!.detail,
    "fragmented into 2",
  );
  assert.equal(r1.root.ip.stats.fragCreates, 2);
  // r2 forwarded the fragments as they were; b put them back together.
  assert.deepEqual(fragsFrom(net, "r2"), [[0, true, 1396], [1376, false, 124]]);
  assert.equal(b.root.ip.stats.reasmOks, 1);
  assert.equal(server.inbox.length, 1);
  assert.deepEqual(server.inbox[0]!.data, data);
  assert.equal(server.inbox[0]!.from, ip("10.0.1.2"));
  assert.deepEqual(
    net.trace.filter({ kind: "consume", node: "b", proto: 17 }).map((e) => e.detail),
    ["reassembled", "reassembled"],
  );
});

scenario("fragmentation: fragments of fragments keep MF and their offsets", (net) => {
  const { a, b } = build(net);
  const server = b.root.udp.socket();
  server.bind(0, 7000);
  const data = new Uint8Array(3000).map((_, k) => k & 0xff);
  a.root.udp.socket().sendTo(data, ip("10.0.2.2"), 7000, { df: false });
  net.runFor(10e6);
  // 3008 UDP bytes: a cuts at 1500 (1480 + 1480 + 48) …
  assert.deepEqual(fragsFrom(net, "a"), [[0, true, 1500], [1480, true, 1500], [2960, false, 68]]);
  // … and r1 cuts each 1500-byte fragment again for 1400; MF stays set inside the datagram.
  const r1 = fragsFrom(net, "r1");
  assert.deepEqual(r1, [
    [0, true, 1396],
    [1376, true, 124],
    [1480, true, 1396],
    [2856, true, 124],
    [2960, false, 68],
  ]);
  for (const [off, , len] of r1) {
    assert.ok((len as number) <= 1400);
    assert.equal((off as number) % 8, 0);
  }
  assert.equal(server.inbox.length, 1);
  assert.deepEqual(server.inbox[0]!.data, data);
});

scenario(
  "fragmentation: ping -M dont -s 1472 is fragmented by r1 going, by r2 coming back",
  (net) => {
    const { a } = build(net);
    const out = a.sh("ping -c 1 -M dont -s 1472 10.0.2.2");
    assert.equal(out.status, 0);
    assert.match(out.stdout, /^1480 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=62 /m);
    const req = net.trace.first({ kind: "tx", node: "a", icmp: "echo-request" })!;
    assert.equal(req.packet.ip!.df, false);
    assert.deepEqual(fragsFrom(net, "r1", 1).slice(0, 2), [[0, true, 1396], [1376, false, 124]]);
    // b's 1500-byte reply (echo replies never carry DF) is cut by r2 on the way back.
    const reply = net.trace.first({ kind: "tx", node: "b", icmp: "echo-reply" })!;
    assert.equal(reply.packet.ip!.df, false);
    const back = net.trace.filter({ kind: "tx", node: "r2", src: "10.0.2.2" });
    assert.deepEqual(
      back.map((e) => [e.packet.ip!.fragOffset, e.packet.ip!.mf, 20 + e.packet.raw!.length]),
      [
        [0, true, 1396],
        [1376, false, 124],
      ],
    );
    assert.equal(a.root.ip.stats.reasmOks, 1);
    assert.equal(net.trace.filter({ icmp: 3 }).length, 0, "no frag-needed without DF");
  },
);
