/**
 * The notes' two-uplink router. eth2 is the fast line to operator one
 * (183.134.189.34, peer 183.134.188.1), eth3 the slow line to operator two
 * (60.190.27.190/30, gateway 60.190.27.189), eth1 the LAN 192.168.1.0/24.
 * The default route takes the fast line; the notes then name a table "chao"
 * in rt_tables, send everything from 192.168.1.101 to it with `ip rule add
 * from 192.168.1.101 table chao`, and give chao a default route over the
 * slow line. Both uplinks masquerade, so the web server out there sees which
 * line a host's packets took by the source address they arrive with.
 *
 * Where the notes differ from Linux, Linux wins: their `ip rule ls` shows
 * "from 10.0.0.10" where the command added 192.168.1.101; Linux shows the
 * eth3 prefix as 60.190.27.188/30 (the notes print 60.190.27.189/30) and
 * keeps 127.0.0.0/8 in table local, not main. The notes' eth2 is a
 * point-to-point address (`peer`), which packetlab builds as a /32 address
 * plus the route such an address installs.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect, peer } from "../gateway/nat_testing.ts";
import { ip } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [r, h1, h2, isp1, isp2, web] = net.nodes("r", "h1", "h2", "isp1", "isp2", "web");
  const lan = net.switch("lan");
  const internet = net.switch("internet");
  net.connect(r, lan); // r eth0, renamed eth1 below
  net.connect(r, isp1); // r eth1 → eth2
  net.connect(r, isp2); // r eth2 → eth3
  net.connect(h1, lan);
  net.connect(h2, lan);
  net.connect(isp1, internet);
  net.connect(isp2, internet);
  net.connect(web, internet);
  r.sh([
    "ip link set eth2 name eth3",
    "ip link set eth1 name eth2",
    "ip link set eth0 name eth1",
    "ip addr add 192.168.1.1/24 dev eth1",
    "ip addr add 183.134.189.34/32 dev eth2",
    "ip route add 183.134.188.1 dev eth2 proto kernel scope link src 183.134.189.34",
    "ip addr add 60.190.27.190/30 dev eth3",
    "ip route add default via 183.134.188.1 dev eth2",
    "sysctl -w net.ipv4.ip_forward=1",
    "iptables -t nat -A POSTROUTING -o eth2 -j MASQUERADE",
    "iptables -t nat -A POSTROUTING -o eth3 -j MASQUERADE",
  ].join("\n"));
  h1.sh("ip addr add 192.168.1.101/24 dev eth0; ip route add default via 192.168.1.1");
  h2.sh("ip addr add 192.168.1.102/24 dev eth0; ip route add default via 192.168.1.1");
  isp1.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 183.134.188.1/32 dev eth0",
    "ip route add 183.134.189.34 dev eth0 proto kernel scope link src 183.134.188.1",
    "ip addr add 93.184.216.1/24 dev eth1",
  ].join("\n"));
  isp2.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 60.190.27.189/30 dev eth0",
    "ip addr add 93.184.216.2/24 dev eth1",
  ].join("\n"));
  web.sh([
    "ip addr add 93.184.216.34/24 dev eth0",
    "ip route add 183.134.189.34 via 93.184.216.1",
    "ip route add 60.190.27.188/30 via 93.184.216.2",
  ].join("\n"));
  return { r, h1, h2, web };
}

/** The notes' commands for table chao, as typed there (with the cache flush spelt right). */
function addChao(r: ReturnType<typeof build>["r"]) {
  const out = r.sh([
    "echo 200 chao >> /etc/iproute2/rt_tables",
    "ip rule add from 192.168.1.101 table chao",
    "ip route add default via 60.190.27.189 dev eth3 table chao",
    "ip route flush cache",
  ].join("\n"));
  assert.equal(out.status, 0, out.stderr);
}

scenario("policy chao: the router's main table and rules, as Linux lists them", (net) => {
  const { r } = build(net);
  assert.equal(
    r.sh("ip route list table main").stdout,
    [
      "default via 183.134.188.1 dev eth2 ",
      "60.190.27.188/30 dev eth3 proto kernel scope link src 60.190.27.190 ",
      "183.134.188.1 dev eth2 proto kernel scope link src 183.134.189.34 ",
      "192.168.1.0/24 dev eth1 proto kernel scope link src 192.168.1.1 ",
      "",
    ].join("\n"),
  );
  addChao(r);
  assert.equal(
    r.sh("ip rule ls").stdout,
    "0:\tfrom all lookup local\n32765:\tfrom 192.168.1.101 lookup chao\n" +
      "32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n",
  );
  assert.equal(r.sh("ip route show table chao").stdout, "default via 60.190.27.189 dev eth3 \n");
  // The name and the number are one table.
  assert.equal(r.sh("ip route show table 200").stdout, "default via 60.190.27.189 dev eth3 \n");
});

