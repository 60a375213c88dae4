/**
 * The rule selectors and matches at work, each on the traffic it is meant
 * for: `-i eth+` (any device named eth…), multiport port lists and ranges,
 * `!` before an address, protocol, port or device, `--icmp-type`, `--syn`
 * (SYN set, ACK/RST/FIN clear) and `--tcp-flags`, a non-contiguous mask, and
 * comments. Then the same rules as `-S`, `-L -n -v` and `-L` print them
 * (service and ICMP names, flag masks in hex with -n, `!` placement) —
 * identical, line for line, to iptables 1.8.9's output for these rules.
 *
 *   client 10.1.0.2 ── eth0 fw eth1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";
import { ip } from "../../core/wire/addr.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import { connect, counters, firewallLab, kernelLog, sendTcp, serve } from "./netfilter_testing.ts";

const RULES = `iptables -A FORWARD -i eth+ -p tcp -m multiport --dports 22,80,8000:8080 -j ACCEPT
iptables -A FORWARD ! -s 10.1.0.0/24 -p icmp --icmp-type echo-request -j DROP
iptables -A FORWARD -p tcp --syn -m comment --comment "new tcp" -j LOG --log-prefix "syn: "
iptables -A FORWARD -p tcp --tcp-flags SYN,RST SYN,RST -j DROP
iptables -A FORWARD -s 10.1.0.2/255.255.0.255 -j ACCEPT
iptables -A FORWARD -p udp ! --dport 53 ! -o eth1 -j DROP
iptables -A FORWARD -p tcp -m multiport ! --sports 1:1023 -j RETURN
iptables -A FORWARD ! -p tcp -j ACCEPT`;

function lab(net: Network) {
  const l = firewallLab(net);
  l.fw.sh(RULES);
  return l;
}

scenario("matches: each rule takes the traffic it describes", (net) => {
  const { client, fw, server } = lab(net);
  for (const port of [22, 8080, 8081]) serve(server, port);
  // Rule 1: 22 and 8080 are in the list; 8081 is not and goes on (rule 3 logs its SYN).
  const a = connect(client, "10.2.0.2", 22);
  const b = connect(client, "10.2.0.2", 8080);
  const c = connect(client, "10.2.0.2", 8081);
  net.run(net.sim.now + 1 * s);
  assert.deepEqual([a.state, b.state, c.state], ["ESTABLISHED", "ESTABLISHED", "ESTABLISHED"]);
  const syn = kernelLog(fw);
  assert.equal(syn.length, 1);
  assert.match(syn[0]!, /^syn: IN=eth0 OUT=eth1 .* DPT=8081 .* SYN URGP=0 $/);
  // Rule 2: a ping from outside 10.1.0.0/24 is dropped, from inside it is not.
  assert.equal(client.sh("ping -c 1 10.2.0.2").status, 0);
  assert.equal(server.sh("ping -c 1 -W 1 10.1.0.2").status, 1);
  // Rule 4: a segment with SYN and RST both set.
  sendTcp(client, {
    src: "10.1.0.2",
    dst: "10.2.0.2",
    srcPort: 5555,
    dstPort: 9,
    seq: 1,
    flags: TcpFlag.SYN | TcpFlag.RST,
  });
  net.run(net.sim.now + 1e6);
  // Rule 7: UDP towards eth0 other than to port 53 is dropped.
  const u = server.root.udp.socket();
  u.sendTo(new TextEncoder().encode("x"), ip("10.1.0.2"), 9999);
  u.sendTo(new TextEncoder().encode("x"), ip("10.1.0.2"), 53);
  net.run(net.sim.now + 1e6);
  const drops = net.trace.filter({ kind: "drop", node: "fw" }).map((d) => d.detail);
  assert.deepEqual(drops, [
    "filter FORWARD rule 2 (DROP)",
    "filter FORWARD rule 4 (DROP)",
    "filter FORWARD rule 6 (DROP)",
  ]);
  // 1: the client's SYN and ACK to 22 and 8080; 3: the SYN to 8081 (logged,
  // then on); 5: 10.1.X.2's other packets (the 8081 SYN and ACK, the ping
  // request, and its port unreachable for the datagram to port 53, where
  // nothing listens); 7: the server's answers from ports above 1023 (8080,
  // 8081) RETURN to the policy; 8: the ping reply and the UDP to port 53.
  assert.deepEqual(counters(fw, "FORWARD").map((r) => r[0]), [4, 1, 1, 1, 4, 1, 2, 2]);
});

// iptables 1.8.9's output for RULES (recorded on Linux).
const LISTED_S = `-P FORWARD ACCEPT
-A FORWARD -i eth+ -p tcp -m multiport --dports 22,80,8000:8080 -j ACCEPT
-A FORWARD ! -s 10.1.0.0/24 -p icmp -m icmp --icmp-type 8 -j DROP
-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m comment --comment "new tcp" -j LOG --log-prefix "syn: "
-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN,RST -j DROP
-A FORWARD -s 10.1.0.2/255.255.0.255 -j ACCEPT
-A FORWARD ! -o eth1 -p udp -m udp ! --dport 53 -j DROP
-A FORWARD -p tcp -m multiport ! --sports 1:1023 -j RETURN
-A FORWARD ! -p tcp -j ACCEPT
`;
const LISTED_NV =
  'Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target     prot opt in     out     source               destination         \n    0     0 ACCEPT     6    --  eth+   *       0.0.0.0/0            0.0.0.0/0            multiport dports 22,80,8000:8080\n    0     0 DROP       1    --  *      *      !10.1.0.0/24          0.0.0.0/0            icmptype 8\n    0     0 LOG        6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp flags:0x17/0x02 /* new tcp */ LOG flags 0 level 4 prefix "syn: "\n    0     0 DROP       6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp flags:0x06/0x06\n    0     0 ACCEPT     0    --  *      *       10.1.0.2/255.255.0.255  0.0.0.0/0           \n    0     0 DROP       17   --  *      !eth1   0.0.0.0/0            0.0.0.0/0            udp dpt:!53\n    0     0 RETURN     6    --  *      *       0.0.0.0/0            0.0.0.0/0            multiport sports  !1:1023\n    0     0 ACCEPT    !6    --  *      *       0.0.0.0/0            0.0.0.0/0           \n';
