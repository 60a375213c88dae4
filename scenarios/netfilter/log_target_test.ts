/**
 * The LOG target writes one kernel log line per packet and lets the packet go
 * on to the next rule (so LOG then DROP is the usual pair, and both count the
 * same packets). The line has the kernel's layout (nf_log_syslog): prefix,
 * IN= and OUT= devices, MAC= (received destination, source, EtherType; zeros
 * on lo; absent for a locally generated packet), the IP header (LEN, TOS,
 * PREC, TTL, ID, DF) and the transport header (TCP ports, WINDOW, RES, flags,
 * URGP; UDP ports and length; ICMP type, code, and for an error the quoted
 * packet in brackets). `--log-level` shows in the listings by name or number;
 * a prefix longer than 29 characters is cut. (Layouts checked on Linux 6.18
 * with iptables 1.8.9.)
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { ip } from "../../core/wire/addr.ts";
import { connect, counters, firewallLab, kernelLog } from "./netfilter_testing.ts";

const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

scenario("LOG: a dropped ssh SYN, logged first", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh('iptables -A FORWARD -p tcp --dport 22 -j LOG --log-prefix "SSH: " --log-level info');
  fw.sh("iptables -A FORWARD -p tcp --dport 22 -j DROP");
  connect(client, "10.2.0.2", 22);
  net.run(net.sim.now + 1.5 * s);
  const syn = net.trace.first({ kind: "tx", node: "client", proto: 6 })!.packet;
  const log = kernelLog(fw);
  assert.equal(log.length, 2, "the SYN and its retransmission");
  assert.equal(
    log[0],
    `SSH: IN=eth0 OUT=eth1 MAC=${fw.mac("eth0")}:${client.mac("eth0")}:08:00 ` +
      `SRC=10.1.0.2 DST=10.2.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=${syn.ip!.id} DF ` +
      `PROTO=TCP SPT=${syn.tcp!.srcPort} DPT=22 WINDOW=${syn.tcp!.window} RES=0x00 SYN URGP=0 `,
  );
  // LOG does not decide: the next rule saw (and dropped) the same packets.
  assert.deepEqual(counters(fw, "FORWARD").map((r) => [r[0], r[1]]), [[2, 120], [2, 120]]);
  assert.equal(
    fw.sh("iptables -L FORWARD").stdout.split("\n")[2],
    'LOG        tcp  --  anywhere             anywhere             tcp dpt:ssh LOG level info prefix "SSH: "',
  );
  assert.equal(
    fw.sh("iptables -L FORWARD -n").stdout.split("\n")[2],
    'LOG        6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:22 LOG flags 0 level 6 prefix "SSH: "',
  );
  assert.equal(
    fw.sh("iptables -S FORWARD 1").stdout,
    '-A FORWARD -p tcp -m tcp --dport 22 -j LOG --log-prefix "SSH: " --log-level 6\n',
  );
});

scenario("LOG: UDP out, its ICMP error in with the quoted datagram", (net) => {
  const { client } = firewallLab(net);
  client.sh('iptables -A OUTPUT -p udp -j LOG --log-prefix "udp out: "');
  client.sh('iptables -A INPUT -p icmp -j LOG --log-prefix "icmp in: "');
  const sock = client.root.udp.socket();
  sock.sendTo(new TextEncoder().encode("hello"), ip("10.2.0.2"), 53);
  net.run(net.sim.now + 10e6);
  const out = net.trace.first({ kind: "tx", node: "client", proto: 17 })!.packet;
  const err = net.trace.first({ kind: "rx", node: "client", icmp: 3 })!.packet;
  const port = sock.localPort;
  const quoted = `SRC=10.1.0.2 DST=10.2.0.2 LEN=33 TOS=0x00 PREC=0x00 TTL=63 ID=${out.ip!.id} DF ` +
    `PROTO=UDP SPT=${port} DPT=53 LEN=13 `;
  assert.deepEqual(kernelLog(client), [
    // Locally generated: no MAC field, TTL 64.
    `udp out: IN= OUT=eth0 SRC=10.1.0.2 DST=10.2.0.2 LEN=33 TOS=0x00 PREC=0x00 TTL=64 ID=${
      out.ip!.id
    } DF ` +
    `PROTO=UDP SPT=${port} DPT=53 LEN=13 `,
    // The server's port unreachable (TOS 0xc0 shows as PREC=0xC0), quoting the
    // datagram as it arrived there (TTL 63).
    `icmp in: IN=eth0 OUT= MAC=${client.mac("eth0")}:${net.get("fw").mac("eth0")}:08:00 ` +
    `SRC=10.2.0.2 DST=10.1.0.2 LEN=61 TOS=0x00 PREC=0xC0 TTL=63 ID=${err.ip!.id} ` +
    `PROTO=ICMP TYPE=3 CODE=3 [${quoted}] `,
  ]);
});

scenario("LOG: loopback's zeroed MAC field, a long prefix cut to 29 characters", (net) => {
  const { fw } = firewallLab(net);
  fw.sh(
    "iptables -A INPUT -i lo -p icmp --icmp-type echo-request -j LOG --log-prefix 1234567890123456789012345678901234567890",
  );
  assert.equal(
    fw.sh("iptables -S INPUT").stdout,
    "-P INPUT ACCEPT\n-A INPUT -i lo -p icmp -m icmp --icmp-type 8 -j LOG --log-prefix 12345678901234567890123456789\n",
  );
  fw.sh("ping -c 1 127.0.0.1");
  const log = kernelLog(fw);
  assert.equal(log.length, 1);
  assert.match(
    log[0]!,
    /^12345678901234567890123456789IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127\.0\.0\.1 DST=127\.0\.0\.1 LEN=84 .* PROTO=ICMP TYPE=8 CODE=0 ID=\d+ SEQ=1 $/,
  );
});

scenario("LOG: bad levels, prefixes and options", (net) => {
  const { fw } = firewallLab(net);
  const cases: Array<[string, string]> = [
    ["iptables -A INPUT -j LOG --log-level 9", 'log level "9" unknown\n'],
    ["iptables -A INPUT -j LOG --log-level err", 'log level "err" unknown\n'],
    [
      'iptables -A INPUT -j LOG --log-prefix ""',
      "Argument must have a minimum length of 1 characters\n",
    ],
    ["iptables -A INPUT -j LOG --log-foo", 'unknown option "--log-foo"'],
    ["iptables -A INPUT --log-prefix x", 'unknown option "--log-prefix"'],
  ];
  for (const [cmd, msg] of cases) {
    const r = fw.sh(cmd);
    assert.deepEqual([r.status, r.stderr], [2, `iptables v1.8.9 (nf_tables): ${msg}\n${TRY}`], cmd);
  }
  // The named levels, as -S saves them (4, warning, is the default and not written).
  for (const name of ["emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"]) {
    assert.equal(fw.sh(`iptables -A INPUT -j LOG --log-level ${name}`).status, 0, name);
  }
  assert.deepEqual(fw.sh("iptables -S INPUT").stdout.split("\n").slice(1, -1), [
    "-A INPUT -j LOG --log-level 0",
    "-A INPUT -j LOG --log-level 1",
    "-A INPUT -j LOG --log-level 2",
    "-A INPUT -j LOG --log-level 3",
    "-A INPUT -j LOG",
    "-A INPUT -j LOG --log-level 5",
    "-A INPUT -j LOG --log-level 6",
    "-A INPUT -j LOG --log-level 7",
  ]);
});
