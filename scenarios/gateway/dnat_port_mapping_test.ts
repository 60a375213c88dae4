/**
 * Port mapping by DNAT (what `docker run -p 10080:80` and home routers do):
 * connections to the router's public address on port 10080 are sent to an
 * inside web server on port 80. The inside server sees the outside client's
 * real address (DNAT changes only the destination); its replies are
 * translated back by conntrack, so the client believes it talks to
 * 203.0.113.1:10080. Hairpin NAT: an inside client using the public address
 * only works when the router also rewrites the source, or the server answers
 * the client directly and the client drops the unexpected reply.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect, natLan, peer } from "./nat_testing.ts";
import { TcpFlag } from "../../core/wire/packet.ts";

function mapped(net: Parameters<typeof natLan>[0]) {
  const lan = natLan(net, 2, 1);
  lan.gw.sh(
    "iptables -t nat -A PREROUTING -d 203.0.113.1 -p tcp --dport 10080 -j DNAT --to-destination 192.168.1.10:80",
  );
  lan.gw.sh("iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -o eth1 -j MASQUERADE");
  return lan;
}

scenario(
  "DNAT 10080→80: an outside client reaches the inside server, which sees its real address",
  (net) => {
    const { gw, h, s } = mapped(net);
    const web = serve(h[0]!, 80);
    const c = connect(s[0]!, "203.0.113.1", 10080, 50000);
    net.run(1e9);
    assert.equal(c.state, "ESTABLISHED");
    assert.equal(peer(c), "203.0.113.1:10080", "the client believes it talks to the router");
    assert.deepEqual(web.conns.map(peer), ["203.0.113.80:50000"]);
    c.send(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
    web.conns[0]!.send(new TextEncoder().encode("HTTP/1.1 200 OK\r\n\r\n"));
    net.run(2e9);
    assert.equal(new TextDecoder().decode(web.received[0]), "GET / HTTP/1.1\r\n\r\n");
    // The SYN's destination before and after the router.
    const syn = (node: string) =>
      net.trace.filter({ kind: "rx", node, proto: 6 }).find((e) =>
        e.packet.tcp!.flags === TcpFlag.SYN
      )!
        .packet;
    assert.equal(syn("gw").tcp!.dstPort, 10080);
    assert.equal(syn("h1").tcp!.dstPort, 80);
    assert.equal(
      gw.sh("conntrack -L -p tcp --dport 10080").stdout.replace(/^tcp {6}6 \d+ /, ""),
      "ESTABLISHED src=203.0.113.80 dst=203.0.113.1 sport=50000 dport=10080 " +
        "src=192.168.1.10 dst=203.0.113.80 sport=80 dport=50000 [ASSURED] mark=0 use=1\n",
    );
  },
);

scenario("DNAT 10080→80: other ports and other protocols are not mapped", (net) => {
  const { h, s } = mapped(net);
  serve(h[0]!, 80);
  const c = connect(s[0]!, "203.0.113.1", 80, 50001);
  net.run(1e9);
  // Port 80 on the router itself: nobody listens there, the router resets.
  assert.equal(c.state, "CLOSED");
  const rst = net.trace.filter({ kind: "tx", node: "gw", proto: 6 })
    .find((e) => e.packet.tcp!.flags & TcpFlag.RST);
  assert.equal(rst!.packet.tcp!.srcPort, 80);
  const out = s[0]!.sh("ping -c 1 203.0.113.1");
  assert.match(out.stdout, /64 bytes from 203\.0\.113\.1: icmp_seq=1 ttl=64/);
});

scenario(
  "DNAT 10080→80: with the inside server down, the client gets its RST through the mapping",
  (net) => {
    const { s } = mapped(net);
    const c = connect(s[0]!, "203.0.113.1", 10080, 50002);
    net.run(1e9);
    assert.equal(c.state, "CLOSED");
    const rst = net.trace.filter({ kind: "rx", node: "s1", proto: 6 })
      .find((e) => e.packet.tcp!.flags & TcpFlag.RST)!.packet;
    // h1 answered from port 80; the router made it come from 203.0.113.1:10080.
    assert.equal(rst.tcp!.srcPort, 10080);
    assert.equal(rst.ip!.src, 0xcb007101);
  },
);

scenario(
  "hairpin NAT: an inside client on the public address fails without SNAT, works with it",
  (net) => {
    const { gw, h } = mapped(net);
    const web = serve(h[0]!, 80);
    // h2 uses the public address. The server sees h2's own address and answers
    // it directly on the LAN, from 192.168.1.10:80, which h2 never asked for.
    const c1 = connect(h[1]!, "203.0.113.1", 10080, 51000);
    net.run(1e9);
    assert.notEqual(c1.state, "ESTABLISHED");
    const direct = net.trace.filter({ kind: "tx", node: "h1", proto: 6 })
      .find((e) =>
        (e.packet.tcp!.flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK)
      )!;
    assert.equal(direct.packet.ip!.dst, 0xc0a80114, "the SYN-ACK goes straight to 192.168.1.20");
    // h2 answers the unexpected SYN-ACK with a reset.
    assert.ok(
      net.trace.filter({ kind: "tx", node: "h2", proto: 6 }).some((e) =>
        (e.packet.tcp!.flags & TcpFlag.RST) !== 0 && e.packet.tcp!.srcPort === 51000
      ),
    );
    // The fix: masquerade hairpinned connections too, so replies return through the router.
    gw.sh(
      "iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -d 192.168.1.10 -p tcp --dport 80 -j MASQUERADE",
    );
    const c2 = connect(h[1]!, "203.0.113.1", 10080, 52000);
    net.run(3e9);
    assert.equal(c2.state, "ESTABLISHED");
    assert.equal(peer(c2), "203.0.113.1:10080");
    assert.equal(peer(web.conns.at(-1)!), "192.168.1.1:52000", "the server now sees the router");
  },
);

scenario("DNAT: bad command lines get iptables' messages", (net) => {
  const { gw } = natLan(net, 1, 1);
  let r = gw.sh("iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT");
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    'iptables v1.8.9 (nf_tables): DNAT: option "--to-destination" must be specified\n\n' +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
  );
  r = gw.sh("iptables -A INPUT -j DNAT --to-destination 1.2.3.4");
  assert.equal(r.status, 4);
  assert.equal(
    r.stderr,
    "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n",
  );
  r = gw.sh("iptables -t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1:80");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Need TCP, UDP, SCTP or DCCP with port specification/);
  r = gw.sh("iptables -t nat -A PREROUTING -p tcp --dport 99999 -j DNAT --to-destination 10.0.0.1");
  assert.equal(
    r.stderr,
    "iptables v1.8.9 (nf_tables): invalid port/service `99999' specified\n" +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
  );
  assert.equal(gw.sh("iptables -t nat -S PREROUTING").stdout, "-P PREROUTING ACCEPT\n");
});
