/**
 * Longest-prefix match on nested routes, as `ip route get` shows it and as
 * packets follow it: 10.0.0.0/8, 10.1.0.0/16, 10.1.2.0/24, a blackhole
 * 10.1.2.128/25 and a host route 10.1.2.200/32 each win inside their own
 * range; deleting one hands its range to the next shorter prefix; metrics
 * order routes of the same prefix.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

function build(net: Network) {
  const r = net.node("r");
  const peers = ["a", "b", "c", "d"].map((n) => net.node(n));
  peers.forEach((p, i) => {
    net.connect(r, p);
    r.sh(`ip addr add 172.16.${i}.1/24 dev eth${i}`);
    p.sh(`ip addr add 172.16.${i}.2/24 dev eth0`);
  });
  r.sh(`sysctl -w net.ipv4.ip_forward=1
ip route add 10.0.0.0/8 via 172.16.0.2
ip route add 10.1.0.0/16 via 172.16.1.2
ip route add 10.1.2.0/24 via 172.16.2.2
ip route add blackhole 10.1.2.128/25
ip route add 10.1.2.200/32 via 172.16.3.2`);
  return r;
}

const get = (r: ReturnType<typeof build>, a: string) => r.sh(`ip route get ${a}`);

scenario("routing: the longest matching prefix wins, range by range", (net) => {
  const r = build(net);
  assert.match(
    get(r, "10.9.9.9").stdout,
    /^10\.9\.9\.9 via 172\.16\.0\.2 dev eth0 src 172\.16\.0\.1 /,
  );
  assert.match(get(r, "10.1.9.9").stdout, /^10\.1\.9\.9 via 172\.16\.1\.2 dev eth1 /);
  assert.match(get(r, "10.1.2.9").stdout, /^10\.1\.2\.9 via 172\.16\.2\.2 dev eth2 /);
  assert.match(get(r, "10.1.2.200").stdout, /^10\.1\.2\.200 via 172\.16\.3\.2 dev eth3 /);
  // The /25 blackhole swallows the rest of the upper half: EINVAL, as Linux answers.
  const bh = get(r, "10.1.2.201");
  assert.equal(bh.status, 2);
  assert.equal(bh.stderr, "RTNETLINK answers: Invalid argument\n");
  const none = get(r, "11.0.0.1");
  assert.equal(none.stderr, "RTNETLINK answers: Network is unreachable\n");
});

scenario("routing: deleting a prefix hands its range to the next shorter one", (net) => {
  const r = build(net);
  r.sh("ip route del 10.1.2.0/24");
  assert.match(get(r, "10.1.2.9").stdout, /via 172\.16\.1\.2 dev eth1 /);
  r.sh("ip route del 10.1.0.0/16");
  assert.match(get(r, "10.1.2.9").stdout, /via 172\.16\.0\.2 dev eth0 /);
  // The host route and the blackhole still stand inside.
  assert.match(get(r, "10.1.2.200").stdout, /via 172\.16\.3\.2 dev eth3 /);
  assert.equal(get(r, "10.1.2.130").status, 2);
});

scenario("routing: packets follow the same choices as ip route get", (net) => {
  const r = build(net);
  const src = net.node("src");
  net.connect(src, r); // r:eth4
  r.sh("ip addr add 192.0.2.1/24 dev eth4");
  src.sh("ip addr add 192.0.2.2/24 dev eth0; ip route add default via 192.0.2.1");
  const sock = src.root.udp.socket();
  const dsts = ["10.9.9.9", "10.1.9.9", "10.1.2.9", "10.1.2.200", "10.1.2.201"];
  for (const d of dsts) {
    sock.sendTo(
      new Uint8Array(4),
      Number(d.split(".").reduce((a, x) => a * 256 + Number(x), 0)),
      9,
    );
  }
  net.run();
  const out = dsts.map((d) =>
    net.trace.filter({ kind: "tx", node: "r", dst: d }).map((e) => e.iface).join(",")
  );
  assert.deepEqual(out, ["eth0", "eth1", "eth2", "eth3", ""]);
  assert.equal(net.trace.filter({ kind: "drop", node: "r", reason: "blackhole route" }).length, 1);
});

scenario(
  "routing: of two routes to one prefix the lower metric wins until it is deleted",
  (net) => {
    const r = build(net);
    r.sh(
      "ip route add 10.7.0.0/16 via 172.16.2.2 metric 200; ip route add 10.7.0.0/16 via 172.16.3.2 metric 100",
    );
    assert.match(get(r, "10.7.1.1").stdout, /via 172\.16\.3\.2 dev eth3 /);
    const shown = r.sh("ip route show 10.7.0.0/16").stdout;
    assert.match(shown, /10\.7\.0\.0\/16 via 172\.16\.3\.2 dev eth3 metric 100/);
    assert.match(shown, /10\.7\.0\.0\/16 via 172\.16\.2\.2 dev eth2 metric 200/);
    r.sh("ip route del 10.7.0.0/16 metric 100");
    assert.match(get(r, "10.7.1.1").stdout, /via 172\.16\.2\.2 dev eth2 /);
  },
);
