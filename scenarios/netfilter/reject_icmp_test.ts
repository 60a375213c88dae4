/**
 * REJECT answers instead of staying silent, and what the sender sees depends
 * on `--reject-with`. ping prints the ICMP error it got, naming who sent it:
 * the server for a rule in its own INPUT chain, the firewall (its address
 * towards the sender) for a rule in FORWARD —
 *
 *   icmp-port-unreachable (default)  "Destination Port Unreachable"
 *   icmp-host-prohibited             "Destination Host Prohibited"
 *   icmp-admin-prohibited            "Packet filtered"
 *   icmp-net-unreachable             "Destination Net Unreachable"
 *
 * A UDP socket gets the port unreachable in its error queue (a connected
 * socket's next call fails with ECONNREFUSED). The error REJECT makes is an
 * ordinary locally generated packet: a DROP in the firewall's OUTPUT chain
 * silences it. (ping lines checked against iputils 20221126 on Linux 6.18.)
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { counters, firewallLab } from "./netfilter_testing.ts";

const enc = new TextEncoder();

function rejected(from: string, text: string): string {
  return "PING 10.2.0.2 (10.2.0.2) 56(84) bytes of data.\n" +
    `From ${from} icmp_seq=1 ${text}\n\n` +
    "--- 10.2.0.2 ping statistics ---\n" +
    "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n";
}

scenario("REJECT: what ping prints for each --reject-with", (net) => {
  const { client, fw, server } = firewallLab(net);
  const cases: Array<[string, string, string, string]> = [
    ["server", "INPUT", "", "Destination Port Unreachable"],
    ["server", "INPUT", "--reject-with icmp-host-prohibited", "Destination Host Prohibited"],
    ["fw", "FORWARD", "--reject-with icmp-host-prohibited", "Destination Host Prohibited"],
    ["fw", "FORWARD", "--reject-with icmp-admin-prohibited", "Packet filtered"],
    ["fw", "FORWARD", "--reject-with icmp-net-unreachable", "Destination Net Unreachable"],
  ];
  for (const [where, chain, how, text] of cases) {
    const node = where === "fw" ? fw : server;
    node.sh(`iptables -A ${chain} -p icmp -j REJECT ${how}`);
    const r = client.sh("ping -c 1 10.2.0.2");
    const from = where === "fw" ? "10.1.0.1" : "10.2.0.2";
    assert.deepEqual([r.status, r.stdout], [1, rejected(from, text)], `${chain} ${how}`);
    node.sh(`iptables -F ${chain}`);
  }
  // What left the firewall towards the client: the server's two errors,
  // forwarded (TTL 63), then its own three, from its address on that side.
  // ICMP errors go out with TOS 0xc0 (precedence "internetwork control").
  const errs = net.trace.filter({ kind: "tx", node: "fw", iface: "eth0", icmp: 3 });
  assert.deepEqual(
    errs.map((
      e,
    ) => [formatIp4(e.packet.ip!.src), e.packet.icmp!.code, e.packet.ip!.ttl, e.packet.ip!.tos]),
    [
      ["10.2.0.2", 3, 63, 0xc0],
      ["10.2.0.2", 10, 63, 0xc0],
      ["10.1.0.1", 10, 64, 0xc0],
      ["10.1.0.1", 13, 64, 0xc0],
      ["10.1.0.1", 0, 64, 0xc0],
    ],
  );
});

scenario("REJECT: a UDP sender learns of it from the firewall", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A FORWARD -p udp --dport 53 -j REJECT");
  const sock = client.root.udp.socket();
  sock.sendTo(enc.encode("query"), ip("10.2.0.2"), 53);
  net.run(net.sim.now + 10e6);
  assert.equal(sock.errors.length, 1);
  const e = sock.errors[0]!;
  assert.deepEqual(
    [formatIp4(e.from), e.type, e.code, e.quoted.srcPort, e.quoted.dstPort],
    ["10.1.0.1", 3, 3, sock.localPort, 53],
  );
  // The quote is the datagram as the firewall saw it: TTL already decremented.
  assert.equal(e.quoted.ip.ttl, 63);
  assert.equal(net.trace.filter({ kind: "rx", node: "server" }).length, 0);
  assert.deepEqual(counters(fw, "FORWARD"), [
    [1, 33, "REJECT 17 -- * * 0.0.0.0/0 0.0.0.0/0 udp dpt:53 reject-with icmp-port-unreachable"],
  ]);
  assert.equal(
    net.trace.first({ kind: "drop", node: "fw" })!.detail,
    "filter FORWARD rule 1 (REJECT --reject-with icmp-port-unreachable)",
  );
});

scenario("REJECT: its error passes OUTPUT, where a DROP silences it", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A FORWARD -p icmp --icmp-type echo-request -j REJECT");
  fw.sh("iptables -A OUTPUT -p icmp -j DROP");
  const r = client.sh("ping -c 1 -W 1 10.2.0.2");
  assert.match(r.stdout, /^1 packets transmitted, 0 received, 100% packet loss/m);
  assert.doesNotMatch(r.stdout, /From /);
  const drops = net.trace.filter({ kind: "drop", node: "fw" });
  assert.deepEqual(drops.map((d) => [d.packet.icmp!.type, d.detail]), [
    [3, "filter OUTPUT rule 1 (DROP)"],
    [8, "filter FORWARD rule 1 (REJECT --reject-with icmp-port-unreachable)"],
  ]);
});

scenario("REJECT: bad command lines", (net) => {
  const { fw } = firewallLab(net);
  const cases: Array<[string, number, string]> = [
    [
      "iptables -A INPUT -p tcp -j REJECT --reject-with foo",
      2,
      'iptables v1.8.9 (nf_tables): unknown reject type "foo"\n' +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
    ],
    [
      "iptables -A INPUT -j REJECT --reject-with tcp-reset",
      4,
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n",
    ],
    [
      "iptables -t nat -A PREROUTING -j REJECT",
      4,
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n",
    ],
    [
      "iptables -A INPUT -j REJECT --reject-with icmp-port-unreachable --reject-with icmp-host-prohibited",
      2,
      'iptables v1.8.9 (nf_tables): REJECT: option "--reject-with" can only be used once.\n\n' +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
    ],
  ];
  for (const [cmd, status, stderr] of cases) {
    const r = fw.sh(cmd);
    assert.deepEqual([r.status, r.stderr], [status, stderr], cmd);
  }
  assert.equal(fw.sh("iptables -S INPUT").stdout, "-P INPUT ACCEPT\n");
  // Short names are accepted and listed by their full names.
  fw.sh("iptables -A INPUT -p tcp -j REJECT --reject-with tcp-rst");
  fw.sh("iptables -A INPUT -j REJECT --reject-with host-prohib");
  assert.equal(
    fw.sh("iptables -S INPUT").stdout,
    "-P INPUT ACCEPT\n" +
      "-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n" +
      "-A INPUT -j REJECT --reject-with icmp-host-prohibited\n",
  );
});