const LISTED =
  'Chain FORWARD (policy ACCEPT)\ntarget     prot opt source               destination         \nACCEPT     tcp  --  anywhere             anywhere             multiport dports ssh,http,8000:http-alt\nDROP       icmp -- !10.1.0.0/24          anywhere             icmp echo-request\nLOG        tcp  --  anywhere             anywhere             tcp flags:FIN,SYN,RST,ACK/SYN /* new tcp */ LOG level warn prefix "syn: "\nDROP       tcp  --  anywhere             anywhere             tcp flags:SYN,RST/SYN,RST\nACCEPT     all  --  10.1.0.2/255.255.0.255  anywhere            \nDROP       udp  --  anywhere             anywhere             udp dpt:!domain\nRETURN     tcp  --  anywhere             anywhere             multiport sports  !tcpmux:1023\nACCEPT    !tcp  --  anywhere             anywhere            \n';

scenario("matches: listed as iptables 1.8.9 lists them", (net) => {
  const { fw } = lab(net);
  assert.equal(fw.sh("iptables -S FORWARD").stdout, LISTED_S);
  assert.equal(fw.sh("iptables -L FORWARD -n -v").stdout, LISTED_NV);
  assert.equal(fw.sh("iptables -L FORWARD").stdout, LISTED);
  // "-o ! eth1" is the old spelling; iptables 1.8 takes "! -o eth1" only.
  const old = fw.sh("iptables -A FORWARD -p udp -o ! eth1 -j DROP");
  assert.deepEqual([old.status, old.stderr], [
    2,
    "Bad argument `eth1'\nTry `iptables -h' or 'iptables --help' for more information.\n",
  ]);
});
