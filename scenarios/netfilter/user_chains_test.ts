/**
 * User chains: `-j CHAIN` walks CHAIN and, when it ends or a rule says RETURN,
 * comes back to the rule after the jump; `-g CHAIN` (goto) walks it but never
 * comes back to the chain that jumped — its end returns to whoever called
 * *that* chain, and from a built-in chain that means the policy.
 *
 *   FORWARD  1 -p tcp -j web                     web  1 --dport 8080 -j RETURN
 *            2 -p tcp -j REJECT --reject-with         2 -m multiport --dports 80,8080 -j ACCEPT
 *              tcp-reset                              3 --sport 80 -j ACCEPT
 *
 * Port 80 is accepted inside `web`; 8080 RETURNs before the ACCEPT that would
 * take it and is refused by FORWARD's rule 2; 81 runs off the end of `web`
 * and is refused the same way. The counters and the drop details show each
 * packet's way. A chain that only logs behaves differently under -j and -g.
 *
 *   client 10.1.0.2 ── 10.1.0.1 fw 10.2.0.1 ── 10.2.0.2 server (:80, :8080, :81)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { connect, counters, firewallLab, kernelLog, serve } from "./netfilter_testing.ts";

scenario("user chains: a jump returns at the chain's end or at RETURN", (net) => {
  const { client, fw, server } = firewallLab(net);
  for (const port of [80, 8080, 81]) serve(server, port);
  fw.sh(`iptables -N web
iptables -A web -p tcp --dport 8080 -j RETURN
iptables -A web -p tcp -m multiport --dports 80,8080 -j ACCEPT
iptables -A web -p tcp --sport 80 -j ACCEPT
iptables -A FORWARD -p tcp -j web
iptables -A FORWARD -p tcp -j REJECT --reject-with tcp-reset`);
  const c80 = connect(client, "10.2.0.2", 80);
  net.run(net.sim.now + 1 * s);
  const c8080 = connect(client, "10.2.0.2", 8080);
  net.run(net.sim.now + 1 * s);
  const c81 = connect(client, "10.2.0.2", 81);
  net.run(net.sim.now + 1 * s);
  assert.deepEqual([c80.state, c8080.error, c81.error], [
    "ESTABLISHED",
    "ECONNREFUSED",
    "ECONNREFUSED",
  ]);
  // Port 80: SYN and ACK one way (web rule 2), SYN-ACK back (web rule 3).
  assert.deepEqual(counters(fw, "web"), [
    [1, 60, "RETURN 6 -- * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080"],
    [2, 112, "ACCEPT 6 -- * * 0.0.0.0/0 0.0.0.0/0 multiport dports 80,8080"],
    [1, 60, "ACCEPT 6 -- * * 0.0.0.0/0 0.0.0.0/0 tcp spt:80"],
  ]);
  // Every TCP packet jumped; the two that came back were refused.
  assert.deepEqual(counters(fw, "FORWARD"), [
    [5, 292, "web 6 -- * * 0.0.0.0/0 0.0.0.0/0"],
    [2, 120, "REJECT 6 -- * * 0.0.0.0/0 0.0.0.0/0 reject-with tcp-reset"],
  ]);
  const drops = net.trace.filter({ kind: "drop", node: "fw" });
  assert.deepEqual(drops.map((d) => [d.packet.tcp!.dstPort, d.detail]), [
    [8080, "filter FORWARD rule 2 (REJECT --reject-with tcp-reset)"],
    [81, "filter FORWARD rule 2 (REJECT --reject-with tcp-reset)"],
  ]);
  assert.equal(
    fw.sh("iptables -L web -n").stdout.split("\n")[0],
    "Chain web (1 references)",
  );
});

scenario(
  "user chains: -g does not come back; from a built-in chain that means the policy",
  (net) => {
    const { client, fw } = firewallLab(net);
    fw.sh(`iptables -P FORWARD DROP
iptables -N note
iptables -A note -j LOG --log-prefix "note: "
iptables -A FORWARD -p icmp -j note
iptables -A FORWARD -p icmp -j ACCEPT`);
    // -j: note logs and returns; rule 2 accepts.
    assert.equal(client.sh("ping -c 1 10.2.0.2").status, 0);
    assert.equal(kernelLog(fw).length, 2, "request and reply logged");
    // -g: note logs and returns to no one; FORWARD's policy drops the request.
    fw.sh("iptables -R FORWARD 1 -p icmp -g note");
    assert.equal(fw.sh("iptables -S FORWARD").stdout.split("\n")[1], "-A FORWARD -p icmp -g note");
    assert.match(
      fw.sh("iptables -L FORWARD -n").stdout,
      /^note +1 +-- +0\.0\.0\.0\/0 +0\.0\.0\.0\/0 +\[goto\] *$/m,
    );
    assert.equal(client.sh("ping -c 1 -W 1 10.2.0.2").status, 1);
    assert.equal(kernelLog(fw).length, 3);
    const d = net.trace.first({ kind: "drop", node: "fw" })!;
    assert.equal(d.detail, "filter FORWARD policy DROP");
    // -R made a new rule 1 (counting from 0: the one request); rule 2 saw
    // the first ping both ways and nothing since.
    assert.deepEqual(counters(fw, "FORWARD").map((r) => r[0]), [1, 2]);
  },
);

scenario("user chains: nested jumps return one level at a time", (net) => {
  const { client, fw } = firewallLab(net);
  fw.sh(`iptables -N outer
iptables -N inner
iptables -A inner -p icmp --icmp-type echo-request -j RETURN
iptables -A inner -j LOG --log-prefix "inner end: "
iptables -A outer -j inner
iptables -A outer -j LOG --log-prefix "outer after inner: "
iptables -A FORWARD -j outer
iptables -A FORWARD -j LOG --log-prefix "FORWARD after outer: "`);
  client.sh("ping -c 1 10.2.0.2");
  assert.deepEqual(kernelLog(fw).map((l) => l.replace(/IN=.* TYPE=(\d+) .*/, "TYPE=$1")), [
    // The request RETURNs from inner at once, then finishes outer and FORWARD.
    "outer after inner: TYPE=8",
    "FORWARD after outer: TYPE=8",
    // The reply walks inner to its end.
    "inner end: TYPE=0",
    "outer after inner: TYPE=0",
    "FORWARD after outer: TYPE=0",
  ]);
  assert.equal(
    fw.sh("iptables -L -n").stdout.match(/^Chain (inner|outer) .*$/gm)!.join("|"),
    "Chain inner (1 references)|Chain outer (1 references)",
  );
});
