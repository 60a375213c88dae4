/**
 * RELATED: an ICMP error belongs to the connection of the packet it quotes.
 * Behind a FORWARD chain that admits only ESTABLISHED,RELATED from outside, a
 * client's datagram to a closed port comes back as port unreachable — the
 * error is RELATED (its LOG line shows the quoted datagram in brackets) and
 * reaches the socket. The UDP entry stays [UNREPLIED]: an error is no reply.
 * With only ESTABLISHED allowed, the same error dies on the firewall and the
 * client never learns. An error quoting a datagram that never passed (no
 * connection to relate it to) is INVALID.
 *
 *   client 10.1.0.2 ── eth0 fw eth1 ── 10.2.0.2 server
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { EtherType, newPacket } from "../../core/wire/packet.ts";
import { conntrackLines, counters, firewallLab, kernelLog } from "./netfilter_testing.ts";

function guarded(net: Network, allow: string) {
  const lab = firewallLab(net);
  lab.fw.sh(`iptables -P FORWARD DROP
iptables -A FORWARD -p icmp -m conntrack --ctstate RELATED -j LOG --log-prefix "RELATED: "
iptables -A FORWARD -m conntrack --ctstate ${allow} -j ACCEPT
iptables -A FORWARD -i eth0 -m conntrack --ctstate NEW -j ACCEPT
iptables -A FORWARD -m conntrack --ctstate INVALID -j LOG --log-prefix "INVALID: "`);
  return lab;
}

function sendUdp(net: Network, dstPort: number) {
  const sock = net.get("client").root.udp.socket();
  sock.sendTo(new TextEncoder().encode("hello?"), ip("10.2.0.2"), dstPort);
  net.run(net.sim.now + 10e6);
  return sock;
}

scenario("RELATED: a port unreachable for a tracked datagram is let in", (net) => {
  const { fw } = guarded(net, "ESTABLISHED,RELATED");
  const sock = sendUdp(net, 5353);
  assert.deepEqual(
    sock.errors.map((e) => [formatIp4(e.from), e.type, e.code, e.quoted.dstPort]),
    [["10.2.0.2", 3, 3, 5353]],
  );
  const out = net.trace.first({ kind: "tx", node: "client", proto: 17 })!.packet;
  const log = kernelLog(fw);
  assert.equal(log.length, 1);
  assert.match(
    log[0]!,
    new RegExp(
      "^RELATED: IN=eth1 OUT=eth0 MAC=\\S+ SRC=10\\.2\\.0\\.2 DST=10\\.1\\.0\\.2 LEN=62 TOS=0x00 PREC=0xC0 " +
        "TTL=63 ID=\\d+ PROTO=ICMP TYPE=3 CODE=3 " +
        `\\[SRC=10\\.1\\.0\\.2 DST=10\\.2\\.0\\.2 LEN=34 TOS=0x00 PREC=0x00 TTL=63 ID=${
          out.ip!.id
        } DF ` +
        `PROTO=UDP SPT=${sock.localPort} DPT=5353 LEN=14 \\] $`,
    ),
  );
  assert.deepEqual(conntrackLines(fw), [
    `udp      17 T src=10.1.0.2 dst=10.2.0.2 sport=${sock.localPort} dport=5353 [UNREPLIED] ` +
    `src=10.2.0.2 dst=10.1.0.2 sport=5353 dport=${sock.localPort} mark=0 use=1`,
  ]);
  assert.deepEqual(counters(fw, "FORWARD").map((r) => r[0]), [1, 1, 1, 0]);
});

scenario("RELATED: with only ESTABLISHED allowed the error is dropped", (net) => {
  const { fw } = guarded(net, "ESTABLISHED");
  const sock = sendUdp(net, 5353);
  assert.equal(sock.errors.length, 0, "the client never hears");
  const d = net.trace.first({ kind: "drop", node: "fw" })!;
  assert.deepEqual([d.iface, d.packet.icmp?.type, d.detail], [
    "eth1",
    3,
    "filter FORWARD policy DROP",
  ]);
  // The LOG rule still saw it as RELATED on its way to the policy.
  assert.equal(kernelLog(fw).length, 1);
  assert.match(kernelLog(fw)[0]!, /^RELATED: /);
});

scenario("RELATED: an error about nothing that passed is INVALID", (net) => {
  const { fw, server } = guarded(net, "ESTABLISHED,RELATED");
  // The server makes up a port unreachable about a datagram 10.1.0.2 never sent.
  const fake = newPacket({ dst: 0, src: 0, type: EtherType.IPv4, vlan: undefined });
  fake.ip = {
    tos: 0,
    id: 4242,
    df: true,
    mf: false,
    fragOffset: 0,
    ttl: 63,
    proto: 17,
    src: ip("10.1.0.2"),
    dst: ip("10.2.0.2"),
    options: undefined,
  };
  fake.udp = { srcPort: 4444, dstPort: 53, payload: 6 };
  server.root.ip.icmpError(fake, 3, 3, 0, server.iface("eth0"));
  net.run(net.sim.now + 10e6);
  assert.equal(net.trace.filter({ kind: "rx", node: "client", proto: 1 }).length, 0);
  const log = kernelLog(fw);
  assert.equal(log.length, 1);
  assert.match(
    log[0]!,
    /^INVALID: IN=eth1 OUT=eth0 .* PROTO=ICMP TYPE=3 CODE=3 \[SRC=10\.1\.0\.2 DST=10\.2\.0\.2 .* SPT=4444 DPT=53 LEN=14 \] $/,
  );
  assert.equal(net.trace.first({ kind: "drop", node: "fw" })!.detail, "filter FORWARD policy DROP");
  assert.equal(fw.sh("conntrack -L").stdout, "");
});
