/**
 * What the multipath hash reads (`net.ipv4.fib_multipath_hash_policy`).
 * Policy 0 (Linux's default) hashes source and destination address only: all
 * flows between two hosts share one path, whatever their ports. Policy 1
 * hashes the 5-tuple: the same flows spread over both paths. Under policy 1
 * a fragment carries no ports, so every fragment of a datagram — and every
 * fragmented datagram between the two hosts — hashes on addresses and
 * protocol alone and takes one path (a known cost of L4 hashing).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { twoPaths, udpFlows, udpOut } from "./routing_testing.ts";

scenario(
  "multipath L3 vs L4: 400 port pairs between two hosts share one path under policy 0",
  (net) => {
    const { a, m } = twoPaths(net);
    udpFlows(a, "10.2.0.10", 9, 400);
    net.run();
    const out = udpOut(net, "m", 9);
    assert.deepEqual(Object.values(out), [400]);
    // ip route get agrees, ports or not.
    const path =
      /dev (eth\d)/.exec(m.sh("ip route get 10.2.0.10 from 10.1.0.10 iif eth0").stdout)![1];
    assert.equal(Object.keys(out)[0], path);
    for (const sport of [1000, 2000, 3000]) {
      assert.match(
        m.sh(`ip route get 10.2.0.10 from 10.1.0.10 iif eth0 ipproto udp sport ${sport} dport 9`)
          .stdout,
        new RegExp(`dev ${path} `),
      );
    }
  },
);

scenario("multipath L3 vs L4: the same flows spread once the policy is 1", (net) => {
  const { a, m } = twoPaths(net);
  assert.equal(m.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1").status, 0);
  udpFlows(a, "10.2.0.10", 9, 400);
  net.run();
  const out = udpOut(net, "m", 9);
  // Both paths carry a share near 1:2 (133 ± 38 of 400 by r1).
  assert.ok(Math.abs((out.eth1 ?? 0) - 400 / 3) <= 38, JSON.stringify(out));
  assert.equal((out.eth1 ?? 0) + (out.eth2 ?? 0), 400);
  // ip route get with ports answers per port now: both paths appear among a few ports.
  const seen = new Set<string>();
  for (let sport = 20000; sport < 20040; sport++) {
    const got = m.sh(
      `ip route get 10.2.0.10 from 10.1.0.10 iif eth0 ipproto udp sport ${sport} dport 9`,
    );
    seen.add(/dev (eth\d)/.exec(got.stdout)![1]!);
  }
  assert.deepEqual([...seen].sort(), ["eth1", "eth2"]);
});

scenario(
  "multipath L3 vs L4: fragments carry no ports, so fragmented datagrams stay together",
  (net) => {
    const { a, m, b } = twoPaths(net);
    m.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
    let whole = 0;
    const sink = b.root.udp.socket();
    sink.bind(0, 9);
    sink.onMessage = (d) => {
      sink.recv();
      if (d.data instanceof Uint8Array ? d.data.length === 4000 : d.data === 4000) whole++;
    };
    // Twenty 4000-byte datagrams from twenty source ports: three fragments each.
    for (let i = 0; i < 20; i++) {
      const sock = a.root.udp.socket();
      sock.bind(0, 30000 + i);
      net.sim.after(
        i * 100_000,
        () => sock.sendTo(new Uint8Array(4000), (10 << 24 | 2 << 16 | 10) >>> 0, 9),
      );
    }
    net.run();
    const frags = net.trace.filter({ kind: "tx", node: "m", proto: 17, dst: "10.2.0.10" });
    assert.equal(frags.length, 60);
    assert.ok(frags.every((e) => e.packet.udp === undefined)); // fragments only, no UDP header parsed
    assert.equal(new Set(frags.map((e) => e.iface)).size, 1);
    // b reassembled all twenty.
    assert.equal(whole, 20);
  },
);
