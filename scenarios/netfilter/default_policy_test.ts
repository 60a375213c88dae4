/**
 * Default policies: what a built-in chain does with a packet no rule decided.
 * With `-P INPUT DROP` and only ICMP let in, the firewall still answers pings
 * but a connection to its port 22 goes unanswered — the client retransmits its
 * SYN after 1 s and 3 s — until a rule for port 22 appears, and the next
 * retransmission gets through. The chain header counts what met the policy.
 *
 * `-P FORWARD DROP` with a rule for one direction only is the classic mistake:
 * the server gets the pings and answers, the answers die on the firewall as
 * "filter FORWARD policy DROP". (The stateful cure is in
 * stateful_firewall_test.ts.) Bad policy command lines get iptables' words.
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { connect, counters, firewallLab, serve } from "./netfilter_testing.ts";

scenario("policy: INPUT DROP lets in what rules accept and nothing else", (net) => {
  const { client, fw } = firewallLab(net);
  serve(fw, 22);
  fw.sh("iptables -P INPUT DROP; iptables -A INPUT -p icmp -j ACCEPT");
  assert.equal(client.sh("ping -c 1 10.1.0.1").status, 0);
  const t0 = net.sim.now;
  const ssh = connect(client, "10.1.0.1", 22);
  net.run(t0 + 5 * s);
  assert.equal(ssh.state, "SYN-SENT");
  const syns = net.trace.filter({ kind: "tx", node: "client", proto: 6 });
  assert.deepEqual(syns.map((e) => (e.time - t0) / s), [0, 1, 3]);
  const header = fw.sh("iptables -L INPUT -n -v -x").stdout.split("\n")[0];
  assert.equal(header, "Chain INPUT (policy DROP 3 packets, 180 bytes)");
  assert.deepEqual(
    net.trace.filter({ kind: "drop", node: "fw" }).map((e) => e.detail),
    ["filter INPUT policy DROP", "filter INPUT policy DROP", "filter INPUT policy DROP"],
  );
  // Opening port 22 while the client still tries: the SYN at 7 s is let in.
  fw.sh("iptables -A INPUT -p tcp --dport 22 -j ACCEPT");
  net.run(t0 + 8 * s);
  assert.equal(ssh.state, "ESTABLISHED");
  assert.equal(
    fw.sh("iptables -S INPUT").stdout,
    [
      "-P INPUT DROP",
      "-A INPUT -p icmp -j ACCEPT",
      "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
      "",
    ].join("\n"),
  );
});

scenario("policy: FORWARD DROP with a rule for one direction drops the answers", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -P FORWARD DROP; iptables -A FORWARD -i eth0 -o eth1 -j ACCEPT");
  const r = client.sh("ping -c 2 -W 1 10.2.0.2");
  assert.match(r.stdout, /^2 packets transmitted, 0 received, 100% packet loss/m);
  // The server saw both requests and answered both.
  assert.equal(net.trace.filter({ kind: "rx", node: "server", icmp: "echo-request" }).length, 2);
  assert.equal(net.trace.filter({ kind: "tx", node: "server", icmp: "echo-reply" }).length, 2);
  const drops = net.trace.filter({ kind: "drop", node: "fw" });
  assert.deepEqual(drops.map((e) => [e.iface, e.packet.icmp?.type, e.detail]), [
    ["eth1", 0, "filter FORWARD policy DROP"],
    ["eth1", 0, "filter FORWARD policy DROP"],
  ]);
  assert.deepEqual(counters(fw, "FORWARD"), [[
    2,
    168,
    "ACCEPT 0 -- eth0 eth1 0.0.0.0/0 0.0.0.0/0",
  ]]);
  assert.equal(
    fw.sh("iptables -L FORWARD -v").stdout.split("\n")[0],
    "Chain FORWARD (policy DROP 2 packets, 168 bytes)",
  );
  // Back to ACCEPT: everything passes. iptables-nft sends the chain with fresh
  // counters, so the policy counts from zero again: the answer.
  fw.sh("iptables -P FORWARD ACCEPT");
  assert.equal(client.sh("ping -c 1 10.2.0.2").status, 0);
  assert.equal(
    fw.sh("iptables -L FORWARD -v").stdout.split("\n")[0],
    "Chain FORWARD (policy ACCEPT 1 packets, 84 bytes)",
  );
});

scenario("policy: bad -P command lines", (net) => {
  const { fw } = firewallLab(net);
  fw.sh("iptables -N SSH");
  const cases: Array<[string, number, string]> = [
    ["iptables -P FOO DROP", 1, "iptables: Bad built-in chain name.\n"],
    ["iptables -P SSH DROP", 1, "iptables: Bad built-in chain name.\n"],
    [
      "iptables -P INPUT REJECT",
      1,
      "iptables: Bad policy name. Run `dmesg' for more information.\n",
    ],
    ["iptables -P INPUT drop", 1, "iptables: Bad policy name. Run `dmesg' for more information.\n"],
    [
      "iptables -P INPUT",
      2,
      "iptables v1.8.9 (nf_tables): -P requires a chain and a policy\n" +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
    ],
    [
      "iptables -P INPUT DROP now",
      2,
      "Bad argument `now'\nTry `iptables -h' or 'iptables --help' for more information.\n",
    ],
    [
      "iptables -t nat -P PREROUTING DROP",
      2,
      "iptables v1.8.9 (nf_tables): \n" +
      'The "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n\n' +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
    ],
  ];
  for (const [cmd, status, stderr] of cases) {
    const r = fw.sh(cmd);
    assert.deepEqual([r.status, r.stdout, r.stderr], [status, "", stderr], cmd);
  }
  // None of them changed a policy.
  assert.equal(
    fw.sh("iptables -S").stdout,
    "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N SSH\n",
  );
});
