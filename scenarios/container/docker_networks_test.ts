/**
 * Docker's user-defined networks on one host: each network is a bridge of
 * its own (`docker network create` makes br-<id>; here br-a 172.18.0.0/16 and
 * br-b 172.19.0.0/16), and the host, which forwards, would route between
 * them. What keeps them apart is iptables on the FORWARD path: Docker's
 * DOCKER-ISOLATION-STAGE-1 sends what enters from one network's bridge and
 * leaves by another (`-i br-a ! -o br-a`) to DOCKER-ISOLATION-STAGE-2, which
 * drops whatever leaves by any Docker bridge. The simplest form of it,
 * `-A FORWARD -i br-a -o br-b -j DROP`, drops one direction only, which also
 * kills the replies to the other.
 *
 * Left out: Docker's per-network MASQUERADE, DOCKER and DOCKER-USER chains
 * (not needed between networks), and br_netfilter — packetlab's bridges do
 * not pass bridged frames through iptables, so traffic inside one network
 * never meets FORWARD here (with br_netfilter loaded it would, as
 * `-i br-a -o br-a`, which the isolation rules do not match). Listings and
 * counters as iptables 1.8.9 printed them for the same rules on Linux, with
 * bridge-nf-call-iptables off.
 *
 *   ca 172.18.0.2 ─┬─ br-a 172.18.0.1  host  br-b 172.19.0.1 ─── cb 172.19.0.2
 *   ca2 172.18.0.3 ┘
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { ip } from "../../core/wire/addr.ts";

/** The host with networks br-a (ca, ca2) and br-b (cb). */
function twoNetworks(net: Network) {
  const host = net.node("host");
  host.sh(`sysctl -w net.ipv4.ip_forward=1
ip link add br-a type bridge
ip link add br-b type bridge
ip addr add 172.18.0.1/16 dev br-a
ip addr add 172.19.0.1/16 dev br-b
ip link set br-a up
ip link set br-b up`);
  const containers: Array<[string, string, string]> = [
    ["ca", "br-a", "172.18.0.2"],
    ["ca2", "br-a", "172.18.0.3"],
    ["cb", "br-b", "172.19.0.2"],
  ];
  for (const [name, bridge, addr] of containers) {
    const gateway = addr.replace(/\.\d+$/, ".1");
    host.sh(`ip netns add ${name}
ip link add veth${name} type veth peer name eth0 netns ${name}
ip link set veth${name} master ${bridge}
ip link set veth${name} up
ip netns exec ${name} ip link set lo up
ip netns exec ${name} ip addr add ${addr}/16 dev eth0
ip netns exec ${name} ip link set eth0 up
ip netns exec ${name} ip route add default via ${gateway}`);
  }
  const run = (ns: string, cmd: string) => host.sh(`ip netns exec ${ns} ${cmd}`).stdout;
  return { host, run };
}

const LOST = / 0 received, 100% packet loss/;

scenario(
  "Docker networks: without isolation the host routes between its bridges (TTL 63)",
  (net) => {
    const { host, run } = twoNetworks(net);
    assert.match(
      run("ca", "ping -c 1 172.19.0.2"),
      /64 bytes from 172\.19\.0\.2: icmp_seq=1 ttl=63 /,
    );
    assert.equal(host.root.ip.stats.forwarded, 2);
  },
);

scenario(
  "Docker networks: -A FORWARD -i br-a -o br-b -j DROP stops a→b, and b→a's replies with it",
  (net) => {
    const { host, run } = twoNetworks(net);
    host.sh("iptables -A FORWARD -i br-a -o br-b -j DROP");
    assert.match(run("ca", "ping -c 1 -W 1 172.19.0.2"), LOST);
    // cb's request gets through to ca; ca's reply is what br-a → br-b drops.
    assert.match(run("cb", "ping -c 1 -W 1 172.18.0.2"), LOST);
    const drops = net.trace.filter({ kind: "drop" });
    assert.deepEqual(
      drops.map((e) => `${e.iface} ${e.reason}, ${e.detail}: ${e.packet.icmp!.type}`),
      [
        `br-a ${DropReason.netfilter}, filter FORWARD rule 1 (DROP): 8`,
        `br-a ${DropReason.netfilter}, filter FORWARD rule 1 (DROP): 0`,
      ],
    );
    assert.equal(
      host.sh("iptables -L FORWARD -n -v --line-numbers").stdout,
      "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n" +
        "num   pkts bytes target     prot opt in     out     source               destination         \n" +
        "1        2   168 DROP       0    --  br-a   br-b    0.0.0.0/0            0.0.0.0/0           \n",
    );
  },
);

