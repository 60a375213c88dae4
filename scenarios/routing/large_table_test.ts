/**
 * A router holding 100,000 prefixes generated with the global BGP table's
 * length distribution forwards every packet out of the interface that the
 * longest matching prefix names, checked packet by packet against the naive
 * reference lookup; `ip route get` agrees; withdrawing prefixes one at a time
 * moves traffic to the covering route, as a routing protocol's updates would.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { bgpTable100k } from "../../core/ip/fib/bgp_table.ts";
import { NaivePrefixMap } from "../../core/ip/fib/naive.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { Table } from "../../core/ip/route.ts";
import { Rng } from "../../core/sim/rng.ts";

const NEIGHBOURS = 4;
const table = bgpTable100k();

function build(net: Network) {
  const h = net.node("host");
  const r = net.node("edge");
  net.connect(h, r);
  h.sh("ip addr add 192.0.2.2/24 dev eth0; ip route add default via 192.0.2.1");
  r.sh("ip addr add 192.0.2.1/24 dev eth0; sysctl -w net.ipv4.ip_forward=1");
  const peers = [];
  for (let k = 0; k < NEIGHBOURS; k++) {
    const n = net.node(`peer${k}`);
    net.connect(r, n);
    r.sh(`ip addr add 198.51.100.${4 * k + 1}/30 dev eth${k + 1}`);
    n.sh(`ip addr add 198.51.100.${4 * k + 2}/30 dev eth0`); // forwarding off: transit is dropped
    peers.push(n);
  }
  // Install the table as a routing daemon would: one prefix at a time.
  const main = r.root.ip.table(Table.main);
  const ref = new NaivePrefixMap();
  for (let i = 0; i < table.prefixes.length; i++) {
    const k = table.nextHops[i]! % NEIGHBOURS;
    main.add({
      table: Table.main,
      type: "unicast",
      dst: table.prefixes[i]!,
      len: table.lengths[i]!,
      metric: 0,
      proto: "bgp",
      scope: "global",
      prefsrc: 0,
      nexthops: [{
        gateway: ip(`198.51.100.${4 * k + 2}`),
        dev: r.iface(`eth${k + 1}`),
        weight: 1,
        onlink: false,
      }],
      mtu: 0,
    });
    ref.insert(table.prefixes[i]!, table.lengths[i]!, k);
  }
  return { h, r, peers, ref };
}

/** An address inside generated prefix i (random host bits). */
function addressIn(i: number, rng: Rng): number {
  const len = table.lengths[i]!;
  const host = len === 32 ? 0 : rng.nextU32() & ((2 ** (32 - len) - 1) >>> 0);
  return (table.prefixes[i]! | host) >>> 0;
}

scenario(
  "routing: 100k BGP-shaped prefixes, every packet leaves where the reference lookup says",
  (net) => {
    const { h, r, ref } = build(net);
    const rng = new Rng(99);
    const sock = h.root.udp.socket();
    const sent: number[] = [];
    for (let n = 0; n < 1500; n++) {
      const dst = addressIn(rng.int(0, table.prefixes.length - 1), rng);
      sent.push(dst);
      sock.sendTo(new Uint8Array(8), dst, 9);
      // Batches of 100: the host's transmit queue holds 1000 (txqueuelen).
      if (n % 100 === 99) net.run();
    }
    net.run();
    // Where did each datagram leave the router?
    const outOf = new Map<number, string>();
    for (const e of net.trace.filter({ kind: "tx", node: "edge", proto: 17 })) {
      outOf.set(e.packet.ip!.dst, e.iface);
    }
    let checked = 0;
    for (const dst of sent) {
      const want = `eth${ref.lookup(dst) + 1}`;
      assert.equal(outOf.get(dst), want, `packet to ${formatIp4(dst)}`);
      checked++;
    }
    assert.equal(checked, 1500);
    // Every neighbour got some of the traffic.
    assert.equal(new Set(outOf.values()).size, NEIGHBOURS);
    assert.equal(r.root.ip.table(Table.main).size, table.prefixes.length + 1 + NEIGHBOURS);
  },
);

scenario("routing: ip route get on the big table answers as the reference does", (net) => {
  const { r, ref } = build(net);
  const rng = new Rng(7);
  for (let n = 0; n < 50; n++) {
    const dst = addressIn(rng.int(0, table.prefixes.length - 1), rng);
    const k = ref.lookup(dst);
    const out = r.sh(`ip route get ${formatIp4(dst)}`).stdout;
    assert.match(
      out,
      new RegExp(
        `^${formatIp4(dst).replaceAll(".", "\\.")} via 198\\.51\\.100\\.${4 * k + 2} dev eth${
          k + 1
        } `,
      ),
    );
  }
}, { once: true });

scenario(
  "routing: withdrawing a more-specific prefix moves its traffic to the covering route",
  (net) => {
    const { h, r, ref } = build(net);
    // Find a generated prefix that has a shorter covering prefix with another next hop.
    const main = r.root.ip.table(Table.main);
    let victim = -1;
    let coverHop = -1;
    for (let i = table.prefixes.length - 1; i >= 0 && victim < 0; i--) {
      const len = table.lengths[i]!;
      if (len < 20) continue;
      const probe = addressIn(i, new Rng(i));
      const own = table.nextHops[i]! % NEIGHBOURS;
      const removed = new NaivePrefixMap();
      for (const [p, l, v] of ref.entries()) {
        if (!(p === table.prefixes[i] && l === len)) {
          removed.insert(p, l, v);
        }
      }
      const after = removed.lookup(probe);
      if (after >= 0 && after !== own) {
        victim = i;
        coverHop = after;
      }
    }
    assert.ok(victim >= 0, "the generated table has nested prefixes with different next hops");
    const dst = addressIn(victim, new Rng(victim));
    const before = r.sh(`ip route get ${formatIp4(dst)}`).stdout;
    assert.match(before, new RegExp(`dev eth${(table.nextHops[victim]! % NEIGHBOURS) + 1} `));
    const route = main.exact(table.prefixes[victim]!, table.lengths[victim]!)[0]!;
    assert.ok(main.remove(route));
    const after = r.sh(`ip route get ${formatIp4(dst)}`).stdout;
    assert.match(after, new RegExp(`dev eth${coverHop + 1} `));
    // And a packet really goes that way now.
    h.root.udp.socket().sendTo(new Uint8Array(4), dst, 9);
    net.run();
    const tx = net.trace.filter({ kind: "tx", node: "edge", proto: 17, dst: formatIp4(dst) });
    assert.deepEqual(tx.map((e) => e.iface), [`eth${coverHop + 1}`]);
  },
  { once: true },
);
