/**
 * Editing a chain in place: `-I CHAIN N` inserts before rule N (1 without a
 * number), `-R CHAIN N` replaces rule N (its counters start again at 0),
 * `-D CHAIN N` deletes by number, `-D CHAIN RULE` by specification — the first
 * rule that prints the same, whatever spelling made it (`--dport ssh` is
 * `--dport 22`, `--icmp-type echo-request` is `--icmp-type 8`, but `-p icmp`
 * is not `-p icmp --icmp-type any`). `-L CHAIN N` and `-S CHAIN N` show one
 * rule alone. Order is behaviour: the client's ping is dropped or not
 * depending on where the ACCEPT sits. (Checked against iptables 1.8.9.)
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { counters, firewallLab } from "./netfilter_testing.ts";

const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

scenario("rules: insert, replace and delete, and what the order does", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A INPUT -s 10.1.0.2 -j ACCEPT; iptables -A INPUT -p icmp -j DROP");
  fw.sh("iptables -I INPUT 2 -p tcp --dport 22 -j ACCEPT");
  assert.equal(
    fw.sh("iptables -L INPUT -n --line-numbers").stdout,
    [
      "Chain INPUT (policy ACCEPT)",
      "num  target     prot opt source               destination         ",
      "1    ACCEPT     0    --  10.1.0.2             0.0.0.0/0           ",
      "2    ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:22",
      "3    DROP       1    --  0.0.0.0/0            0.0.0.0/0           ",
      "",
    ].join("\n"),
  );
  // The client's address is accepted before the ICMP DROP is reached.
  assert.equal(client.sh("ping -c 1 10.1.0.1").status, 0);
  assert.deepEqual(counters(fw, "INPUT").map((r) => r[0]), [1, 0, 0]);
  // Replace rule 1 with another address: now the DROP takes the ping.
  fw.sh("iptables -R INPUT 1 -s 10.1.0.3 -j ACCEPT");
  assert.equal(client.sh("ping -c 1 -W 1 10.1.0.1").status, 1);
  assert.deepEqual(counters(fw, "INPUT").map((r) => r[0]), [0, 0, 1]);
  // An ACCEPT inserted at the top (no number) wins again.
  fw.sh("iptables -I INPUT -p icmp -j ACCEPT");
  assert.equal(client.sh("ping -c 1 10.1.0.1").status, 0);
  assert.deepEqual(counters(fw, "INPUT").map((r) => r[0]), [1, 0, 0, 1]);
  // One rule alone, by number.
  assert.equal(
    fw.sh("iptables -L INPUT 4 -n --line-numbers").stdout,
    "4    DROP       1    --  0.0.0.0/0            0.0.0.0/0           \n",
  );
  assert.equal(fw.sh("iptables -S INPUT 2").stdout, "-A INPUT -s 10.1.0.3/32 -j ACCEPT\n");
  assert.equal(fw.sh("iptables -L INPUT 9").stdout, "", "no such rule: nothing, status 0");
});

scenario("rules: -D by specification matches what the rule prints", (net) => {
  const { fw } = firewallLab(net);
  fw.sh(`iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -A INPUT -p icmp -j DROP
iptables -A INPUT -p icmp --icmp-type echo-request -j DROP
iptables -A INPUT -p icmp -j DROP`);
  assert.equal(fw.sh("iptables -D INPUT -p tcp --dport ssh -j ACCEPT").status, 0);
  const any = fw.sh("iptables -D INPUT -p icmp -m icmp --icmp-type any -j DROP");
  assert.deepEqual([any.status, any.stderr], [
    1,
    "iptables: Bad rule (does a matching rule exist in that chain?).\n",
  ]);
  assert.equal(fw.sh("iptables -D INPUT -p icmp --icmp-type 8 -j DROP").status, 0);
  // Of two identical rules, the first goes.
  fw.sh("iptables -I INPUT -s 10.9.9.9 -j ACCEPT");
  fw.sh("iptables -D INPUT -p icmp -j DROP");
  assert.equal(
    fw.sh("iptables -S INPUT").stdout,
    "-P INPUT ACCEPT\n-A INPUT -s 10.9.9.9/32 -j ACCEPT\n-A INPUT -p icmp -j DROP\n",
  );
  fw.sh("iptables -D INPUT 1");
  assert.equal(fw.sh("iptables -S INPUT").stdout, "-P INPUT ACCEPT\n-A INPUT -p icmp -j DROP\n");
});

scenario("rules: bad rule numbers and missing rules", (net) => {
  const { fw } = firewallLab(net);
  fw.sh("iptables -A INPUT -p icmp -j DROP; iptables -A INPUT -p tcp --dport 22 -j ACCEPT");
  const cases: Array<[string, number, string]> = [
    ["iptables -D INPUT 9", 1, "iptables: Index of deletion too big.\n"],
    ["iptables -I INPUT 99 -j ACCEPT", 1, "iptables: Index of insertion too big.\n"],
    ["iptables -R INPUT 5 -j ACCEPT", 1, "iptables: Index of replacement too big.\n"],
    ["iptables -D INPUT 0", 2, "iptables v1.8.9 (nf_tables): Invalid rule number `0'\n" + TRY],
    [
      "iptables -I INPUT 0 -j ACCEPT",
      2,
      "iptables v1.8.9 (nf_tables): Invalid rule number `0'\n" + TRY,
    ],
    ["iptables -L INPUT x", 2, "iptables v1.8.9 (nf_tables): Invalid rule number `x'\n" + TRY],
    [
      "iptables -D INPUT -p udp -j ACCEPT",
      1,
      "iptables: Bad rule (does a matching rule exist in that chain?).\n",
    ],
    [
      "iptables -D INPUT -p tcp --dport 22 -j DROP",
      1,
      "iptables: Bad rule (does a matching rule exist in that chain?).\n",
    ],
    [
      "iptables -A INPUT -p tcp -j ACCEPT -j DROP",
      2,
      "iptables v1.8.9 (nf_tables): multiple -j flags not allowed\n" + TRY,
    ],
    [
      "iptables -A INPUT -j ACCEPT -D INPUT 1",
      2,
      "iptables v1.8.9 (nf_tables): Cannot use -D with -A\n" + TRY,
    ],
    ["iptables -L -n INPUT", 2, "Bad argument `INPUT'\n" + TRY],
  ];
  for (const [cmd, status, stderr] of cases) {
    const r = fw.sh(cmd);
    assert.deepEqual([r.status, r.stdout, r.stderr], [status, "", stderr], cmd);
  }
  // -I at one past the end appends.
  assert.equal(fw.sh("iptables -I INPUT 3 -j LOG").status, 0);
  assert.equal(
    fw.sh("iptables -S INPUT").stdout,
    "-P INPUT ACCEPT\n-A INPUT -p icmp -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j LOG\n",
  );
});
