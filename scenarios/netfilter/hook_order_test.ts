/**
 * The order of the tables and hooks, proved by the packets themselves. The
 * firewall gets a LOG rule with its own prefix in every built-in chain of
 * every table (raw, mangle, nat, filter), then one ping goes through it, one
 * to it and one from it. The kernel log, read top to bottom, is the path:
 *
 *   forwarded  raw PREROUTING → mangle PREROUTING → nat PREROUTING →
 *              (routing) → mangle FORWARD → filter FORWARD →
 *              mangle POSTROUTING → nat POSTROUTING
 *   delivered  raw PREROUTING → mangle PREROUTING → nat PREROUTING →
 *              (routing) → mangle INPUT → filter INPUT → nat INPUT
 *   generated  raw OUTPUT → mangle OUTPUT → nat OUTPUT → filter OUTPUT →
 *              mangle POSTROUTING → nat POSTROUTING
 *
 * Only a connection's first packet meets the nat table, so the echo replies
 * show no nat lines. The TTL is 64 up to PREROUTING and 63 from FORWARD on:
 * ip_forward decrements it before the FORWARD hook. At POSTROUTING a
 * forwarded packet still names the device it came in on.
 *
 * The nat chains see packets only when connection tracking runs in the
 * namespace, which a NAT target or a state match turns on (their checkentry
 * calls nf_ct_netns_get); the rule set therefore starts with the usual
 * `-m conntrack --ctstate INVALID -j DROP`. Without it the nat LOG rules stay
 * silent, as on Linux. (Checked against Linux 6.18 with iptables-nft 1.8.9.)
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Node } from "../../core/node/node.ts";
import { firewallLab, kernelLog } from "./netfilter_testing.ts";

const CHAINS: Array<[string, string[]]> = [
  ["raw", ["PREROUTING", "OUTPUT"]],
  ["mangle", ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]],
  ["nat", ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]],
  ["filter", ["INPUT", "FORWARD", "OUTPUT"]],
];

/** A LOG rule for ICMP in every chain, prefixed "table CHAIN: ". */
function logEverywhere(fw: Node): void {
  for (const [table, chains] of CHAINS) {
    for (const chain of chains) {
      const r = fw.sh(
        `iptables -t ${table} -A ${chain} -p icmp -j LOG --log-prefix "${table} ${chain}: "`,
      );
      assert.equal(r.status, 0, `${table} ${chain}: ${r.out}`);
    }
  }
}

/** "table CHAIN IN=… OUT=… TTL=…" for each line: the path in short. */
function path(lines: string[]): string[] {
  return lines.map((l) => {
    const m = /^(\w+ \w+): (IN=\S* OUT=\S*) .* TTL=(\d+) .* TYPE=(\d+) /.exec(l)!;
    return `${m[1]} ${m[2]} TTL=${m[3]} TYPE=${m[4]}`;
  });
}

scenario("hook order: a forwarded ping, table by table and hook by hook", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP");
  logEverywhere(fw);
  assert.equal(client.sh("ping -c 1 10.2.0.2").status, 0);
  const log = kernelLog(fw);
  assert.deepEqual(path(log), [
    // The echo request: new, so it meets the nat table twice.
    "raw PREROUTING IN=eth0 OUT= TTL=64 TYPE=8",
    "mangle PREROUTING IN=eth0 OUT= TTL=64 TYPE=8",
    "nat PREROUTING IN=eth0 OUT= TTL=64 TYPE=8",
    "mangle FORWARD IN=eth0 OUT=eth1 TTL=63 TYPE=8",
    "filter FORWARD IN=eth0 OUT=eth1 TTL=63 TYPE=8",
    "mangle POSTROUTING IN=eth0 OUT=eth1 TTL=63 TYPE=8",
    "nat POSTROUTING IN=eth0 OUT=eth1 TTL=63 TYPE=8",
    // The echo reply belongs to the connection: no nat lines.
    "raw PREROUTING IN=eth1 OUT= TTL=64 TYPE=0",
    "mangle PREROUTING IN=eth1 OUT= TTL=64 TYPE=0",
    "mangle FORWARD IN=eth1 OUT=eth0 TTL=63 TYPE=0",
    "filter FORWARD IN=eth1 OUT=eth0 TTL=63 TYPE=0",
    "mangle POSTROUTING IN=eth1 OUT=eth0 TTL=63 TYPE=0",
  ]);
  // One line in full, in the kernel's layout: the MAC field is the received
  // header (destination, source, EtherType), IDs are the packet's own.
  const req = net.trace.first({ kind: "tx", node: "client", icmp: "echo-request" })!.packet;
  const icmpId = req.icmp!.rest >>> 16;
  assert.equal(
    log[4],
    `filter FORWARD: IN=eth0 OUT=eth1 MAC=${fw.mac("eth0")}:${client.mac("eth0")}:08:00 ` +
      `SRC=10.1.0.2 DST=10.2.0.2 LEN=84 TOS=0x00 PREC=0x00 TTL=63 ID=${req.ip!.id} DF ` +
      `PROTO=ICMP TYPE=8 CODE=0 ID=${icmpId} SEQ=1 `,
  );
  // dmesg stamps each line with the virtual time it was written.
  const rx = net.trace.first({ kind: "rx", node: "fw", icmp: "echo-request" })!;
  const us = Math.floor(rx.time / 1000);
  const stamp = `[${String(Math.floor(us / 1e6)).padStart(5)}.${
    String(us % 1e6).padStart(6, "0")
  }]`;
  assert.equal(fw.sh("dmesg").stdout.split("\n")[0], `${stamp} ${log[0]}`);
});

