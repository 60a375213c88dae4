/**
 * ICMP errors about translated packets. An error from beyond the NAT quotes
 * the packet as it left the router (public source address and port); the
 * router finds the connection it is RELATED to and translates both the outer
 * header and the quoted one back, so the inside host's socket recognises its
 * own datagram: traceroute from behind a NAT shows the hops, and a UDP
 * socket learns "connection refused".
 *
 *   h1 192.168.1.10 ── gw (MASQUERADE) 203.0.113.1 ── 203.0.113.2 r2 198.51.100.1 ── 198.51.100.7 far
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ip } from "../../core/wire/addr.ts";
import { parseQuote } from "../../core/wire/icmp.ts";

function build(net: Network) {
  const [h1, gw, r2, far] = net.nodes("h1", "gw", "r2", "far");
  net.connect(h1, gw);
  net.connect(gw, r2);
  net.connect(r2, far);
  h1.sh("ip addr add 192.168.1.10/24 dev eth0; ip route add default via 192.168.1.1");
  gw.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 203.0.113.1/24 dev eth1");
  gw.sh("ip route add default via 203.0.113.2; sysctl -w net.ipv4.ip_forward=1");
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
  // Only translated traffic can return: r2 has no route to 192.168.1.0/24.
  r2.sh("ip addr add 203.0.113.2/24 dev eth0; ip addr add 198.51.100.1/24 dev eth1");
  r2.sh("sysctl -w net.ipv4.ip_forward=1");
  far.sh("ip addr add 198.51.100.7/24 dev eth0; ip route add default via 198.51.100.1");
  return { h1, gw, r2, far };
}

scenario("NAT and ICMP: traceroute from behind MASQUERADE lists every hop", (net) => {
  const { h1 } = build(net);
  const out = h1.sh("traceroute -n -q 1 198.51.100.7");
  const hops = out.stdout.split("\n").slice(1, -1).map((l) => l.trim().split(/\s+/).slice(0, 2));
  assert.deepEqual(hops, [
    ["1", "192.168.1.1"],
    ["2", "203.0.113.2"],
    ["3", "198.51.100.7"],
  ]);
  // r2's time-exceeded went to the public address and quoted the public source port…
  const te = net.trace.filter({ kind: "tx", node: "r2", proto: 1 })
    .find((e) => e.packet.icmp!.type === 11)!.packet;
  assert.equal(te.ip!.dst, ip("203.0.113.1"));
  const outerQuote = parseQuote(te.icmp!.payload as Uint8Array);
  assert.equal(outerQuote.ip.src, ip("203.0.113.1"));
  // …and reached h1 rewritten: outer destination and quoted source are h1's own.
  const got = net.trace.filter({ kind: "rx", node: "h1", proto: 1, src: "203.0.113.2" })
    .find((e) => e.packet.icmp!.type === 11)!.packet;
  assert.equal(got.ip!.dst, ip("192.168.1.10"));
  const q = parseQuote(got.icmp!.payload as Uint8Array);
  assert.equal(q.ip.src, ip("192.168.1.10"));
  assert.equal(q.ip.dst, ip("198.51.100.7"));
});

scenario("NAT and ICMP: a closed UDP port outside is reported to the inside socket", (net) => {
  const { h1, far } = build(net);
  const sock = h1.root.udp.socket();
  sock.bind(0, 5353);
  const errors: string[] = [];
  sock.onError = (e) => errors.push(`${e.type}/${e.code} from ${e.from >>> 24}`);
  sock.sendTo(new Uint8Array(10), ip("198.51.100.7"), 9999);
  net.run(1e9);
  assert.deepEqual(errors, ["3/3 from 198"]);
  // far saw the router's address; the error it sent quoted that.
  const pu = net.trace.filter({ kind: "tx", node: "far", proto: 1 })[0]!.packet;
  assert.equal(parseQuote(pu.icmp!.payload as Uint8Array).ip.src, ip("203.0.113.1"));
  assert.equal(far.sh("ip -br addr show eth0").stdout.includes("198.51.100.7"), true);
});

scenario("NAT and ICMP: an ICMP error matching no connection is not translated", (net) => {
  const { h1, gw } = build(net);
  h1.sh("ping -c 1 198.51.100.7");
  // Flush conntrack: r2's later errors about old packets no longer match anything.
  gw.sh("conntrack -F");
  const sock = h1.root.udp.socket();
  sock.bind(0, 5354);
  // A UDP datagram to the router itself, port closed: a local error, no NAT.
  sock.sendTo(new Uint8Array(4), ip("192.168.1.1"), 9);
  net.run(1e9);
  const pu = net.trace.filter({ kind: "rx", node: "h1", proto: 1 })
    .filter((e) => e.packet.icmp!.type === 3);
  assert.equal(pu.length, 1);
  assert.equal(pu[0]!.packet.ip!.src, ip("192.168.1.1"));
  // The router's conntrack now knows the UDP flow and the error RELATED to it is not listed.
  assert.match(
    gw.sh("conntrack -L -p udp").stdout,
    /src=192\.168\.1\.10 dst=192\.168\.1\.1 sport=5354 dport=9 \[UNREPLIED\]/,
  );
});
