/**
 * What a TCP client sees of a firewall rule against its connection:
 *
 * - `REJECT --reject-with tcp-reset`: a RST|ACK (seq 0, ack = the SYN's
 *   sequence + 1, window 0) comes back at once, from the address the client
 *   called — also when the firewall on the way makes it: the client cannot
 *   tell it from a closed port. connect() fails with ECONNREFUSED after one
 *   round trip; curl says (7).
 * - `REJECT` (icmp-port-unreachable): ECONNREFUSED too, from the ICMP error.
 * - `REJECT --reject-with icmp-host-prohibited`: EHOSTUNREACH, "No route to
 *   host" in curl's verbose lines.
 * - `DROP`: nothing comes back; the SYN is sent again 1, 3, 7, 15, 31 and 63
 *   s after the first (exponential back-off from Linux's 1 s initial RTO) and
 *   connect() fails with ETIMEDOUT at 127 s, when tcp_syn_retries (6) are
 *   spent. The rule counts all seven SYNs.
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import { formatIp4 } from "../../core/wire/addr.ts";
import { connect, counters, firewallLab } from "./netfilter_testing.ts";

scenario("REJECT tcp-reset: connect() is refused at once, by 'the server'", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A FORWARD -p tcp --dport 23 -j REJECT --reject-with tcp-reset");
  const t0 = net.sim.now;
  const c = connect(client, "10.2.0.2", 23);
  net.run(t0 + 1 * s);
  assert.equal(c.error, "ECONNREFUSED");
  const fail = c.history.at(-1)!;
  assert.ok(fail.time - t0 < 1 * ms, "one round trip to the firewall");
  const syn = net.trace.first({ kind: "tx", node: "client", proto: 6 })!.packet;
  const rst = net.trace.first({ kind: "tx", node: "fw", proto: 6 })!.packet;
  // The firewall speaks for 10.2.0.2:23; the server never heard of it.
  assert.deepEqual(
    [formatIp4(rst.ip!.src), rst.tcp!.srcPort, formatIp4(rst.ip!.dst), rst.tcp!.dstPort],
    ["10.2.0.2", 23, "10.1.0.2", syn.tcp!.srcPort],
  );
  assert.deepEqual(
    [rst.tcp!.flags, rst.tcp!.seq, rst.tcp!.ack, rst.tcp!.window, rst.ip!.ttl],
    [TcpFlag.RST | TcpFlag.ACK, 0, (syn.tcp!.seq + 1) >>> 0, 0, 64],
  );
  assert.equal(net.trace.filter({ kind: "rx", node: "server", proto: 6 }).length, 0);
  const curl = client.sh("curl -sS http://10.2.0.2:23/");
  assert.deepEqual([curl.status, curl.stderr], [
    7,
    "curl: (7) Failed to connect to 10.2.0.2 port 23 after 0 ms: Couldn't connect to server\n",
  ]);
});

scenario(
  "REJECT with ICMP: port unreachable refuses, host prohibited is 'No route to host'",
  (net) => {
    const { client, server } = firewallLab(net);
    server.sh("iptables -A INPUT -p tcp --dport 80 -j REJECT --reject-with icmp-host-prohibited");
    server.sh("iptables -A INPUT -p tcp --dport 81 -j REJECT");
    const a = connect(client, "10.2.0.2", 80);
    const b = connect(client, "10.2.0.2", 81);
    net.run(net.sim.now + 1 * s);
    assert.deepEqual([a.error, b.error], ["EHOSTUNREACH", "ECONNREFUSED"]);
    const v = client.sh("curl -sv http://10.2.0.2/");
    assert.equal(v.status, 7);
    assert.deepEqual(v.stderr.split("\n").slice(0, 2), [
      "*   Trying 10.2.0.2:80...",
      "* connect to 10.2.0.2 port 80 failed: No route to host",
    ]);
  },
);

scenario("DROP: the SYN is sent seven times and connect() times out at 127 s", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh("iptables -A FORWARD -p tcp --dport 80 -j DROP");
  const t0 = net.sim.now;
  const c = connect(client, "10.2.0.2", 80);
  net.run(t0 + 200 * s);
  // Times from connect(): the first SYN waited for ARP (100 µs), the timer did not.
  const syns = net.trace.filter({ kind: "tx", node: "client", proto: 6 });
  assert.ok(syns[0]!.time - t0 < 1 * ms);
  assert.deepEqual(syns.slice(1).map((e) => (e.time - t0) / s), [1, 3, 7, 15, 31, 63]);
  assert.ok(syns.every((e) => e.packet.tcp!.flags === TcpFlag.SYN));
  assert.equal(c.error, "ETIMEDOUT");
  assert.equal((c.history.at(-1)!.time - t0) / s, 127);
  assert.deepEqual(counters(fw, "FORWARD"), [
    [7, 420, "DROP 6 -- * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:80"],
  ]);
  // Nothing ever came back to the client.
  assert.equal(net.trace.filter({ kind: "rx", node: "client", proto: 6 }).length, 0);
  assert.equal(net.trace.filter({ kind: "rx", node: "client", proto: 1 }).length, 0);
});
