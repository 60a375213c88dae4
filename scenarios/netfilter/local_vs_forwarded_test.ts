/**
 * Which chain a packet meets depends on whom it is for: INPUT only sees
 * packets for the firewall itself, FORWARD only packets passing through,
 * OUTPUT only packets the firewall makes. A DROP in one leaves the others'
 * traffic alone, and the counters show which chain saw what. A drop in OUTPUT
 * fails the sender's own call with EPERM: ping (iputils 20221126) says
 * nothing and counts the request as lost, traceroute stops with
 * "send: Operation not permitted".
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { counters, firewallLab } from "./netfilter_testing.ts";

const LOST_2 = (dst: string) =>
  `PING ${dst} (${dst}) 56(84) bytes of data.\n\n--- ${dst} ping statistics ---\n` +
  "2 packets transmitted, 0 received, 100% packet loss, time 1000ms\n\n";

scenario("local vs forwarded: a DROP in INPUT stops pings to the firewall only", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A INPUT -p icmp -j DROP");
  // iptables-nft creates a base chain on its first write: FORWARD counts once -P made it.
  fw.sh("iptables -P FORWARD ACCEPT");
  assert.equal(client.sh("ping -c 2 10.2.0.2").status, 0, "through the firewall: answered");
  const toFw = client.sh("ping -c 2 -W 1 10.1.0.1");
  assert.deepEqual([toFw.status, toFw.stdout], [1, LOST_2("10.1.0.1")]);
  // Two requests counted by the rule; the four forwarded packets never met INPUT.
  assert.deepEqual(counters(fw, "INPUT"), [[2, 168, "DROP 1 -- * * 0.0.0.0/0 0.0.0.0/0"]]);
  assert.match(
    fw.sh("iptables -L -n -v -x").stdout,
    /^Chain FORWARD \(policy ACCEPT 4 packets, 336 bytes\)$/m,
  );
  const drops = net.trace.filter({ kind: "drop", node: "fw", reason: DropReason.netfilter });
  assert.deepEqual(drops.map((d) => [d.iface, d.detail]), [
    ["eth0", "filter INPUT rule 1 (DROP)"],
    ["eth0", "filter INPUT rule 1 (DROP)"],
  ]);
});

scenario(
  "local vs forwarded: a DROP in FORWARD stops pings through, not to, the firewall",
  (net) => {
    const { client, fw } = firewallLab(net);
    fw.sh("iptables -A FORWARD -p icmp -j DROP");
    fw.sh("iptables -P INPUT ACCEPT");
    assert.equal(client.sh("ping -c 2 10.1.0.1").status, 0);
    // The firewall's address on the far side is still its own: INPUT, not FORWARD.
    assert.equal(client.sh("ping -c 2 10.2.0.1").status, 0);
    const through = client.sh("ping -c 2 -W 1 10.2.0.2");
    assert.deepEqual([through.status, through.stdout], [1, LOST_2("10.2.0.2")]);
    assert.deepEqual(counters(fw, "FORWARD"), [[2, 168, "DROP 1 -- * * 0.0.0.0/0 0.0.0.0/0"]]);
    assert.match(
      fw.sh("iptables -L INPUT -n -v -x").stdout,
      /^Chain INPUT \(policy ACCEPT 4 packets, 336 bytes\)$/m,
    );
    assert.equal(
      net.trace.filter({ kind: "rx", node: "server", proto: 1 }).length,
      0,
      "nothing reached the server",
    );
    const d = net.trace.first({ kind: "drop", node: "fw" })!;
    assert.deepEqual([d.iface, d.reason, d.detail], [
      "eth0",
      "netfilter drop",
      "filter FORWARD rule 1 (DROP)",
    ]);
  },
);

scenario(
  "local vs forwarded: a DROP in OUTPUT fails the firewall's own sends with EPERM",
  (net) => {
    const { client, fw } = firewallLab(net);
    fw.sh("iptables -A OUTPUT -p icmp -j DROP");
    // ping says nothing per request (iputils 20221126 finds its error queue empty).
    const own = fw.sh("ping -c 2 -W 1 10.2.0.2");
    assert.deepEqual([own.status, own.out], [1, LOST_2("10.2.0.2")]);
    assert.equal(net.trace.filter({ kind: "tx", node: "fw", proto: 1 }).length, 0);
    const drops = net.trace.filter({ kind: "drop", node: "fw" });
    assert.deepEqual(drops.map((d) => [d.iface, d.detail]), [
      ["lo", "filter OUTPUT rule 1 (DROP)"],
      ["lo", "filter OUTPUT rule 1 (DROP)"],
    ]);
    // The client's request reaches the firewall, its reply dies in OUTPUT ...
    assert.equal(client.sh("ping -c 1 -W 1 10.1.0.1").status, 1);
    assert.equal(net.trace.filter({ kind: "rx", node: "fw", icmp: "echo-request" }).length, 1);
    // ... and forwarded traffic never meets OUTPUT.
    assert.equal(client.sh("ping -c 1 10.2.0.2").status, 0);
    assert.deepEqual(counters(fw, "OUTPUT"), [[3, 252, "DROP 1 -- * * 0.0.0.0/0 0.0.0.0/0"]]);
    // traceroute gives up at its first probe: perror("send"), status 1.
    fw.sh("iptables -A OUTPUT -p udp -j DROP");
    const tr = fw.sh("traceroute -n 10.2.0.2");
    assert.deepEqual([tr.status, tr.stdout, tr.stderr], [
      1,
      "traceroute to 10.2.0.2 (10.2.0.2), 30 hops max, 60 byte packets\n",
      "send: Operation not permitted\n",
    ]);
  },
);
