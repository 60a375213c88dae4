/**
 * Routing by firewall mark, with the mark set from code: a socket's SO_MARK
 * travels with its packets (skb->mark) and `ip rule add fwmark 1 table 100`
 * sends them to table 100's uplink; `fwmark VALUE/MASK` compares only the
 * masked bits; `ip route get … mark N` answers the same question. (Marks set
 * by `iptables -j MARK` are in fwmark_mangle_test.ts.)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ip } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [r, g1, g2] = net.nodes("r", "g1", "g2");
  net.connect(r, g1); // eth0
  net.connect(r, g2); // eth1
  r.sh([
    "ip addr add 172.16.1.1/24 dev eth0",
    "ip addr add 172.16.2.1/24 dev eth1",
    "ip route add default via 172.16.1.2",
    "ip route add default via 172.16.2.2 table 100",
  ].join("\n"));
  // Both gateways answer pings to 198.51.100.1 themselves (they own it), so a reply
  // tells which way the request went.
  g1.sh("ip addr add 172.16.1.2/24 dev eth0; ip addr add 198.51.100.1/32 dev lo");
  g1.sh("ip route add default via 172.16.1.1");
  g2.sh("ip addr add 172.16.2.2/24 dev eth0; ip addr add 198.51.100.1/32 dev lo");
  g2.sh("ip route add default via 172.16.2.1");
  return { r };
}

/** Send one echo request from r with SO_MARK `mark`; returns the interface it left by. */
function pingWithMark(net: Network, r: ReturnType<typeof build>["r"], mark: number | undefined) {
  const s = r.root.ping.open();
  const seen = net.trace.filter({ kind: "tx", node: "r", icmp: "echo-request" }).length;
  const err = s.send(ip("198.51.100.1"), 1, new Uint8Array(56), mark === undefined ? {} : { mark });
  assert.equal(err, undefined);
  net.run();
  s.close();
  const sent = net.trace.filter({ kind: "tx", node: "r", icmp: "echo-request" }).slice(seen);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.packet.mark, mark ?? 0);
  return sent[0]!.iface;
}

scenario("fwmark: marked packets take table 100's uplink, unmarked ones main's", (net) => {
  const { r } = build(net);
  assert.equal(r.sh("ip rule add fwmark 1 table 100").status, 0);
  assert.match(r.sh("ip rule").stdout, /^32765:\tfrom all fwmark 0x1 lookup 100\n/m);
  assert.equal(pingWithMark(net, r, undefined), "eth0");
  assert.equal(pingWithMark(net, r, 1), "eth1");
  assert.equal(pingWithMark(net, r, 2), "eth0");
  // The replies came back from the gateway each request went to.
  const replies = net.trace.filter({ kind: "rx", node: "r", icmp: "echo-reply" }).map((e) =>
    e.iface
  );
  assert.deepEqual(replies, ["eth0", "eth1", "eth0"]);
  assert.equal(
    r.sh("ip route get 198.51.100.1 mark 1").stdout,
    "198.51.100.1 via 172.16.2.2 dev eth1 table 100 src 172.16.2.1 mark 1 uid 0 \n    cache \n",
  );
  assert.equal(
    r.sh("ip route get 198.51.100.1").stdout,
    "198.51.100.1 via 172.16.1.2 dev eth0 src 172.16.1.1 uid 0 \n    cache \n",
  );
});

scenario("fwmark: a mask compares only its bits", (net) => {
  const { r } = build(net);
  r.sh("ip rule add fwmark 0x10/0xf0 table 100");
  assert.match(r.sh("ip rule").stdout, /\tfrom all fwmark 0x10\/0xf0 lookup 100\n/);
  assert.equal(pingWithMark(net, r, 0x1f), "eth1"); // 0x1f & 0xf0 = 0x10
  assert.equal(pingWithMark(net, r, 0x110), "eth1");
  assert.equal(pingWithMark(net, r, 0x20), "eth0");
  assert.match(
    r.sh("ip route get 198.51.100.1 mark 0x1f").stdout,
    /table 100 src 172\.16\.2\.1 mark 0x1f /,
  );
  // fwmark 0/0xff: only packets whose low byte is clear — the unmarked ones.
  r.sh("ip rule del fwmark 0x10/0xf0");
  r.sh("ip rule add fwmark 0/0xff table 100");
  assert.equal(pingWithMark(net, r, undefined), "eth1");
  assert.equal(pingWithMark(net, r, 0x1), "eth0");
});

scenario("fwmark: a mark with no table behind it falls through to main", (net) => {
  const { r } = build(net);
  r.sh("ip rule add fwmark 7 table 300"); // table 300 is empty
  assert.equal(pingWithMark(net, r, 7), "eth0");
  const bad = r.sh("ip route get 198.51.100.1 mark 0x1g");
  assert.equal(bad.status, 255);
  assert.equal(bad.stderr, 'Error: argument "0x1g" is wrong: invalid mark value\n');
});
