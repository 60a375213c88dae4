/**
 * Per-port counters: every switch port counts the frames and bytes it receives
 * and transmits, as `ip -s link` does on a host. One ping between a and b on a
 * three-port switch is two ARP frames (42 bytes each) and two ICMP frames (98
 * bytes each); the counters at both ends of each cable agree, and the port of
 * the bystander counts only the flooded broadcast.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { Interface } from "../../core/net/interface.ts";
import { ms } from "../../core/sim/simulator.ts";

function build(net: Network) {
  const [a, b, c] = net.nodes("a", "b", "c");
  const sw = net.switch("sw");
  for (const n of [a, b, c]) net.connect(n, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  return { a, b, c, sw };
}

function counts(i: Interface): [number, number, number, number] {
  const k = i.counters;
  return [k.rxPackets, k.rxBytes, k.txPackets, k.txBytes];
}

/** RX and TX [bytes, packets, dropped] from `ip -s link show` text. */
function ipStats(text: string): { rx: number[]; tx: number[] } {
  const lines = text.split("\n");
  const row = (label: string) => {
    const i = lines.findIndex((l) => l.trim().startsWith(label));
    const v = lines[i + 1]!.trim().split(/\s+/).map(Number);
    return [v[0]!, v[1]!, v[3]!];
  };
  return { rx: row("RX:"), tx: row("TX:") };
}

scenario("counters: one ping, port by port — frames and bytes in and out", (net) => {
  const { a, sw } = build(net);
  a.sh("ping -c 1 10.0.0.2");
  net.runFor(1 * ms);
  // [rx packets, rx bytes, tx packets, tx bytes]
  assert.deepEqual(sw.ports.map(counts), [
    [2, 42 + 98, 2, 42 + 98], // port1 (a): its request and echo in; reply and echo reply out
    [2, 42 + 98, 2, 42 + 98], // port2 (b): the mirror image
    [0, 0, 1, 42], // port3 (c): only the flooded ARP request
  ]);
  // Out = forwarded + one copy per extra flood port: 3 + 2.
  const out = sw.ports.reduce((n, p) => n + p.counters.txPackets, 0);
  assert.equal(out, sw.stats.forwarded + 2 * sw.stats.flooded);
  assert.equal(sw.stats.forwarded, 3);
});

scenario("counters: both ends of every cable agree, and ip -s link shows them", (net) => {
  const { a, b, c, sw } = build(net);
  a.sh("ping -c 4 10.0.0.2");
  net.runFor(1 * ms);
  for (const [host, port] of [[a, "port1"], [b, "port2"], [c, "port3"]] as const) {
    const p = sw.port(port)!.counters;
    const h = host.iface("eth0").counters;
    assert.deepEqual([h.txPackets, h.txBytes], [p.rxPackets, p.rxBytes], `${host.name} → ${port}`);
    assert.deepEqual([h.rxPackets, h.rxBytes], [p.txPackets, p.txBytes], `${port} → ${host.name}`);
  }
  // a: one ARP request and four echo requests out; one ARP reply and four echo replies in.
  assert.deepEqual(ipStats(a.sh("ip -s link show eth0").stdout), {
    rx: [42 + 4 * 98, 5, 0],
    tx: [42 + 4 * 98, 5, 0],
  });
  // c never sent anything and received only the broadcast.
  assert.deepEqual(ipStats(c.sh("ip -s link show eth0").stdout), { rx: [42, 1, 0], tx: [0, 0, 0] });
});

scenario("counters: a hub port counts the repeats a switch port is spared", (net) => {
  const [a, b, c] = net.nodes("a", "b", "c");
  const hub = net.hub("hub");
  for (const n of [a, b, c]) net.connect(n, hub);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  a.sh("ping -c 4 10.0.0.2");
  net.runFor(1 * ms);
  // The same exchange as on the switch; the bystander's port now carries all ten frames.
  assert.deepEqual(counts(hub.port("port3")!), [0, 0, 10, 2 * 42 + 8 * 98]);
  assert.equal(net.trace.filter({ kind: "rx", node: "c" }).length, 10);
});
