/**
 * The notes' "router with several interfaces, each the gateway of its LAN":
 * one router, three LANs, no static route anywhere but each host's default.
 * The router's table is just its three connected routes; every host reaches
 * every other LAN with TTL 63, asks ARP only for its own gateway, and sees the
 * router answer from the address on its own LAN (traceroute's first hop).
 *
 *   a1 10.1.0.11 ─┐
 *   a2 10.1.0.12 ─┴─ swA ─ 10.1.0.1 ┐
 *                                   r ─ 10.2.0.1 ── 10.2.0.22 b
 *                                   └─ 10.3.0.1 ── 10.3.0.33 c
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatIp4 } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [a1, a2, r, b, c] = net.nodes("a1", "a2", "r", "b", "c");
  const swA = net.switch("swA");
  net.connect(a1, swA);
  net.connect(a2, swA);
  net.connect(r, swA);
  net.connect(r, b);
  net.connect(r, c);
  r.sh("ip addr add 10.1.0.1/24 dev eth0; ip addr add 10.2.0.1/24 dev eth1");
  r.sh("ip addr add 10.3.0.1/24 dev eth2; sysctl -w net.ipv4.ip_forward=1");
  a1.sh("ip addr add 10.1.0.11/24 dev eth0; ip route add default via 10.1.0.1");
  a2.sh("ip addr add 10.1.0.12/24 dev eth0; ip route add default via 10.1.0.1");
  b.sh("ip addr add 10.2.0.22/24 dev eth0; ip route add default via 10.2.0.1");
  c.sh("ip addr add 10.3.0.33/24 dev eth0; ip route add default via 10.3.0.1");
  return { a1, a2, r, b, c };
}

const HOSTS: Record<string, { ip: string; gw: string; lan: string }> = {
  a1: { ip: "10.1.0.11", gw: "10.1.0.1", lan: "A" },
  a2: { ip: "10.1.0.12", gw: "10.1.0.1", lan: "A" },
  b: { ip: "10.2.0.22", gw: "10.2.0.1", lan: "B" },
  c: { ip: "10.3.0.33", gw: "10.3.0.1", lan: "C" },
};

scenario("gateway: one router, three LANs — three connected routes are all it needs", (net) => {
  const { r } = build(net);
  const routes = (JSON.parse(r.sh("ip -j route").stdout) as Array<
    { dst: string; dev: string; protocol: string; prefsrc: string; gateway?: string }
  >).map((x) => `${x.dst} ${x.dev} ${x.protocol} ${x.prefsrc} ${x.gateway ?? "-"}`);
  assert.deepEqual(routes, [
    "10.1.0.0/24 eth0 kernel 10.1.0.1 -",
    "10.2.0.0/24 eth1 kernel 10.2.0.1 -",
    "10.3.0.0/24 eth2 kernel 10.3.0.1 -",
  ]);
  for (const [host, h] of Object.entries(HOSTS)) {
    const [g] = JSON.parse(r.sh(`ip -j route get ${h.ip}`).stdout) as Array<
      { dev: string; gateway?: string }
    >;
    const dev = { A: "eth0", B: "eth1", C: "eth2" }[h.lan];
    assert.deepEqual([g!.dev, g!.gateway], [dev, undefined], host);
  }
});

scenario("gateway: every host reaches every other LAN through its own gateway", (net) => {
  build(net);
  for (const [from, f] of Object.entries(HOSTS)) {
    for (const [to, t] of Object.entries(HOSTS)) {
      if (from === to) continue;
      const out = net.get(from).sh(`ping -c 1 ${t.ip}`);
      assert.equal(out.status, 0, `${from} → ${to}`);
      const ttl = f.lan === t.lan ? 64 : 63;
      assert.match(out.stdout, new RegExp(`icmp_seq=1 ttl=${ttl} `), `${from} → ${to}`);
    }
  }
  // Each host asked ARP only for its own gateway or its LAN peers, never a remote host.
  for (const [host, h] of Object.entries(HOSTS)) {
    const asked = new Set(
      net.trace.filter({ kind: "tx", node: host, arp: true })
        .filter((e) => e.packet.arp!.op === 1)
        .map((e) => formatIp4(e.packet.arp!.targetIp)),
    );
    const lanPeers = Object.values(HOSTS).filter((x) => x.lan === h.lan && x.ip !== h.ip)
      .map((x) => x.ip);
    for (const t of asked) assert.ok(t === h.gw || lanPeers.includes(t), `${host} asked ${t}`);
    // Whether it asked or learned it from the router's own question, it knows its gateway.
    assert.match(
      net.get(host).sh("ip neigh").stdout,
      new RegExp(`^${h.gw.replaceAll(".", "\\.")} dev eth0 lladdr `, "m"),
      host,
    );
  }
  // The router forwarded every cross-LAN request and reply: 10 pairs × 2.
  assert.equal(net.get("r").root.ip.stats.forwarded, 20);
});

scenario("gateway: the router answers from the address on the asker's LAN", (net) => {
  const { a1, b, c } = build(net);
  // traceroute's first hop is the gateway address of the LAN it starts on.
  for (
    const [node, dst, gw] of [[a1, "10.3.0.33", "10.1.0.1"], [b, "10.1.0.11", "10.2.0.1"], [
      c,
      "10.2.0.22",
      "10.3.0.1",
    ]] as const
  ) {
    const lines = node.sh(`traceroute -n ${dst}`).stdout.split("\n").slice(1, -1)
      .map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "));
    assert.deepEqual(lines, [`1 ${gw}`, `2 ${dst}`], `${node.name} → ${dst}`);
  }
  // The time-exceeded messages left the router by the asker's LAN, sourced from it.
  const errors = net.trace.filter({ kind: "tx", node: "r", icmp: 11 });
  assert.ok(errors.length >= 3);
  for (const e of errors) {
    const src = formatIp4(e.packet.ip!.src);
    const dst = formatIp4(e.packet.ip!.dst);
    assert.equal(src.split(".").slice(0, 3).join("."), dst.split(".").slice(0, 3).join("."));
  }
});
