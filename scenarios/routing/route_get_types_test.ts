/**
 * `ip route get` for every route type, in Linux's layout, and what a
 * forwarded packet meets on the same route: unicast (via a gateway, or on
 * the link), local (`dev lo`, cache <local>), broadcast (cache <local,brd>),
 * blackhole (EINVAL; dropped in silence), unreachable (EHOSTUNREACH; ICMP
 * host unreachable), prohibit (EACCES; ICMP administratively prohibited),
 * throw (the table has no answer: the next rule's table is asked; alone in
 * main it is ENETUNREACH, ICMP net unreachable), and a multipath route (the
 * next hop the flow hashes to).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

function build(net: Network) {
  const [h, r, g] = net.nodes("h", "r", "g");
  net.connect(h, r); // h eth0 — r eth0
  net.connect(r, g); // r eth1 — g eth0
  h.sh("ip addr add 192.168.1.10/24 dev eth0; ip route add default via 192.168.1.1");
  r.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 192.168.1.1/24 dev eth0",
    "ip addr add 10.0.0.1/24 dev eth1",
    "ip route add 10.20.0.0/16 via 10.0.0.2",
    "ip route add blackhole 10.30.0.0/16",
    "ip route add unreachable 10.31.0.0/16",
    "ip route add prohibit 10.32.0.0/16",
    "ip route add throw 10.33.0.0/16",
    "ip route add 10.40.0.0/16 nexthop via 10.0.0.2 nexthop via 10.0.0.3",
  ].join("\n"));
  g.sh("ip addr add 10.0.0.2/24 dev eth0; ip addr add 10.0.0.3/24 dev eth0");
  g.sh("ip route add default via 10.0.0.1");
  return { h, r };
}

scenario("route get types: the answer for each type, sent from the router", (net) => {
  const { r } = build(net);
  const get = (dst: string) => {
    const out = r.sh(`ip route get ${dst}`);
    return out.status === 0 ? out.stdout : `${out.status} ${out.stderr}`;
  };
  assert.equal(
    get("10.20.1.1"),
    "10.20.1.1 via 10.0.0.2 dev eth1 src 10.0.0.1 uid 0 \n    cache \n",
  );
  assert.equal(get("10.0.0.9"), "10.0.0.9 dev eth1 src 10.0.0.1 uid 0 \n    cache \n");
  assert.equal(
    get("192.168.1.1"),
    "local 192.168.1.1 dev lo src 192.168.1.1 uid 0 \n    cache <local> \n",
  );
  assert.equal(
    get("10.0.0.255"),
    "broadcast 10.0.0.255 dev eth1 src 10.0.0.1 uid 0 \n    cache <local,brd> \n",
  );
  assert.equal(get("10.30.1.1"), "2 RTNETLINK answers: Invalid argument\n");
  assert.equal(get("10.31.1.1"), "2 RTNETLINK answers: No route to host\n");
  assert.equal(get("10.32.1.1"), "2 RTNETLINK answers: Permission denied\n");
  assert.equal(get("10.33.1.1"), "2 RTNETLINK answers: Network is unreachable\n");
  assert.match(
    get("10.40.1.1"),
    /^10\.40\.1\.1 via 10\.0\.0\.[23] dev eth1 src 10\.0\.0\.1 uid 0 \n/,
  );
  assert.equal(
    r.sh("ip route get fibmatch 10.40.1.1").stdout,
    "10.40.0.0/16 \n\tnexthop via 10.0.0.2 dev eth1 weight 1 \n\tnexthop via 10.0.0.3 dev eth1 weight 1 \n",
  );
});

scenario(
  "route get types: the same answers for a packet received on eth0, and what it meets",
  (net) => {
    const { h, r } = build(net);
    const get = (dst: string) => r.sh(`ip route get ${dst} from 192.168.1.10 iif eth0`);
    assert.equal(
      get("10.20.1.1").stdout,
      "10.20.1.1 from 192.168.1.10 via 10.0.0.2 dev eth1 \n    cache iif eth0 \n",
    );
    assert.equal(
      get("192.168.1.1").stdout,
      "local 192.168.1.1 from 192.168.1.10 dev lo \n    cache <local> iif eth0 \n",
    );
    for (
      const [dst, err] of [
        ["10.30.1.1", "Invalid argument"],
        ["10.31.1.1", "No route to host"],
        ["10.32.1.1", "Permission denied"],
        ["10.33.1.1", "Network is unreachable"],
      ]
    ) {
      assert.equal(get(dst!).stderr, `RTNETLINK answers: ${err}\n`, dst);
    }
    const texts = ["10.30.1.1", "10.31.1.1", "10.32.1.1", "10.33.1.1"].map((d) =>
      h.sh(`ping -c 1 -W 1 ${d}`).stdout.split("\n").find((l) => l.startsWith("From ")) ??
        "(silence)"
    );
    assert.deepEqual(texts, [
      "(silence)",
      "From 192.168.1.1 icmp_seq=1 Destination Host Unreachable",
      "From 192.168.1.1 icmp_seq=1 Packet filtered",
      "From 192.168.1.1 icmp_seq=1 Destination Net Unreachable",
    ]);
    const reasons = net.trace.filter({ kind: "drop", node: "r", icmp: "echo-request" }).map((e) =>
      e.reason
    );
    assert.deepEqual(reasons, [
      "blackhole route",
      "unreachable route",
      "prohibited route",
      "no route",
    ]);
  },
);

scenario("route get types: throw hands the lookup to the next rule's table", (net) => {
  const { r } = build(net);
  r.sh("ip route add 10.33.0.0/16 via 10.0.0.3 table 100");
  r.sh("ip rule add to 10.33.0.0/16 table 100 pref 40000");
  // main (32766) throws 10.33/16; the rule at 40000 comes after main and default.
  assert.equal(
    r.sh("ip route get 10.33.1.1").stdout,
    "10.33.1.1 via 10.0.0.3 dev eth1 table 100 src 10.0.0.1 uid 0 \n    cache \n",
  );
  // With custom rules the kernel names table local for local answers.
  assert.equal(
    r.sh("ip route get 192.168.1.1").stdout,
    "local 192.168.1.1 dev lo table local src 192.168.1.1 uid 0 \n    cache <local> \n",
  );
});
