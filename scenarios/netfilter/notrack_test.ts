/**
 * NOTRACK (or `-j CT --notrack`) in the raw table exempts packets from
 * connection tracking: they get no conntrack entry and their state is
 * UNTRACKED, which `-m conntrack --ctstate UNTRACKED` (or `-m state`) matches.
 * It works per packet, not per connection: exempting the DNS queries alone
 * leaves the answers to be tracked — each answer is NEW, and conntrack lists
 * an entry "from" the server. A stateful FORWARD chain that lets in only NEW
 * from inside and ESTABLISHED,RELATED drops untracked packets unless it also
 * accepts UNTRACKED. (Checked on Linux 6.18 with iptables-nft 1.8.9.)
 *
 *   client 10.1.0.2 ── eth0 fw eth1 ── 10.2.0.2 server (DNS on udp/53)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Node } from "../../core/node/node.ts";
import { ip } from "../../core/wire/addr.ts";
import { conntrackLines, counters, firewallLab } from "./netfilter_testing.ts";

const enc = new TextEncoder();

/** A UDP server on port 53 that answers every datagram. */
function dnsServer(server: Node): void {
  const sock = server.root.udp.socket();
  sock.bind(0, 53);
  sock.onMessage = (d) => sock.sendTo(enc.encode("answer"), d.from, d.fromPort);
}

/** Send one query from the client; returns the socket. */
function query(client: Node, net: { run(t: number): void; sim: { now: number } }) {
  const sock = client.root.udp.socket();
  sock.sendTo(enc.encode("query"), ip("10.2.0.2"), 53);
  net.run(net.sim.now + 10e6);
  return sock;
}

scenario(
  "NOTRACK: the queries are untracked, the answers start connections of their own",
  (net) => {
    const { client, fw, server } = firewallLab(net);
    dnsServer(server);
    fw.sh(`iptables -t raw -A PREROUTING -i eth0 -p udp --dport 53 -j NOTRACK
iptables -A FORWARD -m conntrack --ctstate UNTRACKED -j ACCEPT
iptables -A FORWARD -m conntrack --ctstate NEW -j ACCEPT`);
    const sock = query(client, net);
    assert.equal(sock.inbox.length, 1, "the answer arrived");
    assert.deepEqual(counters(fw, "FORWARD").map((r) => r.slice(0, 2)), [[1, 33], [1, 34]]);
    // The answer (not exempted) was NEW: conntrack holds an entry with the server as origin.
    const p = sock.localPort;
    assert.deepEqual(conntrackLines(fw), [
      `udp      17 T src=10.2.0.2 dst=10.1.0.2 sport=53 dport=${p} [UNREPLIED] ` +
      `src=10.1.0.2 dst=10.2.0.2 sport=${p} dport=53 mark=0 use=1`,
    ]);
    // Exempt the answers too: nothing is tracked any more; pings still are.
    fw.sh("conntrack -F; iptables -t raw -A PREROUTING -i eth1 -p udp --sport 53 -j CT --notrack");
    query(client, net);
    client.sh("ping -c 1 10.2.0.2");
    const lines = conntrackLines(fw);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^icmp +1 T src=10\.1\.0\.2 dst=10\.2\.0\.2 type=8 code=0 /);
    assert.deepEqual(counters(fw, "FORWARD").map((r) => r[0]), [3, 2]);
    // How the two spellings are listed.
    assert.equal(
      fw.sh("iptables -t raw -S PREROUTING").stdout,
      "-P PREROUTING ACCEPT\n" +
        "-A PREROUTING -i eth0 -p udp -m udp --dport 53 -j NOTRACK\n" +
        "-A PREROUTING -i eth1 -p udp -m udp --sport 53 -j CT --notrack\n",
    );
    assert.deepEqual(
      fw.sh("iptables -t raw -L PREROUTING -n").stdout.split("\n").slice(2, 4),
      [
        "CT         17   --  0.0.0.0/0            0.0.0.0/0            udp dpt:53 NOTRACK",
        "CT         17   --  0.0.0.0/0            0.0.0.0/0            udp spt:53 CT notrack",
      ],
    );
  },
);

scenario("NOTRACK: a stateful FORWARD chain drops untracked packets it does not name", (net) => {
  const { client, fw, server } = firewallLab(net);
  dnsServer(server);
  fw.sh(`iptables -t raw -A PREROUTING -p udp --dport 53 -j NOTRACK
iptables -t raw -A PREROUTING -p udp --sport 53 -j NOTRACK
iptables -P FORWARD DROP
iptables -A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT
iptables -A FORWARD -i eth0 -m state --state NEW -j ACCEPT`);
  assert.equal(client.sh("ping -c 1 10.2.0.2").status, 0, "tracked traffic passes");
  const first = query(client, net);
  assert.equal(first.inbox.length, 0);
  const d = net.trace.filter({ kind: "drop", node: "fw" });
  assert.deepEqual(d.map((e) => [e.packet.udp?.dstPort, e.detail]), [[
    53,
    "filter FORWARD policy DROP",
  ]]);
  // Name them, in both directions.
  fw.sh("iptables -I FORWARD -m state --state UNTRACKED -j ACCEPT");
  const second = query(client, net);
  assert.equal(second.inbox.length, 1);
  assert.equal(
    fw.sh("iptables -S FORWARD 1").stdout,
    "-A FORWARD -m state --state UNTRACKED -j ACCEPT\n",
  );
  assert.deepEqual(counters(fw, "FORWARD").map((r) => r[0]), [2, 1, 1]);
});

scenario("NOTRACK: only in the raw table's PREROUTING and OUTPUT", (net) => {
  const { fw } = firewallLab(net);
  const a = fw.sh("iptables -A FORWARD -j NOTRACK");
  assert.deepEqual([a.status, a.stderr], [
    4,
    "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain FORWARD\n",
  ]);
  const b = fw.sh("iptables -t raw -A INPUT -j NOTRACK");
  assert.deepEqual([b.status, b.stderr], [1, "iptables: No chain/target/match by that name.\n"]);
  const c = fw.sh("iptables -A FORWARD -m conntrack --ctstate BOGUS -j ACCEPT");
  assert.deepEqual([c.status, c.stderr], [
    2,
    'iptables v1.8.9 (nf_tables): Bad ctstate "BOGUS"\n' +
    "Try `iptables -h' or 'iptables --help' for more information.\n",
  ]);
  assert.equal(fw.sh("iptables -t raw -A OUTPUT -p udp --dport 53 -j NOTRACK").status, 0);
});
