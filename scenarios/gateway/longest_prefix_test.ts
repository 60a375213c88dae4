/**
 * Longest-prefix match on a router. R1 knows 10.20.0.0/16 via R2 and the more
 * specific 10.20.30.0/24 via R3, plus a default via R2. To make the choice
 * visible, an impostor behind R2 holds the same address as the real host
 * behind R3 (10.20.30.5): the trace shows which one the packet reached. The
 * /24 wins for 10.20.30.5, the /16 for the rest of 10.20/16, the default for
 * everything else; remove the /24 and the same ping lands on the impostor.
 * Among routes of one prefix, the lower metric wins.
 *
 *            ┌─ 10.12.0.2 R2 ── 10.20.0.0/16: impostor 10.20.30.5, d16 10.20.40.5, web 203.0.113.7
 *   h ── R1 ─┤
 *            └─ 10.13.0.2 R3 ── 10.20.30.0/24: d24 10.20.30.5
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

function build(net: Network) {
  const [h, r1, r2, r3, d24, impostor, d16, web] = net.nodes(
    "h",
    "r1",
    "r2",
    "r3",
    "d24",
    "impostor",
    "d16",
    "web",
  );
  const lan2 = net.switch("lan2");
  net.connect(h, r1);
  net.connect(r1, r2);
  net.connect(r1, r3);
  net.connect(r3, d24);
  net.connect(r2, lan2);
  net.connect(impostor, lan2);
  net.connect(d16, lan2);
  net.connect(r2, web);
  h.sh("ip addr add 192.168.0.2/24 dev eth0; ip route add default via 192.168.0.1");
  r1.sh("ip addr add 192.168.0.1/24 dev eth0; ip addr add 10.12.0.1/30 dev eth1");
  r1.sh("ip addr add 10.13.0.1/30 dev eth2; sysctl -w net.ipv4.ip_forward=1");
  r1.sh("ip route add 10.20.0.0/16 via 10.12.0.2");
  r1.sh("ip route add 10.20.30.0/24 via 10.13.0.2");
  r1.sh("ip route add default via 10.12.0.2");
  r2.sh("ip addr add 10.12.0.2/30 dev eth0; ip addr add 10.20.0.1/16 dev eth1");
  r2.sh("ip addr add 203.0.113.1/24 dev eth2; sysctl -w net.ipv4.ip_forward=1");
  r2.sh("ip route add default via 10.12.0.1");
  r3.sh("ip addr add 10.13.0.2/30 dev eth0; ip addr add 10.20.30.1/24 dev eth1");
  r3.sh("sysctl -w net.ipv4.ip_forward=1; ip route add default via 10.13.0.1");
  d24.sh("ip addr add 10.20.30.5/24 dev eth0; ip route add default via 10.20.30.1");
  impostor.sh("ip addr add 10.20.30.5/16 dev eth0; ip route add default via 10.20.0.1");
  d16.sh("ip addr add 10.20.40.5/16 dev eth0; ip route add default via 10.20.0.1");
  web.sh("ip addr add 203.0.113.7/24 dev eth0; ip route add default via 203.0.113.1");
  return { h, r1, r2, r3 };
}

/** Which node received `h`'s echo requests to `dst`, and over which links they went. */
function path(net: Network, dst: string): { reached: string[]; links: string[] } {
  const reqs = net.trace.filter({ icmp: "echo-request", dst, src: "192.168.0.2" });
  return {
    reached: [
      ...new Set(
        reqs.filter((e) => e.kind === "consume").map((e) => e.node),
      ),
    ],
    links: [...new Set(reqs.filter((e) => e.kind === "tx").map((e) => e.link))],
  };
}

scenario("gateway: the /24 beats the /16, the /16 beats the default", (net) => {
  const { h, r1 } = build(net);
  const get = (dst: string) =>
    (JSON.parse(r1.sh(`ip -j route get ${dst}`).stdout) as Array<{ gateway: string; dev: string }>)
      .map((r) => `${r.gateway} ${r.dev}`)[0];
  assert.equal(get("10.20.30.5"), "10.13.0.2 eth2");
  assert.equal(get("10.20.30.255"), "10.13.0.2 eth2");
  assert.equal(get("10.20.31.0"), "10.12.0.2 eth1");
  assert.equal(get("10.20.40.5"), "10.12.0.2 eth1");
  assert.equal(get("10.21.0.1"), "10.12.0.2 eth1");
  assert.equal(get("203.0.113.7"), "10.12.0.2 eth1");

  assert.equal(h.sh("ping -c 1 10.20.30.5").status, 0);
  assert.deepEqual(path(net, "10.20.30.5"), {
    reached: ["d24"],
    links: ["h-r1", "r1-r3", "r3-d24"],
  });
  assert.equal(h.sh("ping -c 1 10.20.40.5").status, 0);
  assert.deepEqual(path(net, "10.20.40.5"), {
    reached: ["d16"],
    links: ["h-r1", "r1-r2", "r2-lan2", "d16-lan2"],
  });
  assert.equal(h.sh("ping -c 1 203.0.113.7").status, 0);
  assert.deepEqual(path(net, "203.0.113.7"), {
    reached: ["web"],
    links: ["h-r1", "r1-r2", "r2-web"],
  });
  assert.equal(net.trace.filter({ node: "impostor", icmp: "echo-request" }).length, 0);
});

scenario("gateway: without the /24, the same address lands on the impostor", (net) => {
  const { h, r1 } = build(net);
  assert.equal(r1.sh("ip route del 10.20.30.0/24").status, 0);
  assert.match(
    r1.sh("ip route get 10.20.30.5").stdout,
    /^10\.20\.30\.5 via 10\.12\.0\.2 dev eth1 src 10\.12\.0\.1 /m,
  );
  const out = h.sh("ping -c 1 10.20.30.5");
  assert.equal(out.status, 0); // someone answers — the wrong one
  assert.deepEqual(path(net, "10.20.30.5").reached, ["impostor"]);
  assert.equal(net.trace.filter({ node: "d24" }).length, 0);
});

scenario("gateway: among routes to one prefix the lowest metric wins", (net) => {
  const { h, r1 } = build(net);
  r1.sh("ip route del default");
  assert.equal(r1.sh("ip route add default via 10.13.0.2 metric 200").status, 0);
  assert.equal(r1.sh("ip route add default via 10.12.0.2 metric 100").status, 0);
  assert.match(
    r1.sh("ip route").stdout,
    /^default via 10\.12\.0\.2 dev eth1 metric 100\s*\ndefault via 10\.13\.0\.2 dev eth2 metric 200\s*$/m,
  );
  assert.match(
    r1.sh("ip route get 198.51.100.1").stdout,
    /^198\.51\.100\.1 via 10\.12\.0\.2 dev eth1 /m,
  );
  assert.equal(h.sh("ping -c 1 203.0.113.7").status, 0);
  assert.deepEqual(path(net, "203.0.113.7").links, ["h-r1", "r1-r2", "r2-web"]);
  // Remove the preferred one: the metric-200 route takes over.
  r1.sh("ip route del default via 10.12.0.2 metric 100");
  assert.match(
    r1.sh("ip route get 198.51.100.1").stdout,
    /^198\.51\.100\.1 via 10\.13\.0\.2 dev eth2 /m,
  );
});
