/**
 * The notes' security group, typed as the notes give it with the VM's real
 * address (10.2.0.2) for X.X.X.X:
 *
 *   iptables -t filter -A INPUT -s 0.0.0.0/0.0.0.0 -d 10.2.0.2 -j DROP              # deny all
 *   iptables -I INPUT -s 0.0.0.0/0.0.0.0 -d 10.2.0.2 -p tcp --dport 22 -j ACCEPT    # open 22
 *   iptables -A INPUT -s 0.0.0.0/0.0.0.0 -d 10.2.0.2 -p tcp --dport 80 -j ACCEPT    # open 80
 *
 * `-I` puts the port 22 rule in front of the DROP, but `-A` puts the port 80
 * rule behind it, where no packet ever reaches it: ssh connects, the web
 * server stays unreachable (curl times out), and the counters say why — the
 * DROP took the SYNs for port 80, rule 3 counted nothing. The DROP also
 * catches the answers to the VM's own pings, since they are addressed to it.
 * Deleting rule 3 and inserting it at position 2 opens port 80.
 *
 *   client 10.1.0.2 ── fw ── 10.2.0.2 server (sshd on 22, web on 80)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";
import { webServer } from "../http/http_testing.ts";
import { connect, counters, firewallLab, serve } from "./netfilter_testing.ts";

function securityGroup(net: Network) {
  const lab = firewallLab(net);
  const { server } = lab;
  serve(server, 22);
  webServer(server);
  for (
    const cmd of [
      "iptables -t filter -A INPUT -s 0.0.0.0/0.0.0.0 -d 10.2.0.2 -j DROP",
      "iptables -I INPUT -s 0.0.0.0/0.0.0.0 -d 10.2.0.2 -p tcp --dport 22 -j ACCEPT",
      "iptables -A INPUT -s 0.0.0.0/0.0.0.0 -d 10.2.0.2 -p tcp --dport 80 -j ACCEPT",
    ]
  ) {
    const r = server.sh(cmd);
    assert.deepEqual([r.status, r.out], [0, ""], cmd);
  }
  return lab;
}

scenario("security group (notes): the rules as listed, port 80 behind the DROP", (net) => {
  const { server } = securityGroup(net);
  assert.equal(
    server.sh("iptables -L INPUT -n --line-numbers").stdout,
    [
      "Chain INPUT (policy ACCEPT)",
      "num  target     prot opt source               destination         ",
      "1    ACCEPT     6    --  0.0.0.0/0            10.2.0.2             tcp dpt:22",
      "2    DROP       0    --  0.0.0.0/0            10.2.0.2            ",
      "3    ACCEPT     6    --  0.0.0.0/0            10.2.0.2             tcp dpt:80",
      "",
    ].join("\n"),
  );
  // A source of 0.0.0.0/0.0.0.0 is no source test at all: -S leaves it out.
  assert.equal(
    server.sh("iptables -S INPUT").stdout,
    [
      "-P INPUT ACCEPT",
      "-A INPUT -d 10.2.0.2/32 -p tcp -m tcp --dport 22 -j ACCEPT",
      "-A INPUT -d 10.2.0.2/32 -j DROP",
      "-A INPUT -d 10.2.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT",
      "",
    ].join("\n"),
  );
  assert.equal(
    server.sh("iptables -L INPUT").stdout.split("\n")[2],
    "ACCEPT     tcp  --  anywhere             10.2.0.2             tcp dpt:ssh",
  );
});

scenario("security group (notes): ssh connects, the web does not, the counters tell why", (net) => {
  const { client, server } = securityGroup(net);
  const ssh = connect(client, "10.2.0.2", 22);
  net.run(net.sim.now + 1 * s);
  assert.equal(ssh.state, "ESTABLISHED");
  const web = client.sh("curl -sS -m 2.5 http://10.2.0.2/");
  assert.deepEqual([web.status, web.stderr], [
    28,
    "curl: (28) Connection timed out after 2500 milliseconds\n",
  ]);
  const ping = client.sh("ping -c 1 -W 1 10.2.0.2");
  assert.equal(ping.status, 1);
  // Rule 1 took the ssh handshake (SYN 60 bytes, ACK 52), rule 2 the two SYNs
  // for port 80 and the ping, rule 3 nothing.
  assert.deepEqual(counters(server, "INPUT"), [
    [2, 112, "ACCEPT 6 -- * * 0.0.0.0/0 10.2.0.2 tcp dpt:22"],
    [3, 204, "DROP 0 -- * * 0.0.0.0/0 10.2.0.2"],
    [0, 0, "ACCEPT 6 -- * * 0.0.0.0/0 10.2.0.2 tcp dpt:80"],
  ]);
  const drops = net.trace.filter({ kind: "drop", node: "server" });
  assert.ok(drops.every((d) => d.detail === "filter INPUT rule 2 (DROP)"));
  assert.deepEqual(drops.map((d) => d.packet.tcp?.dstPort ?? "icmp"), [80, 80, "icmp"]);
});

scenario(
  "security group (notes): the DROP also eats the answers to the VM's own traffic",
  (net) => {
    const { client, server } = securityGroup(net);
    const r = server.sh("ping -c 1 -W 1 10.1.0.2");
    assert.equal(r.status, 1);
    // The client answered; the answer, addressed to 10.2.0.2, met rule 2.
    assert.equal(net.trace.filter({ kind: "tx", node: "client", icmp: "echo-reply" }).length, 1);
    const d = net.trace.first({ kind: "drop", node: "server" })!;
    assert.deepEqual([d.packet.icmp?.type, d.detail], [0, "filter INPUT rule 2 (DROP)"]);
    void client;
  },
);

scenario("security group (notes): rule 3 moved in front of the DROP opens port 80", (net) => {
  const { client, server } = securityGroup(net);
  server.sh("iptables -D INPUT 3");
  server.sh("iptables -I INPUT 2 -s 0.0.0.0/0.0.0.0 -d 10.2.0.2 -p tcp --dport 80 -j ACCEPT");
  const web = client.sh("curl -sS http://10.2.0.2/");
  assert.deepEqual([web.status, web.stdout], [0, "hello\n"]);
  net.run(net.sim.now + 1 * s); // curl's last segments arrive
  const rows = counters(server, "INPUT");
  assert.deepEqual(rows.map((r) => r[2]), [
    "ACCEPT 6 -- * * 0.0.0.0/0 10.2.0.2 tcp dpt:22",
    "ACCEPT 6 -- * * 0.0.0.0/0 10.2.0.2 tcp dpt:80",
    "DROP 0 -- * * 0.0.0.0/0 10.2.0.2",
  ]);
  // Every segment the client sent to port 80 went through rule 2; none was dropped.
  const sent = net.trace.filter({ kind: "tx", node: "client", proto: 6 }).length;
  assert.equal(rows[1]![0], sent);
  assert.equal(rows[2]![0], 0);
});
