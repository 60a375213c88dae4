/**
 * The notes' first policy-routing example: two LANs, each with its own
 * table — `ip rule add from 192.168.1.0/24 table 10` and `ip rule add from
 * 192.168.2.0/24 table 20` — and each table a default route over its own
 * uplink. The router's main table has no default route at all. The pitfall
 * every such setup meets: table 10 knows nothing of the other LAN, so LAN 1
 * talking to LAN 2 is sent up uplink A, until a rule sends LAN-to-LAN
 * traffic to main first.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { udpOut } from "./routing_testing.ts";
import { ip } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [r, h1, h2, ispA, ispB] = net.nodes("r", "h1", "h2", "ispA", "ispB");
  net.connect(r, h1); // r eth0 — LAN 1
  net.connect(r, h2); // r eth1 — LAN 2
  net.connect(r, ispA); // r eth2
  net.connect(r, ispB); // r eth3
  r.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 192.168.1.1/24 dev eth0",
    "ip addr add 192.168.2.1/24 dev eth1",
    "ip addr add 10.100.0.1/30 dev eth2",
    "ip addr add 10.200.0.1/30 dev eth3",
    "ip route add default via 10.100.0.2 table 10",
    "ip route add default via 10.200.0.2 table 20",
    "ip rule add from 192.168.1.0/24 table 10",
    "ip rule add from 192.168.2.0/24 table 20",
  ].join("\n"));
  h1.sh("ip addr add 192.168.1.10/24 dev eth0; ip route add default via 192.168.1.1");
  h2.sh("ip addr add 192.168.2.10/24 dev eth0; ip route add default via 192.168.2.1");
  ispA.sh("ip addr add 10.100.0.2/30 dev eth0");
  ispB.sh("ip addr add 10.200.0.2/30 dev eth0");
  return { r, h1, h2 };
}

function send(from: ReturnType<typeof build>["h1"], dst: string) {
  const s = from.root.udp.socket();
  s.sendTo(new Uint8Array(16), ip(dst), 5000);
}

scenario(
  "source tables: each LAN leaves by its own uplink; the router itself has no default",
  (net) => {
    const { r, h1, h2 } = build(net);
    assert.equal(
      r.sh("ip rule").stdout,
      "0:\tfrom all lookup local\n32764:\tfrom 192.168.2.0/24 lookup 20\n" +
        "32765:\tfrom 192.168.1.0/24 lookup 10\n32766:\tfrom all lookup main\n" +
        "32767:\tfrom all lookup default\n",
    );
    send(h1, "198.51.100.7");
    send(h2, "198.51.100.7");
    net.run();
    assert.deepEqual(udpOut(net, "r", 5000), { eth2: 1, eth3: 1 });
    const toA = net.trace.filter({ kind: "tx", node: "r", iface: "eth2", proto: 17 });
    assert.equal(toA[0]!.packet.ip!.src, ip("192.168.1.10"));
    // The router's own packets carry no LAN source: no rule but main's, and main has no default.
    const own = r.sh("ip route get 198.51.100.7");
    assert.equal(own.status, 2);
    assert.equal(own.stderr, "RTNETLINK answers: Network is unreachable\n");
    // Bound to a LAN address it matches that LAN's rule.
    assert.match(
      r.sh("ip route get 198.51.100.7 from 192.168.2.1").stdout,
      /via 10\.200\.0\.2 dev eth3 table 20 /,
    );
  },
);

scenario("source tables: LAN to LAN goes up uplink A until main is asked first", (net) => {
  const { r, h1, h2 } = build(net);
  const got: number[] = [];
  const sink = h2.root.udp.socket();
  sink.bind(0, 5000);
  sink.onMessage = (d) => got.push(d.from);
  send(h1, "192.168.2.10");
  net.run();
  assert.deepEqual(got, []); // it went to ISP A instead
  assert.deepEqual(udpOut(net, "r", 5000), { eth2: 1 });
  assert.match(
    r.sh("ip route get 192.168.2.10 from 192.168.1.10 iif eth0").stdout,
    /^192\.168\.2\.10 from 192\.168\.1\.10 via 10\.100\.0\.2 dev eth2 table 10 /,
  );
  // The fix: consult main for the private ranges before the per-LAN tables.
  assert.equal(r.sh("ip rule add to 192.168.0.0/16 lookup main pref 100").status, 0);
  send(h1, "192.168.2.10");
  net.run();
  assert.deepEqual(got, [ip("192.168.1.10")]);
  assert.deepEqual(udpOut(net, "r", 5000), { eth2: 1, eth1: 1 });
});