scenario("Docker networks: the DOCKER-ISOLATION chains drop both ways, and say where", (net) => {
  const { host, run } = twoNetworks(net);
  host.sh(`iptables -N DOCKER-ISOLATION-STAGE-1
iptables -N DOCKER-ISOLATION-STAGE-2
iptables -A FORWARD -j DOCKER-ISOLATION-STAGE-1
iptables -A DOCKER-ISOLATION-STAGE-1 -i br-a ! -o br-a -j DOCKER-ISOLATION-STAGE-2
iptables -A DOCKER-ISOLATION-STAGE-1 -i br-b ! -o br-b -j DOCKER-ISOLATION-STAGE-2
iptables -A DOCKER-ISOLATION-STAGE-1 -j RETURN
iptables -A DOCKER-ISOLATION-STAGE-2 -o br-a -j DROP
iptables -A DOCKER-ISOLATION-STAGE-2 -o br-b -j DROP
iptables -A DOCKER-ISOLATION-STAGE-2 -j RETURN`);
  assert.match(run("ca", "ping -c 1 -W 1 172.19.0.2"), LOST);
  assert.match(run("cb", "ping -c 1 -W 1 172.18.0.2"), LOST);
  // Both requests died on arrival, each at the rule for its way out.
  assert.deepEqual(
    net.trace.filter({ kind: "drop" }).map((e) =>
      `${e.node}:${e.iface} ${e.packet.ip!.src === ip("172.18.0.2") ? "a→b" : "b→a"} ${e.detail}`
    ),
    [
      "host:br-a a→b filter DOCKER-ISOLATION-STAGE-2 rule 2 (DROP)",
      "host:br-b b→a filter DOCKER-ISOLATION-STAGE-2 rule 1 (DROP)",
    ],
  );
  assert.equal(
    host.sh("iptables -L -n -v").stdout,
    "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n" +
      " pkts bytes target     prot opt in     out     source               destination         \n\n" +
      "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n" +
      " pkts bytes target     prot opt in     out     source               destination         \n" +
      "    2   168 DOCKER-ISOLATION-STAGE-1  0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n\n" +
      "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n" +
      " pkts bytes target     prot opt in     out     source               destination         \n\n" +
      "Chain DOCKER-ISOLATION-STAGE-1 (1 references)\n" +
      " pkts bytes target     prot opt in     out     source               destination         \n" +
      "    1    84 DOCKER-ISOLATION-STAGE-2  0    --  br-a   !br-a   0.0.0.0/0            0.0.0.0/0           \n" +
      "    1    84 DOCKER-ISOLATION-STAGE-2  0    --  br-b   !br-b   0.0.0.0/0            0.0.0.0/0           \n" +
      "    0     0 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n\n" +
      "Chain DOCKER-ISOLATION-STAGE-2 (2 references)\n" +
      " pkts bytes target     prot opt in     out     source               destination         \n" +
      "    1    84 DROP       0    --  *      br-a    0.0.0.0/0            0.0.0.0/0           \n" +
      "    1    84 DROP       0    --  *      br-b    0.0.0.0/0            0.0.0.0/0           \n" +
      "    0     0 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n",
  );
});

scenario(
  "Docker networks: isolation leaves a network's own traffic and the host's addresses alone",
  (net) => {
    const { host, run } = twoNetworks(net);
    host.sh("iptables -A FORWARD -i br-a -o br-b -j DROP");
    // ca2 is on ca's bridge: switched by br-a, never forwarded.
    assert.match(
      run("ca", "ping -c 1 172.18.0.3"),
      /64 bytes from 172\.18\.0\.3: icmp_seq=1 ttl=64 /,
    );
    // br-b's address is the host's own: ca reaches it through INPUT, not FORWARD.
    assert.match(
      run("ca", "ping -c 1 172.19.0.1"),
      /64 bytes from 172\.19\.0\.1: icmp_seq=1 ttl=64 /,
    );
    assert.equal(host.root.ip.stats.forwarded, 0);
    assert.match(host.sh("iptables -L FORWARD -n -v").stdout, /^ +0 +0 DROP /m);
  },
);
