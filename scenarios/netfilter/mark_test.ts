/**
 * Firewall marks: MARK in the mangle table writes a number on the packet
 * (skb->mark) that later rules (`-m mark`) and the routing rules
 * (`ip rule … fwmark`) read. The mark lives in the machine only: it is not in
 * any header, the server never sees it, and the replies come back unmarked.
 *
 * - Marked in mangle PREROUTING by input device, matched in filter FORWARD;
 *   LOG lines end with MARK=0x1.
 * - Marked before the routing decision, it picks the routing table: with
 *   `ip rule add fwmark 0x2 table 100` and a prohibit route in table 100, the
 *   marked ping is answered "Packet filtered" by the firewall while an
 *   unmarked one goes through.
 * - The MARK variants (--set-mark, --set-xmark, --or-mark, --and-mark,
 *   --xor-mark) as -S and -L print them, and bad mark values.
 *
 *   client 10.1.0.2 ── eth0 fw eth1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { counters, firewallLab, kernelLog } from "./netfilter_testing.ts";

const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

scenario(
  "mark: set in mangle PREROUTING, matched in filter FORWARD, local to the machine",
  (net) => {
    const { client, fw, server } = firewallLab(net);
    fw.sh(`iptables -t mangle -A PREROUTING -i eth0 -j MARK --set-mark 0x1
iptables -A FORWARD -m mark --mark 0x1 -j LOG --log-prefix "from inside: "
iptables -A FORWARD -m mark --mark 0x1 -j ACCEPT
iptables -A FORWARD -m mark ! --mark 0x1 -j ACCEPT`);
    server.sh("iptables -A INPUT -m mark --mark 0x1 -j ACCEPT");
    assert.equal(client.sh("ping -c 2 10.2.0.2").status, 0);
    // The requests were marked, the replies (in by eth1) were not.
    assert.deepEqual(counters(fw, "FORWARD").map((r) => r.slice(0, 1).concat(r[2])), [
      [
        2,
        'LOG 0 -- * * 0.0.0.0/0 0.0.0.0/0 mark match 0x1 LOG flags 0 level 4 prefix "from inside: "',
      ],
      [2, "ACCEPT 0 -- * * 0.0.0.0/0 0.0.0.0/0 mark match 0x1"],
      [2, "ACCEPT 0 -- * * 0.0.0.0/0 0.0.0.0/0 mark match ! 0x1"],
    ]);
    const log = kernelLog(fw);
    assert.equal(log.length, 2);
    assert.match(
      log[0]!,
      /^from inside: IN=eth0 OUT=eth1 .* PROTO=ICMP TYPE=8 CODE=0 ID=\d+ SEQ=1 MARK=0x1 $/,
    );
    // The server got both requests, none of them marked.
    assert.equal(net.trace.filter({ kind: "rx", node: "server", icmp: "echo-request" }).length, 2);
    assert.deepEqual(counters(server, "INPUT").map((r) => r[0]), [0]);
  },
);

scenario("mark: a fwmark rule sends marked packets to another routing table", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("ip rule add fwmark 0x2 table 100");
  fw.sh("ip route add prohibit 10.2.0.0/24 table 100");
  fw.sh("iptables -t mangle -A PREROUTING -i eth0 -p udp -j MARK --set-mark 0x2");
  // ICMP is not marked: main table, through.
  assert.equal(client.sh("ping -c 1 10.2.0.2").status, 0);
  // UDP is marked before routing: table 100's prohibit route answers.
  const tr = client.sh("traceroute -n -q 1 10.2.0.2");
  assert.equal(
    tr.stdout,
    "traceroute to 10.2.0.2 (10.2.0.2), 30 hops max, 60 byte packets\n 1  10.1.0.1  0.101 ms !X\n",
  );
  // Mark ICMP too: ping now reads "Packet filtered" (ICMP code 13) from the firewall.
  fw.sh("iptables -t mangle -A PREROUTING -i eth0 -p icmp -j MARK --set-mark 0x2");
  const r = client.sh("ping -c 1 10.2.0.2");
  assert.match(r.stdout, /^From 10\.1\.0\.1 icmp_seq=1 Packet filtered$/m);
  const d = net.trace.filter({ kind: "drop", node: "fw" }).at(-1)!;
  assert.deepEqual([d.reason, d.packet.mark], ["prohibited route", 2]);
  assert.equal(
    fw.sh("ip rule").stdout,
    "0:\tfrom all lookup local\n32765:\tfrom all fwmark 0x2 lookup 100\n32766:\tfrom all lookup main\n" +
      "32767:\tfrom all lookup default\n",
  );
});

scenario("mark: MARK's variants as listed, and bad values", (net) => {
  const { fw } = firewallLab(net);
  for (
    const o of [
      "--set-mark 1",
      "--set-mark 0x10/0xf0",
      "--or-mark 4",
      "--and-mark 0xf0",
      "--xor-mark 0x3",
    ]
  ) {
    assert.equal(fw.sh(`iptables -t mangle -A PREROUTING -j MARK ${o}`).status, 0, o);
  }
  assert.deepEqual(fw.sh("iptables -t mangle -S PREROUTING").stdout.split("\n").slice(1, -1), [
    "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff",
    "-A PREROUTING -j MARK --set-xmark 0x10/0xf0",
    "-A PREROUTING -j MARK --set-xmark 0x4/0x4",
    "-A PREROUTING -j MARK --set-xmark 0x0/0xffffff0f",
    "-A PREROUTING -j MARK --set-xmark 0x3/0x0",
  ]);
  assert.deepEqual(
    fw.sh("iptables -t mangle -L PREROUTING -n").stdout.split("\n").slice(2, -1).map((l) =>
      l.slice(62)
    ),
    ["MARK set 0x1", "MARK xset 0x10/0xf0", "MARK or 0x4", "MARK and 0xf0", "MARK xor 0x3"],
  );
  const cases: Array<[string, string]> = [
    [
      "iptables -t mangle -A PREROUTING -j MARK",
      "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required\n",
    ],
    [
      "iptables -t mangle -A PREROUTING -j MARK --set-mark 0xzz",
      'MARK: trailing garbage after value for option "--set-mark".\n\n',
    ],
    [
      "iptables -A INPUT -m mark --mark zz -j ACCEPT",
      'mark: bad integer value for option "--mark", or out of range.\n\n',
    ],
    [
      "iptables -A INPUT -m mark --mark 0x100000000 -j ACCEPT",
      'mark: bad integer value for option "--mark", or out of range.\n\n',
    ],
    [
      "iptables -t mangle -A PREROUTING -j MARK --set-mark 1 --set-mark 2",
      'MARK: option "--set-mark" can only be used once.\n\n',
    ],
  ];
  for (const [cmd, msg] of cases) {
    const r = fw.sh(cmd);
    assert.deepEqual([r.status, r.stderr], [2, `iptables v1.8.9 (nf_tables): ${msg}${TRY}`], cmd);
  }
});
