/**
 * Rule counters after real traffic: 200 kB sent from the client to the
 * server's port 80 through the firewall. Each rule counts the packets it
 * matched and their IP lengths — exactly what left the client, segment for
 * segment. `-L -v` rounds past 99999 (K, then M, as xtables_print_num does),
 * `-x` prints exact numbers, `-Z` zeroes (all chains, one chain, or one rule
 * by number; with `-L` it lists first, and `-v` names the chains it zeroed),
 * and `iptables-save -c` writes `[packets:bytes]` before each rule and after
 * each built-in chain's policy.
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server (:80)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";
import { ipHeaderLength } from "../../core/ip/ipv4.ts";
import { ipPayloadLength } from "../../core/wire/frame.ts";
import { connect, counters, firewallLab, serve } from "./netfilter_testing.ts";

/** IP length of each TCP packet `node` sent with this destination (or source) port. */
function sent(net: Network, node: string, port: { dst?: number; src?: number }): number[] {
  return net.trace.filter({ kind: "tx", node, proto: 6 }).filter((e) =>
    (port.dst === undefined || e.packet.tcp!.dstPort === port.dst) &&
    (port.src === undefined || e.packet.tcp!.srcPort === port.src)
  ).map((e) => ipHeaderLength(e.packet) + ipPayloadLength(e.packet));
}

function transfer(net: Network) {
  const lab = firewallLab(net);
  const { client, fw, server } = lab;
  fw.sh("iptables -A FORWARD -p tcp --dport 80 -j ACCEPT");
  fw.sh("iptables -A FORWARD -p tcp --sport 80 -j ACCEPT");
  fw.sh("iptables -A FORWARD -p icmp -j ACCEPT");
  const srv = serve(server, 80);
  const c = connect(client, "10.2.0.2", 80);
  c.onConnect = () => {
    c.sendBulk(200_000);
    c.shutdown();
  };
  net.run(net.sim.now + 5 * s);
  assert.equal(srv.conns[0]!.stats.bytesReceived, 200_000);
  return lab;
}

scenario("counters: each rule counts exactly the packets that crossed it", (net) => {
  const { fw } = transfer(net);
  const up = sent(net, "client", { dst: 80 });
  const down = sent(net, "server", { src: 80 });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.ok(sum(up) > 200_000);
  assert.deepEqual(counters(fw, "FORWARD"), [
    [up.length, sum(up), "ACCEPT 6 -- * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:80"],
    [down.length, sum(down), "ACCEPT 6 -- * * 0.0.0.0/0 0.0.0.0/0 tcp spt:80"],
    [0, 0, "ACCEPT 1 -- * * 0.0.0.0/0 0.0.0.0/0"],
  ]);
  // Without -x the byte column is rounded to thousands past 99999.
  const rows = fw.sh("iptables -L FORWARD -n -v").stdout.split("\n");
  const k = Math.floor((sum(up) + 500) / 1000);
  assert.equal(
    rows[2],
    `${String(up.length).padStart(5)} ${
      String(k).padStart(4)
    }K ACCEPT     6    --  *      *       ` +
      "0.0.0.0/0            0.0.0.0/0            tcp dpt:80",
  );
  assert.match(rows[3]!, /^ +\d+ +\d+ ACCEPT {5}6 {4}-- /, "the ACKs stay under 100000 bytes");
  // Nothing met the policy: every packet matched a rule.
  assert.equal(rows[0], "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)");
});

scenario("counters: -Z for one rule, one chain, and with -L", (net) => {
  const { client, fw } = transfer(net);
  client.sh("ping -c 3 10.2.0.2");
  const before = counters(fw, "FORWARD");
  assert.equal(before[2]![0], 6, "three requests and three replies");
  fw.sh("iptables -Z FORWARD 2");
  const after = counters(fw, "FORWARD");
  assert.deepEqual(after.map((r) => r[0]), [before[0]![0], 0, 6]);
  // -L -Z lists first, then zeroes; -v makes it say so.
  const lz = fw.sh("iptables -L FORWARD -n -v -x -Z");
  assert.match(lz.stdout, /^ +6 +504 ACCEPT /m);
  assert.equal(lz.stdout.split("\n").at(-2), "Zeroing chain `FORWARD'");
  assert.deepEqual(counters(fw, "FORWARD").map((r) => r[0]), [0, 0, 0]);
  // The INPUT chain was not zeroed (the firewall's own ARP does not count; nothing did).
  client.sh("ping -c 1 10.1.0.1");
  fw.sh("iptables -Z");
  assert.equal(
    fw.sh("iptables -L INPUT -v").stdout.split("\n")[0],
    "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)",
  );
});

scenario("counters: iptables-save -c writes them, iptables-restore -c puts them back", (net) => {
  const { fw } = transfer(net);
  const saved = fw.sh("iptables-save -c").stdout;
  const rows = counters(fw, "FORWARD");
  const lines = saved.split("\n").filter((l) => l.startsWith("[") || l.startsWith(":"));
  assert.deepEqual(lines, [
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    `[${rows[0]![0]}:${rows[0]![1]}] -A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT`,
    `[${rows[1]![0]}:${rows[1]![1]}] -A FORWARD -p tcp -m tcp --sport 80 -j ACCEPT`,
    "[0:0] -A FORWARD -p icmp -j ACCEPT",
  ]);
  fw.sh("iptables -Z; iptables -F");
  fw.files.set("/root/fw.rules", new TextEncoder().encode(saved));
  assert.equal(fw.sh("iptables-restore -c < /root/fw.rules").status, 0);
  assert.deepEqual(counters(fw, "FORWARD"), rows);
  // Without -c the counters start from zero.
  assert.equal(fw.sh("iptables-restore < /root/fw.rules").status, 0);
  assert.deepEqual(counters(fw, "FORWARD").map((r) => r[0]), [0, 0, 0]);
});

scenario("counters: big numbers in -v and -x", (net) => {
  const { fw } = firewallLab(net);
  // Counters set by hand (-c), as iptables-restore does.
  fw.sh("iptables -A INPUT -c 123456 987654321 -j ACCEPT");
  fw.sh("iptables -A INPUT -c 99999 99999 -j ACCEPT");
  const v = fw.sh("iptables -L INPUT -n -v").stdout.split("\n");
  assert.equal(
    v[2],
    " 123K  988M ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0           ",
  );
  assert.equal(
    v[3],
    "99999 99999 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0           ",
  );
  const x = fw.sh("iptables -L INPUT -n -v -x").stdout.split("\n");
  assert.equal(
    x[2],
    "  123456 987654321 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0           ",
  );
});
