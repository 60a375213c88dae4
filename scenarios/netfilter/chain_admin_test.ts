/**
 * Managing user chains: `-N` makes one, `-E` renames it (the rules that jump
 * to it follow), `-X` deletes it — but only when nothing jumps to it and it
 * holds no rules (iptables-nft says "CHAIN_DEL failed (Device or resource
 * busy)", status 4), so the usual order is -D the jump, -F, then -X. `-X`
 * without a name deletes every user chain or, if one cannot go, none. User
 * chains are listed in name order, after the built-in ones. A telnet attempt
 * shows the renamed chain still at work. (Messages and statuses recorded from
 * iptables 1.8.9.)
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { connect, firewallLab, kernelLog } from "./netfilter_testing.ts";

const BUSY = (chain: string) =>
  `iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain ${chain}\n`;
const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

scenario("chains: create, jump, rename, and delete in the right order", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh(`iptables -N LOGDROP
iptables -A LOGDROP -j LOG --log-prefix "LOGDROP: "
iptables -A LOGDROP -j DROP
iptables -A INPUT -p tcp --dport 23 -j LOGDROP`);
  let r = fw.sh("iptables -X LOGDROP");
  assert.deepEqual([r.status, r.stderr], [4, BUSY("LOGDROP")]);
  // Renaming carries the jump along.
  assert.equal(fw.sh("iptables -E LOGDROP TELNET_DROP").status, 0);
  assert.equal(
    fw.sh("iptables -S").stdout,
    [
      "-P INPUT ACCEPT",
      "-P FORWARD ACCEPT",
      "-P OUTPUT ACCEPT",
      "-N TELNET_DROP",
      "-A INPUT -p tcp -m tcp --dport 23 -j TELNET_DROP",
      '-A TELNET_DROP -j LOG --log-prefix "LOGDROP: "',
      "-A TELNET_DROP -j DROP",
      "",
    ].join("\n"),
  );
  const telnet = connect(client, "10.1.0.1", 23);
  net.run(net.sim.now + 2 * s);
  assert.equal(telnet.state, "SYN-SENT");
  assert.equal(kernelLog(fw).length, 2, "the SYN and its retransmission");
  assert.match(
    kernelLog(fw)[0]!,
    /^LOGDROP: IN=eth0 OUT= .* PROTO=TCP SPT=\d+ DPT=23 .* SYN URGP=0 $/,
  );
  assert.equal(
    net.trace.first({ kind: "drop", node: "fw" })!.detail,
    "filter TELNET_DROP rule 2 (DROP)",
  );
  // No longer jumped to, but not empty: still busy.
  fw.sh("iptables -D INPUT -p tcp --dport 23 -j TELNET_DROP");
  r = fw.sh("iptables -X TELNET_DROP");
  assert.deepEqual([r.status, r.stderr], [4, BUSY("TELNET_DROP")]);
  fw.sh("iptables -F TELNET_DROP");
  r = fw.sh("iptables -X TELNET_DROP");
  assert.deepEqual([r.status, r.out], [0, ""]);
  assert.equal(
    fw.sh("iptables -S").stdout,
    "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n",
  );
});

scenario("chains: name order, and -X for all or nothing", (net) => {
  const { fw } = firewallLab(net);
  fw.sh("iptables -N zeta; iptables -N alpha; iptables -N Mid; iptables -A FORWARD -j zeta");
  // strcmp order: capitals first.
  assert.deepEqual(
    fw.sh("iptables -L -n").stdout.match(/^Chain \S+/gm),
    ["Chain INPUT", "Chain FORWARD", "Chain OUTPUT", "Chain Mid", "Chain alpha", "Chain zeta"],
  );
  const r = fw.sh("iptables -X");
  assert.deepEqual([r.status, r.stderr], [4, BUSY("zeta")]);
  assert.equal(
    fw.sh("iptables -S").stdout.match(/^-N .*$/gm)!.join(" "),
    "-N Mid -N alpha -N zeta",
  );
  fw.sh("iptables -F FORWARD");
  assert.equal(fw.sh("iptables -X").status, 0);
  assert.equal(fw.sh("iptables -S").stdout.match(/^-N /gm), null);
  // A renamed chain takes its place in the order.
  fw.sh("iptables -N b; iptables -N c; iptables -E c a");
  assert.equal(fw.sh("iptables -S").stdout.match(/^-N .*$/gm)!.join(" "), "-N a -N b");
});

scenario("chains: bad -N, -E and -X command lines", (net) => {
  const { fw } = firewallLab(net);
  fw.sh("iptables -N web; iptables -N db");
  const cases: Array<[string, number, string]> = [
    ["iptables -N INPUT", 1, "iptables: Chain already exists.\n"],
    ["iptables -N web", 1, "iptables: Chain already exists.\n"],
    [
      "iptables -N ACCEPT",
      2,
      "iptables v1.8.9 (nf_tables): chain name may not clash with target name\n" + TRY,
    ],
    [
      "iptables -N LOG",
      2,
      "iptables v1.8.9 (nf_tables): chain name may not clash with target name\n" + TRY,
    ],
    [
      "iptables -N abcdefghijabcdefghijabcdefghi",
      2,
      "iptables v1.8.9 (nf_tables): chain name `abcdefghijabcdefghijabcdefghi' too long (must be under 29 chars)\n" +
      TRY,
    ],
    ["iptables -E web db", 1, "iptables: File exists.\n"],
    ["iptables -E web INPUT", 1, "iptables: File exists.\n"],
    ["iptables -E nope other", 1, "iptables: No chain/target/match by that name.\n"],
    [
      "iptables -E web",
      2,
      "iptables v1.8.9 (nf_tables): -E requires old-chain-name and new-chain-name\n" + TRY,
    ],
    ["iptables -X nope", 1, "iptables: No chain/target/match by that name.\n"],
    ["iptables -F nope", 1, "iptables: No chain/target/match by that name.\n"],
    ["iptables -A nope -j ACCEPT", 1, "iptables: No chain/target/match by that name.\n"],
    [
      "iptables -A INPUT -j nope",
      2,
      "iptables v1.8.9 (nf_tables): Chain 'nope' does not exist\n" + TRY,
    ],
    [
      "iptables -A INPUT -g nope",
      2,
      "iptables v1.8.9 (nf_tables): Chain 'nope' does not exist\n" + TRY,
    ],
    [
      "iptables -L nope",
      1,
      "iptables v1.8.9 (nf_tables): chain `nope' in table `filter' is incompatible, use 'nft' tool.\n",
    ],
  ];
  for (const [cmd, status, stderr] of cases) {
    const r = fw.sh(cmd);
    assert.deepEqual([r.status, r.stdout, r.stderr], [status, "", stderr], cmd);
  }
  assert.equal(fw.sh("iptables -S").stdout.match(/^-N .*$/gm)!.join(" "), "-N db -N web");
  // Built-in chains are base chains iptables-nft makes on first write. One
  // never written to is not there to delete; an empty one with the default
  // policy may be deleted (and is made again on next use); one with a DROP
  // policy or rules may not.
  const none = fw.sh("iptables -X OUTPUT");
  assert.deepEqual([none.status, none.stderr], [
    1,
    "iptables: No chain/target/match by that name.\n",
  ]);
  fw.sh("iptables -P OUTPUT ACCEPT");
  assert.equal(fw.sh("iptables -X OUTPUT").status, 0);
  assert.equal(fw.sh("iptables -X OUTPUT").status, 1, "gone again");
  fw.sh("iptables -P INPUT DROP");
  const x = fw.sh("iptables -X INPUT");
  assert.deepEqual([x.status, x.stderr], [1, "iptables: Directory not empty.\n"]);
});
