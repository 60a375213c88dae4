/**
 * A switch driven by an OpenFlow-style flow table classifies traffic as its
 * rules say: ARP is flooded, IP to a host goes out of that host's port only,
 * TCP to port 80 is dropped by a higher-priority rule, and everything else hits
 * the default drop. Per-rule counters show what matched; the datapath caches
 * send only the first packet of a flow to the full classifier; bad rules are
 * refused with a message.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ip } from "../../core/wire/addr.ts";
import { FlowError } from "../../core/sdn/flow_switch.ts";
import { FlowParseError } from "../../core/sdn/classifier/syntax.ts";

function build(net: Network) {
  const sw = net.flowSwitch("of1");
  const hosts = [1, 2, 3, 4].map((i) => {
    const h = net.node(`h${i}`);
    net.connect(h, sw); // h_i is on port i
    h.sh(`ip addr add 10.0.0.${i}/24 dev eth0`);
    return h;
  });
  sw.addFlow("priority=0,actions=drop");
  sw.addFlow("priority=100,arp,actions=flood");
  for (let i = 1; i <= 4; i++) sw.addFlow(`priority=50,ip,nw_dst=10.0.0.${i},actions=output:${i}`);
  sw.addFlow("priority=200,tcp,tp_dst=80,actions=drop");
  return { sw, hosts };
}

scenario(
  "sdn: ARP floods, IP goes out of exactly one port, higher priority drops TCP 80",
  (net) => {
    const { sw, hosts } = build(net);
    const [h1, h2, h3, h4] = hosts;
    assert.equal(h1!.sh("ping -c 2 10.0.0.2").status, 0);
    // The echo requests reached h2 only; h3 and h4 saw the flooded ARP but no IP.
    const rxIp = (n: string) => net.trace.filter({ kind: "rx", node: n, proto: 1 }).length;
    assert.equal(rxIp("h2"), 2);
    assert.equal(rxIp("h3"), 0);
    assert.equal(rxIp("h4"), 0);
    // h1's ARP request for 10.0.0.2 was flooded to everyone else.
    const whoHas2 = (n: string) =>
      net.trace.filter({
        kind: "rx",
        node: n,
        arp: true,
        where: (e) => e.packet.arp!.targetIp === ip("10.0.0.2") && e.packet.arp!.op === 1,
      }).length;
    assert.deepEqual(["h2", "h3", "h4"].map(whoHas2), [1, 1, 1]);
    // TCP to port 80 is dropped at the switch by the priority-200 rule; to 22 it passes.
    const web = h3!.root.tcp.socket();
    h3!.root.tcp.connect(web, ip("10.0.0.4"), 80);
    const ssh = h3!.root.tcp.socket();
    h3!.root.tcp.connect(ssh, ip("10.0.0.4"), 22);
    net.runFor(2e9);
    const synTo = (port: number) =>
      net.trace.filter({
        kind: "rx",
        node: "h4",
        proto: 6,
        where: (e) => e.packet.tcp!.dstPort === port,
      }).length;
    assert.equal(synTo(80), 0);
    assert.ok(synTo(22) >= 1, "the SYN to port 22 reached h4 (which answers with a RST)");
    const drops = net.trace.filter({ kind: "drop", node: "of1", reason: "flow table drop" })
      .map((e) => e.detail);
    assert.ok(drops.some((d) => d.includes("priority 200")));
    web.abort();
    // Counters, as ovs-ofctl dump-flows shows them.
    const flows = sw.dumpFlows();
    const count = (needle: string) =>
      Number(/n_packets=(\d+)/.exec(flows.find((f) => f.includes(needle))!)![1]);
    assert.ok(count("priority=200") >= 2, "the SYN to port 80 and its retransmission");
    assert.ok(count("arp") >= 3);
    assert.equal(count("nw_dst=10.0.0.2"), 2);
    void h2;
    void h4;
  },
);

scenario(
  "sdn: only the first packet of a flow goes through the classifier; the rest hit the cache",
  (net) => {
    const { sw, hosts } = build(net);
    const [h1] = hosts;
    h1!.sh("ping -c 1 10.0.0.2");
    sw.table.resetStats();
    const rx = hosts[1]!.root.udp.socket();
    rx.bind(0, 5000);
    const tx = h1!.root.udp.socket();
    for (let i = 0; i < 50; i++) tx.sendTo(new Uint8Array(10), ip("10.0.0.2"), 5000);
    net.run();
    assert.equal(rx.inbox.length, 50);
    const st = sw.table.stats;
    // 50 datagrams, plus at most one ARP probe and its reply (h2 re-checking h1
    // after its entry went stale): only the first packet of each flow takes the slow path.
    assert.ok(st.lookups >= 50 && st.lookups <= 52, `lookups ${st.lookups}`);
    assert.ok(st.slowPath <= 3, `slow path ${st.slowPath}`);
    assert.equal(st.emcHits + st.megaflowHits + st.slowPath, st.lookups);
    assert.ok(st.emcHits + st.megaflowHits >= 49, `cache hits ${st.emcHits}+${st.megaflowHits}`);
    // A rule change invalidates the caches: the next packet is classified afresh and follows the new rule.
    sw.addFlow("priority=300,udp,tp_dst=5000,actions=drop");
    tx.sendTo(new Uint8Array(10), ip("10.0.0.2"), 5000);
    net.run();
    assert.equal(rx.inbox.length, 50, "the new drop rule applies at once");
  },
);

scenario("sdn: the normal action makes the flow switch a learning switch", (net) => {
  const sw = net.flowSwitch("of1");
  const hosts = [1, 2, 3].map((i) => {
    const h = net.node(`h${i}`);
    net.connect(h, sw);
    h.sh(`ip addr add 10.0.0.${i}/24 dev eth0`);
    return h;
  });
  sw.addFlow("priority=0,actions=normal");
  assert.equal(hosts[0]!.sh("ping -c 2 10.0.0.3").status, 0);
  // After learning, the second request is not flooded to h2.
  assert.equal(net.trace.filter({ kind: "rx", node: "h2", proto: 1 }).length, 0);
});

scenario("sdn: bad flows are refused with a message and leave the table unchanged", (net) => {
  const { sw } = build(net);
  const before = sw.dumpFlows().length;
  assert.throws(() => sw.addFlow("priority=10,tp_dst=80,actions=drop"), FlowParseError);
  assert.throws(() => sw.addFlow("priority=10,nw_dst=10.0.0.300,actions=drop"), FlowParseError);
  assert.throws(() => sw.addFlow("priority=10,ip"), FlowError);
  assert.throws(
    () => sw.addFlow("priority=10,ip,actions=output:9"),
    /output port 9 does not exist/,
  );
  assert.throws(() => sw.addFlow("priority=10,ip,actions=teleport"), /unknown action teleport/);
  assert.equal(sw.dumpFlows().length, before);
});
