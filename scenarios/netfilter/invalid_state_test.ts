/**
 * What connection tracking calls INVALID, and what it picks up. Hand-made TCP
 * segments (what hping3 sends) cross the firewall, which logs and drops
 * `--state INVALID` and logs `--state NEW`:
 *
 *   SYN+FIN, a null segment      flag combinations TCP never sends: INVALID
 *   RST, FIN+ACK, SYN+ACK alone  not a way to begin a connection: INVALID
 *   a lone ACK                   NEW: with nf_conntrack_tcp_loose=1 (the
 *                                default) conntrack picks the connection up
 *                                mid-stream, ESTABLISHED but [UNREPLIED], for
 *                                300 s instead of five days
 *
 * A connection whose only answer is a RST is removed at once (the kernel's
 * "if only reply is a RST … delete the conntrack immediately"): the picked-up
 * ACK to a closed port, and a SYN to one, leave no entry behind. (The same
 * segments were sent through Linux 6.18; the log lines, counters and
 * conntrack entries are what it showed.)
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Node } from "../../core/node/node.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import { connect, counters, firewallLab, kernelLog, sendTcp } from "./netfilter_testing.ts";

function segment(client: Node, srcPort: number, dstPort: number, flags: number): void {
  sendTcp(client, {
    src: "10.1.0.2",
    dst: "10.2.0.2",
    srcPort,
    dstPort,
    seq: 1000,
    ack: flags & TcpFlag.ACK ? 2000 : 0,
    flags,
  });
}

const { SYN, FIN, RST, ACK } = TcpFlag;

scenario("INVALID: odd flags and segments that cannot start a connection", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh(`iptables -A FORWARD -m state --state INVALID -j LOG --log-prefix "INVALID: "
iptables -A FORWARD -m state --state INVALID -j DROP
iptables -A FORWARD -m state --state NEW -j LOG --log-prefix "NEW: "`);
  const sent: Array<[number, number]> = [
    [40001, SYN | FIN],
    [40002, ACK],
    [40003, RST],
    [40004, FIN | ACK],
    [40005, SYN | ACK],
    [40006, 0],
  ];
  for (const [port, flags] of sent) {
    segment(client, port, 80, flags);
    net.run(net.sim.now + 1e6);
  }
  assert.deepEqual(
    kernelLog(fw).map((l) =>
      l.replace(/ IN=.* SPT=(\d+) DPT=80 WINDOW=1024 RES=0x00 (.*)URGP=0 $/, " $1 $2")
    ),
    [
      "INVALID: 40001 SYN FIN ",
      "NEW: 40002 ACK ",
      "INVALID: 40003 RST ",
      "INVALID: 40004 ACK FIN ",
      "INVALID: 40005 ACK SYN ",
      "INVALID: 40006 ",
    ],
  );
  assert.deepEqual(counters(fw, "FORWARD").map((r) => r.slice(0, 2)), [[5, 200], [5, 200], [
    1,
    40,
  ]]);
  // Only the ACK reached the server, which answered with a RST (nothing
  // listens on 80); that answer removed the entry the ACK had made.
  assert.deepEqual(
    net.trace.filter({ kind: "rx", node: "server", proto: 6 }).map((e) => e.packet.tcp!.srcPort),
    [40002],
  );
  assert.equal(net.trace.filter({ kind: "tx", node: "fw", iface: "eth0", proto: 6 }).length, 1);
  assert.equal(fw.sh("conntrack -L").stdout, "");
});

scenario("INVALID: a lone ACK nobody answers stays picked up for 300 s", (net) => {
  const { client, fw, server } = firewallLab(net);
  fw.sh("iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP");
  server.sh("iptables -A INPUT -p tcp --dport 82 -j DROP");
  segment(client, 40002, 82, ACK);
  net.run(net.sim.now + 1e6);
  assert.equal(
    fw.sh("conntrack -L").stdout,
    "tcp      6 299 ESTABLISHED src=10.1.0.2 dst=10.2.0.2 sport=40002 dport=82 [UNREPLIED] " +
      "src=10.2.0.2 dst=10.1.0.2 sport=82 dport=40002 mark=0 use=1\n",
  );
  net.run(net.sim.now + 300e9);
  assert.equal(fw.sh("conntrack -L").stdout, "", "gone after 300 s");
});

scenario("INVALID: a refused connection leaves no entry", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP");
  const c = connect(client, "10.2.0.2", 81);
  net.run(net.sim.now + 1e6);
  assert.equal(c.error, "ECONNREFUSED");
  // The RST passed as part of the connection (ESTABLISHED), and took the entry with it.
  assert.equal(net.trace.filter({ kind: "drop", node: "fw" }).length, 0);
  assert.equal(fw.sh("conntrack -L").stdout, "");
  assert.equal(fw.sh("conntrack -C").stdout, "0\n");
});
