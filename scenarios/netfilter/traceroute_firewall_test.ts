/**
 * traceroute through a stateful firewall. Its probes are UDP datagrams the
 * client starts (NEW, allowed out); the answers are ICMP errors — time
 * exceeded from each router, port unreachable from the destination — that
 * are RELATED to the probe they quote. With ESTABLISHED,RELATED allowed back
 * every hop answers; with ESTABLISHED alone every hop behind the firewall
 * goes silent ("*"), though the firewall itself still answers its own hop:
 * its time exceeded is generated locally and never meets FORWARD.
 *
 * From outside in, the firewall drops forwarded NEW probes, yet it still
 * shows up as a hop: the TTL runs out before the FORWARD hook (ip_forward),
 * and the time exceeded it sends back goes through OUTPUT.
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 r2 10.3.0.1 ── 10.3.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { counters } from "./netfilter_testing.ts";

function build(net: Network, allow: string) {
  const [client, fw, r2, server] = net.nodes("client", "fw", "r2", "server");
  net.connect(client, fw);
  net.connect(fw, r2);
  net.connect(r2, server);
  client.sh("ip addr add 10.1.0.2/24 dev eth0; ip route add default via 10.1.0.1");
  fw.sh("ip addr add 10.1.0.1/24 dev eth0; ip addr add 10.2.0.1/24 dev eth1");
  fw.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 10.3.0.0/24 via 10.2.0.2");
  r2.sh("ip addr add 10.2.0.2/24 dev eth0; ip addr add 10.3.0.1/24 dev eth1");
  r2.sh("sysctl -w net.ipv4.ip_forward=1; ip route add default via 10.2.0.1");
  server.sh("ip addr add 10.3.0.2/24 dev eth0; ip route add default via 10.3.0.1");
  fw.sh(`iptables -P FORWARD DROP
iptables -A FORWARD -m conntrack --ctstate ${allow} -j ACCEPT
iptables -A FORWARD -i eth0 -o eth1 -m conntrack --ctstate NEW -j ACCEPT`);
  return { client, fw, r2, server };
}

/** traceroute's hop lines with the times taken out. */
function hops(out: string): string[] {
  return out.split("\n").slice(1, -1).map((l) => l.replace(/ {2}\d+\.\d{3} ms/g, ""));
}

scenario("traceroute through the firewall: RELATED lets every hop answer", (net) => {
  const { client, fw } = build(net, "ESTABLISHED,RELATED");
  const r = client.sh("traceroute -n 10.3.0.2");
  assert.equal(r.status, 0);
  assert.deepEqual(hops(r.stdout), [
    " 1  10.1.0.1",
    " 2  10.2.0.2",
    " 3  10.3.0.2",
  ]);
  // Nine probes: three expired at fw (never forwarded), six went through as
  // NEW; six errors came back RELATED.
  assert.deepEqual(counters(fw, "FORWARD").map((r) => r[0]), [6, 6]);
  assert.equal(net.trace.filter({ kind: "drop", node: "fw", reason: "netfilter drop" }).length, 0);
});

scenario("traceroute through the firewall: ESTABLISHED alone hides what is behind it", (net) => {
  const { client } = build(net, "ESTABLISHED");
  const r = client.sh("traceroute -n -m 4 -w 1 10.3.0.2");
  assert.deepEqual(hops(r.stdout), [
    " 1  10.1.0.1",
    " 2  * * *",
    " 3  * * *",
    " 4  * * *",
  ]);
  // The errors reached the firewall and died there: three time exceeded
  // from r2 (hop 2), six port unreachable from the server (hops 3 and 4).
  const drops = net.trace.filter({ kind: "drop", node: "fw", reason: "netfilter drop" });
  assert.deepEqual(drops.map((d) => d.packet.icmp!.type), [11, 11, 11, 3, 3, 3, 3, 3, 3]);
  assert.ok(drops.every((d) => d.detail === "filter FORWARD policy DROP"));
});

scenario("traceroute from outside in: the firewall answers its hop, nothing beyond", (net) => {
  const { server } = build(net, "ESTABLISHED,RELATED");
  const r = server.sh("traceroute -n -m 4 -w 1 10.1.0.2");
  assert.deepEqual(hops(r.stdout), [
    " 1  10.3.0.1",
    " 2  10.2.0.1",
    " 3  * * *",
    " 4  * * *",
  ]);
  const drops = net.trace.filter({ kind: "drop", node: "fw", reason: "netfilter drop" });
  assert.equal(drops.length, 6);
  assert.ok(
    drops.every((d) => d.packet.udp !== undefined && d.detail === "filter FORWARD policy DROP"),
  );
  // The hop-2 probes expired at the firewall: ttl exceeded, not netfilter.
  assert.equal(net.trace.filter({ kind: "drop", node: "fw", reason: "ttl exceeded" }).length, 3);
});
