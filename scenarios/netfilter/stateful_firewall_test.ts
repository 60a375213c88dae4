/**
 * The stateful firewall that lets only replies in:
 *
 *   iptables -P FORWARD DROP
 *   iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
 *   iptables -A FORWARD -i eth0 -o eth1 -m conntrack --ctstate NEW -j ACCEPT
 *
 * The inside client browses and pings out; the outside server can neither
 * ping in nor connect to the client's ssh. The NEW rule counts only the
 * packets that open connections, the first rule everything after; conntrack
 * lists each connection with both directions. The same idea on a host (INPUT
 * with lo allowed) keeps a laptop reachable only by what it asked for.
 *
 *   client 10.1.0.2 (ssh :22) ── eth0 fw eth1 ── 10.2.0.2 server (web :80)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";
import { ip } from "../../core/wire/addr.ts";
import { webServer } from "../http/http_testing.ts";
import { connect, conntrackLines, counters, firewallLab, serve } from "./netfilter_testing.ts";

function stateful(net: Network) {
  const lab = firewallLab(net);
  lab.fw.sh(`iptables -P FORWARD DROP
iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A FORWARD -i eth0 -o eth1 -m conntrack --ctstate NEW -j ACCEPT`);
  webServer(lab.server);
  serve(lab.client, 22);
  return lab;
}

scenario("stateful: the inside goes out, the answers come back", (net) => {
  const { client, fw } = stateful(net);
  const web = client.sh("curl -sS http://10.2.0.2/");
  assert.deepEqual([web.status, web.stdout], [0, "hello\n"]);
  assert.equal(client.sh("ping -c 2 10.2.0.2").status, 0);
  net.run(net.sim.now + 1 * s);
  // NEW counted one SYN and one echo request: everything else was ESTABLISHED.
  const rows = counters(fw, "FORWARD");
  assert.deepEqual(rows.map((r) => r[2]), [
    "ACCEPT 0 -- * * 0.0.0.0/0 0.0.0.0/0 ctstate RELATED,ESTABLISHED",
    "ACCEPT 0 -- eth0 eth1 0.0.0.0/0 0.0.0.0/0 ctstate NEW",
  ]);
  assert.deepEqual(rows[1]!.slice(0, 2), [2, 60 + 84]);
  const all = net.trace.filter({ kind: "rx", node: "fw", where: (e) => e.packet.ip !== undefined });
  assert.equal(rows[0]![0] + rows[1]![0], all.length, "every packet met one of the two rules");
  // curl's connection is closing (TIME_WAIT), the ping's is fresh.
  const tcp = conntrackLines(fw, "-p tcp");
  assert.equal(tcp.length, 1);
  assert.match(
    tcp[0]!,
    /^tcp +6 T TIME_WAIT src=10\.1\.0\.2 dst=10\.2\.0\.2 sport=\d+ dport=80 src=10\.2\.0\.2 dst=10\.1\.0\.2 sport=80 dport=\d+ \[ASSURED\] mark=0 use=1$/,
  );
  assert.equal(conntrackLines(fw, "-p icmp").length, 1);
});

scenario("stateful: nothing new comes in from outside", (net) => {
  const { fw, server } = stateful(net);
  const ping = server.sh("ping -c 1 -W 1 10.1.0.2");
  assert.equal(ping.status, 1);
  const t0 = net.sim.now;
  const ssh = connect(server, "10.1.0.2", 22);
  net.run(t0 + 4 * s);
  assert.equal(ssh.state, "SYN-SENT");
  const drops = net.trace.filter({ kind: "drop", node: "fw" });
  assert.deepEqual(drops.map((e) => [e.iface, e.packet.ip!.proto, e.detail]), [
    ["eth1", 1, "filter FORWARD policy DROP"],
    ["eth1", 6, "filter FORWARD policy DROP"],
    ["eth1", 6, "filter FORWARD policy DROP"],
    ["eth1", 6, "filter FORWARD policy DROP"],
  ]);
  // Dropped packets leave no conntrack entry (never confirmed).
  assert.equal(fw.sh("conntrack -L").stdout, "");
  assert.equal(
    fw.sh("iptables -L FORWARD -v -x").stdout.split("\n")[0],
    "Chain FORWARD (policy DROP 4 packets, 264 bytes)",
  );
});

scenario("stateful: the same on a host — INPUT takes answers and loopback only", (net) => {
  const { client, server } = firewallLab(net);
  client.sh(`iptables -P INPUT DROP
iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT`);
  serve(client, 22);
  // Out and back: ping, UDP with an answer, a closed UDP port's error (RELATED).
  assert.equal(client.sh("ping -c 1 10.2.0.2").status, 0);
  const echo = server.root.udp.socket();
  echo.bind(0, 7);
  echo.onMessage = (d) => echo.sendTo(d.data, d.from, d.fromPort);
  const sock = client.root.udp.socket();
  sock.sendTo(new TextEncoder().encode("hi"), ip("10.2.0.2"), 7);
  sock.sendTo(new TextEncoder().encode("hi"), ip("10.2.0.2"), 9);
  net.run(net.sim.now + 10e6);
  assert.equal(sock.inbox.length, 1);
  assert.deepEqual(sock.errors.map((e) => [e.type, e.code, e.quoted.dstPort]), [[3, 3, 9]]);
  // Loopback talks to itself freely.
  assert.equal(client.sh("ping -c 1 127.0.0.1").status, 0);
  // Nothing starts from outside.
  assert.equal(server.sh("ping -c 1 -W 1 10.1.0.2").status, 1);
  const ssh = connect(server, "10.1.0.2", 22);
  net.run(net.sim.now + 2 * s);
  assert.equal(ssh.state, "SYN-SENT");
  assert.equal(
    client.sh("iptables -L INPUT -v -x").stdout.split("\n")[0],
    "Chain INPUT (policy DROP 3 packets, 204 bytes)",
  );
});
