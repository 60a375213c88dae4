/**
 * The notes' topology, two switches and three LANs: machines 1 and 2 share LAN
 * one (a hub) with switch A; machine 3 is on switch A; switch A is cabled to
 * switch B, which has machines 4 and 5. Machine 1 wants machine 4: its ARP
 * broadcast reaches machine 2 and switch A; switch A floods it to machine 3
 * and switch B; switch B floods it to machines 4 and 5. Machine 4 answers by
 * unicast, and from then on both switches know where machines 1 and 4 are, so
 * nothing between them is flooded any more.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { TraceEvent } from "../../core/sim/trace.ts";
import { formatMac } from "../../core/wire/addr.ts";
import { ms, us } from "../../core/sim/simulator.ts";
import { perPort } from "./frames.ts";

function build(net: Network) {
  const [m1, m2, m3, m4, m5] = net.nodes("m1", "m2", "m3", "m4", "m5");
  const lan1 = net.hub("lan1");
  const swA = net.switch("switchA");
  const swB = net.switch("switchB");
  net.connect(lan1, swA); // switchA port1: LAN one
  net.connect(m1, lan1);
  net.connect(m2, lan1);
  net.connect(m3, swA); // switchA port2
  net.connect(swA, swB); // switchA port3, switchB port1
  net.connect(m4, swB); // switchB port2
  net.connect(m5, swB); // switchB port3
  [m1, m2, m3, m4, m5].forEach((m, k) => m.sh(`ip addr add 192.168.1.${k + 1}/24 dev eth0`));
  return { m1, m2, m3, m4, m5, swA, swB };
}

/** One cable crossed by an ARP frame: 50 µs of propagation + 42 bytes at 1 Gbit/s. */
const HOP = 50 * us + 42 * 8;

/** After how many cables each place first received a matching frame. */
function arrivals(net: Network, where: (e: TraceEvent) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of net.trace.filter({ kind: "rx", where })) {
    out[`${e.node}:${e.iface}`] ??= e.time / HOP;
  }
  return out;
}

const isRequest = (e: TraceEvent) => e.packet.arp?.op === 1;
const isReply = (e: TraceEvent) => e.packet.arp?.op === 2;

scenario("two switches: machine 1's broadcast reaches everyone, hop by hop", (net) => {
  const { m1 } = build(net);
  assert.equal(m1.sh("ping -c 1 192.168.1.4").status, 0);
  net.runFor(1 * ms);
  // Machine 2 and switch A after two cables, machine 3 and switch B after three,
  // machines 4 and 5 after four.
  assert.deepEqual(arrivals(net, isRequest), {
    "lan1:port2": 1,
    "m2:eth0": 2,
    "switchA:port1": 2,
    "m3:eth0": 3,
    "switchB:port1": 3,
    "m4:eth0": 4,
    "m5:eth0": 4,
  });
  // Each got it exactly once; machine 1 never got its own broadcast back.
  assert.deepEqual(
    perPort(net, { kind: "rx", where: (e) => isRequest(e) && e.node.startsWith("m") }),
    {
      "m2:eth0": 1,
      "m3:eth0": 1,
      "m4:eth0": 1,
      "m5:eth0": 1,
    },
  );
  // Only machine 4 answered.
  assert.deepEqual(net.trace.filter({ kind: "tx", where: isReply }).map((e) => e.node), [
    "m4",
    "switchB",
    "switchA",
    "lan1",
    "lan1",
  ]);
});

scenario("two switches: machine 4's answer is unicast — machines 3 and 5 never see it", (net) => {
  const { m1, m4 } = build(net);
  m1.sh("ping -c 1 192.168.1.4");
  net.runFor(1 * ms);
  const reply = net.trace.first({ kind: "tx", node: "m4", arp: true })!;
  assert.equal(formatMac(reply.packet.eth.dst), m1.mac("eth0"));
  assert.equal(formatMac(reply.packet.arp!.senderMac), m4.mac("eth0"));
  // Sent the moment the request arrived (after four cables), back over four more.
  assert.deepEqual(arrivals(net, isReply), {
    "switchB:port2": 5,
    "switchA:port3": 6,
    "lan1:port1": 7,
    "m1:eth0": 8,
    "m2:eth0": 8, // LAN one is a hub: machine 2 hears it, and drops it
  });
  assert.equal(
    net.trace.filter({ kind: "drop", node: "m2", reason: "not for this host", where: isReply })
      .length,
    1,
  );
});

scenario("two switches: afterwards both tables hold machines 1 and 4 on the right ports", (net) => {
  const { m1, m4, swA, swB } = build(net);
  m1.sh("ping -c 1 192.168.1.4");
  const table = (sw: typeof swA) => sw.fdb().map((e) => [formatMac(e.mac), e.port.name]);
  assert.deepEqual(table(swA), [[m1.mac("eth0"), "port1"], [m4.mac("eth0"), "port3"]]);
  assert.deepEqual(table(swB), [[m1.mac("eth0"), "port1"], [m4.mac("eth0"), "port2"]]);
});

scenario("two switches: later traffic between machines 1 and 4 is no longer flooded", (net) => {
  const { m1, swA, swB } = build(net);
  const out = m1.sh("ping -c 3 192.168.1.4");
  assert.match(out.stdout, /3 packets transmitted, 3 received, 0% packet loss/);
  net.runFor(1 * ms);
  // Only the one broadcast was flooded by either switch.
  assert.deepEqual([swA.stats.flooded, swB.stats.flooded], [1, 1]);
  // Machines 3 and 5 received that broadcast and nothing else.
  assert.deepEqual(perPort(net, { kind: "rx", node: "m3" }), { "m3:eth0": 1 });
  assert.deepEqual(perPort(net, { kind: "rx", node: "m5" }), { "m5:eth0": 1 });
  // Machine 2 shares a hub with machine 1, so it hears all their frames and drops them.
  assert.equal(
    net.trace.filter({ kind: "drop", node: "m2", reason: "not for this host", proto: 1 }).length,
    6,
  );
});

scenario(
  "two switches: once switch A knows machine 2, LAN one's own traffic stays there",
  (net) => {
    const { m1, swA } = build(net);
    m1.sh("ping -c 2 192.168.1.2");
    net.runFor(1 * ms);
    // The ARP broadcast went everywhere; machine 2's answer and the ICMP frames came
    // to switch A from LAN one, for LAN one: filtered, five times.
    assert.equal(swA.stats.filtered, 5);
    assert.equal(swA.stats.forwarded, 0);
    for (const m of ["m3", "m4", "m5"]) {
      assert.deepEqual(perPort(net, { kind: "rx", node: m }), { [`${m}:eth0`]: 1 });
    }
  },
);

scenario("two switches: LAN three's own traffic stays on switch B", (net) => {
  const { m5, swA, swB } = build(net);
  m5.sh("ping -c 2 192.168.1.4");
  net.runFor(1 * ms);
  // Switch A saw only the broadcast, which it flooded to LAN one and machine 3.
  assert.deepEqual(perPort(net, { kind: "rx", node: "switchA" }), { "switchA:port3": 1 });
  assert.deepEqual([swA.stats.flooded, swA.stats.forwarded], [1, 0]);
  assert.deepEqual([swB.stats.flooded, swB.stats.forwarded], [1, 5]);
});
