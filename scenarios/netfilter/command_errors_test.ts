/**
 * Bad iptables command lines, each with the exact message and exit status
 * iptables 1.8.9 (nf_tables) gives: 2 for what the command line itself gets
 * wrong (with the "Try `iptables -h'…" line, and for some messages an empty
 * line before it), 1 for what the kernel refuses by name ("iptables: …"), 3
 * for a table that does not exist, 4 for a rule or chain operation nf_tables
 * rejects. Each was typed into iptables 1.8.9 on Linux 6.18 with the same
 * rules loaded; none of them changes the rule set. A `-h` prints the usage.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { firewallLab } from "./netfilter_testing.ts";

const V = "iptables v1.8.9 (nf_tables): ";
const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

/** [command line, status, standard error]. */
const CASES: Array<[string, number, string]> = [
  ["iptables -A FOO -j ACCEPT", 1, "iptables: No chain/target/match by that name.\n"],
  [
    "iptables -t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4:100-200",
    2,
    `${V}Need TCP, UDP, SCTP or DCCP with port specification\n${TRY}`,
  ],
  [
    "iptables -t bogus -L",
    3,
    `${V}table 'bogus' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n`,
  ],
  [
    "iptables -A INPUT -p tcp --dport 99999 -j ACCEPT",
    2,
    `${V}invalid port/service \`99999' specified\n${TRY}`,
  ],
  [
    "iptables -A INPUT -s 10.0.0.300 -j ACCEPT",
    2,
    `${V}host/network \`10.0.0.300' not found\n${TRY}`,
  ],
  ["iptables -A INPUT -j FOO", 2, `${V}Chain 'FOO' does not exist\n${TRY}`],
  ["iptables -D INPUT 9", 1, "iptables: Index of deletion too big.\n"],
  [
    "iptables -D INPUT -p udp -j ACCEPT",
    1,
    "iptables: Bad rule (does a matching rule exist in that chain?).\n",
  ],
  ["iptables -P FOO DROP", 1, "iptables: Bad built-in chain name.\n"],
  ["iptables -P INPUT REJECT", 1, "iptables: Bad policy name. Run `dmesg' for more information.\n"],
  ["iptables -N INPUT", 1, "iptables: Chain already exists.\n"],
  ["iptables -X LOGDROP", 4, `${V} CHAIN_DEL failed (Device or resource busy): chain LOGDROP\n`],
  [
    "iptables -A INPUT -j DNAT --to-destination 1.2.3.4",
    4,
    `${V} RULE_APPEND failed (Invalid argument): rule in chain INPUT\n`,
  ],
  ["iptables -A INPUT --dport 22 -j ACCEPT", 2, `${V}unknown option "--dport"\n${TRY}`],
  [
    "iptables -A INPUT -m conntrack --ctstate BOGUS -j ACCEPT",
    2,
    `${V}Bad ctstate "BOGUS"\n${TRY}`,
  ],
  ["iptables -I INPUT 99 -j ACCEPT", 1, "iptables: Index of insertion too big.\n"],
  [
    "iptables -A INPUT -p tcp -j REJECT --reject-with foo",
    2,
    `${V}unknown reject type "foo"\n${TRY}`,
  ],
  [
    "iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT",
    2,
    `${V}DNAT: option "--to-destination" must be specified\n\n${TRY}`,
  ],
  ["iptables -A INPUT -i r+ -o r1 -j ACCEPT", 2, `${V}Can't use -o with INPUT\n\n${TRY}`],
  [
    "iptables -A INPUT -p icmp --icmp-type bogus -j ACCEPT",
    2,
    `${V}Unknown ICMP type \`bogus'\n${TRY}`,
  ],
  [
    "iptables -A INPUT -m multiport --dports 22 -j ACCEPT",
    2,
    `${V}multiport needs \`-p tcp', \`-p udp', \`-p udplite', \`-p sctp' or \`-p dccp'\n${TRY}`,
  ],
  ["iptables -A INPUT -j LOG --log-level 9", 2, `${V}log level "9" unknown\n\n${TRY}`],
  // More of the same kind.
  ["iptables -A OUTPUT -i eth0 -j ACCEPT", 2, `${V}Can't use -i with OUTPUT\n\n${TRY}`],
  [
    "iptables -A INPUT -p tcp --dport 22:21 -j ACCEPT",
    2,
    `${V}invalid portrange (min > max)\n${TRY}`,
  ],
  ["iptables -A INPUT -s 10.0.0.0/33 -j ACCEPT", 2, `${V}invalid mask \`33' specified\n${TRY}`],
  ["iptables -A INPUT -p foo -j ACCEPT", 2, `${V}unknown protocol "foo" specified\n${TRY}`],
  [
    "iptables -A INPUT -p tcp --tcp-flags SYN,BOGUS SYN -j DROP",
    2,
    `${V}Unknown TCP flag \`BOGUS'\n${TRY}`,
  ],
  [
    "iptables -A INPUT -m foo -j ACCEPT",
    2,
    `${V}Couldn't load match \`foo':No such file or directory\n\n${TRY}`,
  ],
  [
    "iptables -A INPUT -m state -j ACCEPT",
    2,
    `${V}state: option "--state" must be specified\n\n${TRY}`,
  ],
  ["iptables -A INPUT -p udp --sport 53 --syn -j ACCEPT", 2, `${V}unknown option "--syn"\n${TRY}`],
  ["iptables -A", 2, `${V}option "-A" requires an argument\n${TRY}`],
  ["iptables", 2, `${V}no command specified\n${TRY}`],
  ["iptables -F -L", 2, `${V}Cannot use -L with -F\n${TRY}`],
  ["iptables -A INPUT -j ACCEPT now", 2, `Bad argument \`now'\n${TRY}`],
  [
    "iptables -t filter -A FORWARD -j NOTRACK",
    4,
    `${V} RULE_APPEND failed (Invalid argument): rule in chain FORWARD\n`,
  ],
  [
    "iptables -t nat -A OUTPUT -j MASQUERADE",
    4,
    `${V} RULE_APPEND failed (Invalid argument): rule in chain OUTPUT\n`,
  ],
];

scenario("iptables errors: messages and exit statuses, rule set untouched", (net) => {
  const { fw } = firewallLab(net);
  fw.sh(`iptables -N LOGDROP
iptables -A LOGDROP -j LOG --log-prefix "LOGDROP: "
iptables -A LOGDROP -j DROP
iptables -A INPUT -p tcp --dport 23 -j LOGDROP
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE`);
  const before = fw.sh("iptables-save").stdout;
  for (const [cmd, status, stderr] of CASES) {
    const r = fw.sh(cmd);
    assert.deepEqual([r.status, r.stdout, r.stderr], [status, "", stderr], cmd);
  }
  assert.equal(fw.sh("iptables-save").stdout, before);
});

scenario("iptables errors: -h prints the usage and changes nothing", (net) => {
  const { fw } = firewallLab(net);
  const r = fw.sh("iptables -h");
  assert.equal(r.status, 0);
  assert.deepEqual(r.stdout.split("\n").slice(0, 3), [
    "iptables v1.8.9 (nf_tables)",
    "",
    "Usage: iptables -[ACD] chain rule-specification [options]",
  ]);
});
