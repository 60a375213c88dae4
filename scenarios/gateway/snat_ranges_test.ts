/**
 * SNAT with explicit ranges. `--to-source ADDR:2000-3000` maps every
 * connection's source port into 2000–3000 (a port already in range and free
 * is kept, as Linux does); `--to-source A-B` spreads inside hosts over a pool
 * of public addresses, each host always getting the same one (the choice
 * hashes the addresses, it is not round robin). Many hosts sharing one
 * public address with the same source port still get unique tuples.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect, natLan, peer } from "./nat_testing.ts";

scenario("SNAT --to-source addr:2000-3000: every source port lands in the range", (net) => {
  const { gw, h, s } = natLan(net, 3, 1);
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -p tcp -j SNAT --to-source 203.0.113.1:2000-3000");
  const srv = serve(s[0]!, 80);
  // Ports outside the range are remapped; one inside it is kept.
  connect(h[0]!, "203.0.113.80", 80, 40000);
  connect(h[1]!, "203.0.113.80", 80, 2500);
  connect(h[2]!, "203.0.113.80", 80, 40000);
  net.run(1e9);
  const ports = srv.conns.map((c) => c.remotePort);
  assert.equal(ports.length, 3);
  for (const p of ports) assert.ok(p >= 2000 && p <= 3000, `port ${p}`);
  assert.ok(ports.includes(2500), "a free port already in range is kept");
  assert.equal(new Set(ports).size, 3);
  assert.deepEqual(srv.conns.map((c) => peer(c).split(":")[0]), [
    "203.0.113.1",
    "203.0.113.1",
    "203.0.113.1",
  ]);
});

scenario("SNAT to a single port: one connection per destination tuple", (net) => {
  const { gw, h, s } = natLan(net, 2, 2);
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -p tcp -j SNAT --to-source 203.0.113.1:7000");
  const a = serve(s[0]!, 80);
  const b = serve(s[1]!, 80);
  // Different servers: both connections can use 203.0.113.1:7000.
  const c1 = connect(h[0]!, "203.0.113.80", 80, 40000);
  const c2 = connect(h[1]!, "203.0.113.81", 80, 40000);
  net.run(1e9);
  assert.equal(c1.state, "ESTABLISHED");
  assert.equal(c2.state, "ESTABLISHED");
  assert.deepEqual([...a.conns, ...b.conns].map(peer), ["203.0.113.1:7000", "203.0.113.1:7000"]);
});

scenario("SNAT --to-source A-B: each host keeps one address from the pool", (net) => {
  const { gw, h, s } = natLan(net, 6, 1);
  gw.sh("ip addr add 203.0.113.2/24 dev eth1; ip addr add 203.0.113.3/24 dev eth1");
  gw.sh("ip addr add 203.0.113.4/24 dev eth1");
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 203.0.113.1-203.0.113.4");
  const srv = serve(s[0]!, 80);
  for (const [i, host] of h.entries()) {
    connect(host, "203.0.113.80", 80, 41000 + i);
    connect(host, "203.0.113.80", 80, 42000 + i);
  }
  net.run(2e9);
  assert.equal(srv.conns.length, 12);
  const byHost = new Map<number, Set<string>>();
  for (const c of srv.conns) {
    const i = c.remotePort % 1000;
    const set = byHost.get(i) ?? new Set();
    set.add(peer(c).split(":")[0]!);
    byHost.set(i, set);
  }
  for (const [i, addrs] of byHost) {
    assert.equal(addrs.size, 1, `host ${i + 1} uses one public address`);
    const a = [...addrs][0]!;
    assert.match(a, /^203\.0\.113\.[1-4]$/);
  }
  // The six hosts do not all hash to one address.
  const used = new Set([...byHost.values()].map((x) => [...x][0]));
  assert.ok(used.size >= 2, `addresses used: ${[...used].join(" ")}`);
});

scenario("SNAT: twenty hosts on the same source port to one server all get through", (net) => {
  const { gw, h, s } = natLan(net, 20, 1);
  gw.sh("iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -j SNAT --to-source 203.0.113.1");
  const srv = serve(s[0]!, 443);
  const cs = h.map((host) => connect(host, "203.0.113.80", 443, 33000));
  net.run(2e9);
  assert.ok(cs.every((c) => c.state === "ESTABLISHED"));
  const ports = srv.conns.map((c) => c.remotePort);
  assert.equal(new Set(ports).size, 20, "twenty distinct public ports");
  assert.equal(ports.filter((p) => p === 33000).length, 1, "only the first keeps 33000");
  assert.equal(gw.sh("conntrack -C").stdout, "20\n");
  assert.equal(gw.sh("conntrack -L -n").stdout.split("\n").filter(Boolean).length, 20);
});

scenario("SNAT: bad ranges get iptables' messages", (net) => {
  const { gw } = natLan(net, 1, 1);
  let r = gw.sh("iptables -t nat -A POSTROUTING -j SNAT --to-source 203.0.113.1:2000-3000");
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /^iptables v1\.8\.9 \(nf_tables\): Need TCP, UDP, SCTP or DCCP with port specification\n/,
  );
  r = gw.sh("iptables -t nat -A POSTROUTING -j SNAT");
  assert.equal(
    r.stderr,
    'iptables v1.8.9 (nf_tables): SNAT: option "--to-source" must be specified\n\n' +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
  );
  r = gw.sh("iptables -t nat -A PREROUTING -p tcp -j SNAT --to-source 203.0.113.1");
  assert.equal(r.status, 4);
  assert.equal(
    r.stderr,
    "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n",
  );
});