scenario(
  "policy chao: 192.168.1.101 leaves by the slow line, its neighbour by the fast one",
  (net) => {
    const { r, h1, h2, web } = build(net);
    addChao(r);
    assert.equal(
      r.sh("ip route get 93.184.216.34 from 192.168.1.101 iif eth1").stdout,
      "93.184.216.34 from 192.168.1.101 via 60.190.27.189 dev eth3 table chao \n    cache iif eth1 \n",
    );
    assert.equal(
      r.sh("ip route get 93.184.216.34 from 192.168.1.102 iif eth1").stdout,
      "93.184.216.34 from 192.168.1.102 via 183.134.188.1 dev eth2 \n    cache iif eth1 \n",
    );
    const srv = serve(web, 80);
    const c1 = connect(h1, "93.184.216.34", 80, 40001);
    const c2 = connect(h2, "93.184.216.34", 80, 40002);
    net.run(1e9);
    assert.equal(c1.state, "ESTABLISHED");
    assert.equal(c2.state, "ESTABLISHED");
    // The server saw h1 come from the slow line's address and h2 from the fast one's.
    assert.deepEqual(srv.conns.map(peer).sort(), [
      "183.134.189.34:40002",
      "60.190.27.190:40001",
    ]);
    // Every segment h1 sent left the router by eth3, every one of h2's by eth2.
    const out = (port: number) => [
      ...new Set(
        net.trace.filter({ kind: "tx", node: "r", proto: 6, dst: "93.184.216.34" })
          .filter((e) => e.packet.tcp?.srcPort === port).map((e) => e.iface),
      ),
    ];
    assert.deepEqual(out(40001), ["eth3"]);
    assert.deepEqual(out(40002), ["eth2"]);
  },
);

scenario(
  "policy chao: without the rule (or once it is deleted) 192.168.1.101 goes fast too",
  (net) => {
    const { r, h1, web } = build(net);
    const before = r.sh("ip route get 93.184.216.34 from 192.168.1.101 iif eth1").stdout;
    assert.match(before, /via 183\.134\.188\.1 dev eth2 \n/);
    addChao(r);
    // A rule change reaches an established connection's next packets: no stale route cache.
    const srv = serve(web, 80);
    const c = connect(h1, "93.184.216.34", 80, 40001);
    net.run(1e9);
    assert.equal(c.state, "ESTABLISHED");
    assert.deepEqual(srv.conns.map(peer), ["60.190.27.190:40001"]);
    assert.equal(r.sh("ip rule del from 192.168.1.101 table chao").status, 0);
    assert.equal(
      r.sh("ip route get 93.184.216.34 from 192.168.1.101 iif eth1").stdout,
      before,
    );
    // The connection's next segments leave by eth2 — but keep the source the connection's
    // NAT binding chose at its first packet (conntrack does not re-masquerade), so the
    // server still knows them, and the bytes arrive.
    const sent = net.trace.filter({ kind: "tx", node: "r", iface: "eth2", proto: 6 }).length;
    c.send(new Uint8Array(100));
    net.run(2e9);
    const later = net.trace.filter({ kind: "tx", node: "r", iface: "eth2", proto: 6 }).slice(sent);
    assert.ok(later.length > 0);
    assert.ok(later.every((e) => e.packet.ip!.src === ip("60.190.27.190")));
    assert.equal(srv.received[0]?.length, 100);
  },
);

scenario("policy chao: the table needs its name first; the notes' typo is refused", (net) => {
  const { r } = build(net);
  const early = r.sh("ip rule add from 192.168.1.101 table chao");
  assert.equal(early.status, 255);
  assert.equal(early.stderr, 'Error: argument "chao" is wrong: invalid table ID\n\n');
  const route = r.sh("ip route add default via 60.190.27.189 dev eth3 table chao");
  assert.equal(route.stderr, 'Error: argument "chao" is wrong: "table" value is invalid\n\n');
  assert.equal(r.sh("ip rule ls").stdout.split("\n").length, 4); // still the three defaults
  addChao(r);
  const typo = r.sh("ip route fush cache");
  assert.equal(typo.status, 255);
  assert.equal(typo.stderr, 'Command "fush" is unknown, try "ip route help".\n');
  // The same rule once more is a second rule (a new priority), not an error.
  assert.equal(r.sh("ip rule add from 192.168.1.101 table chao").status, 0);
  assert.match(r.sh("ip rule").stdout, /^32764:\tfrom 192\.168\.1\.101 lookup chao\n/m);
});