scenario("hook order: a ping to the firewall and a ping from it", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP");
  logEverywhere(fw);
  client.sh("ping -c 1 10.1.0.1");
  assert.deepEqual(path(kernelLog(fw)), [
    "raw PREROUTING IN=eth0 OUT= TTL=64 TYPE=8",
    "mangle PREROUTING IN=eth0 OUT= TTL=64 TYPE=8",
    "nat PREROUTING IN=eth0 OUT= TTL=64 TYPE=8",
    "mangle INPUT IN=eth0 OUT= TTL=64 TYPE=8",
    "filter INPUT IN=eth0 OUT= TTL=64 TYPE=8",
    "nat INPUT IN=eth0 OUT= TTL=64 TYPE=8",
    // The reply the firewall generates: OUTPUT then POSTROUTING, no MAC field.
    "raw OUTPUT IN= OUT=eth0 TTL=64 TYPE=0",
    "mangle OUTPUT IN= OUT=eth0 TTL=64 TYPE=0",
    "filter OUTPUT IN= OUT=eth0 TTL=64 TYPE=0",
    "mangle POSTROUTING IN= OUT=eth0 TTL=64 TYPE=0",
  ]);
  fw.sh("dmesg -c");
  assert.deepEqual(kernelLog(fw), [], "dmesg -c cleared the log");
  fw.sh("ping -c 1 10.2.0.2");
  const log = kernelLog(fw);
  assert.deepEqual(path(log), [
    "raw OUTPUT IN= OUT=eth1 TTL=64 TYPE=8",
    "mangle OUTPUT IN= OUT=eth1 TTL=64 TYPE=8",
    "nat OUTPUT IN= OUT=eth1 TTL=64 TYPE=8",
    "filter OUTPUT IN= OUT=eth1 TTL=64 TYPE=8",
    "mangle POSTROUTING IN= OUT=eth1 TTL=64 TYPE=8",
    "nat POSTROUTING IN= OUT=eth1 TTL=64 TYPE=8",
    "raw PREROUTING IN=eth1 OUT= TTL=64 TYPE=0",
    "mangle PREROUTING IN=eth1 OUT= TTL=64 TYPE=0",
    "mangle INPUT IN=eth1 OUT= TTL=64 TYPE=0",
    "filter INPUT IN=eth1 OUT= TTL=64 TYPE=0",
  ]);
  assert.match(log[0]!, /^raw OUTPUT: IN= OUT=eth1 SRC=10\.2\.0\.1 DST=10\.2\.0\.2 LEN=84 /);
});

scenario("hook order: without connection tracking the nat chains see nothing", (net) => {
  const { client, fw } = firewallLab(net);
  logEverywhere(fw);
  client.sh("ping -c 1 10.2.0.2");
  const log = kernelLog(fw);
  assert.equal(log.length, 10, "five lines for the request, five for the reply");
  assert.ok(log.every((l) => !l.startsWith("nat ")), log.join("\n"));
  assert.equal(fw.sh("conntrack -L").stdout, "");
  // Their counters agree: the rules never saw a packet.
  const nat = fw.sh("iptables -t nat -L -n -v -x").stdout;
  assert.equal((nat.match(/^ +0 +0 LOG /gm) ?? []).length, 4);
});

scenario("hook order: chains a table does not have", (net) => {
  const { fw } = firewallLab(net);
  for (
    const cmd of ["iptables -t raw -A INPUT -j ACCEPT", "iptables -t nat -A FORWARD -j ACCEPT"]
  ) {
    const r = fw.sh(cmd);
    assert.deepEqual([r.status, r.stderr], [1, "iptables: No chain/target/match by that name.\n"]);
  }
  // A built-in chain's name in the wrong case is just an unknown chain.
  assert.equal(
    fw.sh("iptables -A input -j ACCEPT").stderr,
    "iptables: No chain/target/match by that name.\n",
  );
});
