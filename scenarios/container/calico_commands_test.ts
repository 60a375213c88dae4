/**
 * Setting up Calico-style routing by hand, mistakes included: each command
 * line below was typed on Linux (iproute2 6.1, procps sysctl) in namespaces
 * built the same way, and its output and exit status written down; the
 * scenario replays the session in order and expects the same.
 *
 * The lesson of the first part: a workload with only a /32 address has no
 * connected prefix, so `default via 169.254.1.1` is refused ("Nexthop has
 * invalid gateway") until either a link route to 169.254.1.1 exists or the
 * gateway is declared `onlink` — and `onlink` needs the device named.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Node } from "../../core/node/node.ts";
import { calicoHosts } from "./cluster_testing.ts";

/** Run `[command, output, status]` steps in order; `c:` steps run inside the workload c. */
function replay(host: Node, steps: Array<[string, string, number]>): void {
  for (const [line, out, status] of steps) {
    const cmd = line.startsWith("c: ") ? `ip netns exec c ${line.slice(3)}` : line;
    const r = host.sh(cmd);
    assert.deepEqual([r.out, r.status], [out, status], line);
  }
}

/** hostA with a workload namespace c: 172.17.8.9/32 on eth0, its veth calix up, no routes yet. */
function bare(host: Node): void {
  host.sh(`ip netns add c
ip link add calix type veth peer name eth0 netns c
ip link set calix up
ip netns exec c ip link set eth0 up
ip netns exec c ip addr add 172.17.8.9/32 dev eth0`);
}

scenario("Calico by hand: the workload's default route via 169.254.1.1", (net) => {
  const { hostA } = calicoHosts(net);
  bare(hostA);
  replay(hostA, [
    ["c: ip route add default via 169.254.1.1", "Error: Nexthop has invalid gateway.\n", 2],
    [
      "c: ip route add default via 169.254.1.1 dev eth0",
      "Error: Nexthop has invalid gateway.\n",
      2,
    ],
    [
      "c: ip route add default via 169.254.1.1 onlink",
      "Error: Nexthop device required for onlink.\n",
      2,
    ],
    ["c: ip route add default via 169.254.1.1 dev eth0 onlink", "", 0],
    ["c: ip route", "default via 169.254.1.1 dev eth0 onlink \n", 0],
    ["c: ip route show default", "default via 169.254.1.1 dev eth0 onlink \n", 0],
    ["c: ip route del default", "", 0],
    ["c: ip route add 169.254.1.1 dev eth0 scope link", "", 0],
    ["c: ip route add default via 169.254.1.1 dev eth0", "", 0],
    ["c: ip route", "default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n", 0],
    ["c: ip route add 169.254.1.1 dev eth0 scope link", "RTNETLINK answers: File exists\n", 2],
    [
      "c: ip route get 8.8.8.8",
      "8.8.8.8 via 169.254.1.1 dev eth0 src 172.17.8.9 uid 0 \n    cache \n",
      0,
    ],
    [
      "c: ip addr add 172.17.8.2/33 dev eth0",
      'Error: any valid prefix is expected rather than "172.17.8.2/33".\n',
      1,
    ],
  ]);
});

scenario("Calico by hand: the host's veth, its /32 route and its sysctls", (net) => {
  const { hostA } = calicoHosts(net);
  bare(hostA);
  replay(hostA, [
    ["ip route add 172.17.8.9 dev calinope scope link", 'Cannot find device "calinope"\n', 1],
    ["ip route add 172.17.8.9 dev calix scope link", "", 0],
    ["ip route add 172.17.8.9 dev calix scope link", "RTNETLINK answers: File exists\n", 2],
    ["ip route add 172.17.8.9/24 dev calix", "Error: Invalid prefix for given prefix length.\n", 2],
    [
      "sysctl -w net.ipv4.conf.calinope.proxy_arp=1",
      "sysctl: cannot stat /proc/sys/net/ipv4/conf/calinope/proxy_arp: No such file or directory\n",
      1,
    ],
    ["sysctl -w net.ipv4.conf.calix.proxy_arp=1", "net.ipv4.conf.calix.proxy_arp = 1\n", 0],
    ["sysctl -w net.ipv4.neigh.calix.proxy_delay=0", "net.ipv4.neigh.calix.proxy_delay = 0\n", 0],
    // Calico names its veths cali + 11 hex digits: 15 characters, the most Linux allows.
    [
      "ip link add cali0123456789ab type veth peer name eth9",
      "Error: Attribute failed policy validation.\n",
      2,
    ],
    [
      "ip link add cali0123456789a type veth peer name eth0123456789abc",
      'Error: argument "eth0123456789abc" is wrong: "name" not a valid ifname\n',
      255,
    ],
    ["ip link add cali0123456789a type veth peer name eth9", "", 0],
    ["ip link set calix address ee:ee:ee:ee:ee", "Invalid address length 5 - must be 6 bytes\n", 1],
    ["ip link set calix address ee:ee:ee:ee:ee:100", '"100" is invalid lladdr.\n', 1],
    [
      "ip link set calix address ff:ff:ff:ff:ff:ff",
      "RTNETLINK answers: Cannot assign requested address\n",
      2,
    ],
    ["ip link set calix address ee:ee:ee:ee:ee:ee", "", 0],
    [
      "ip link show calix",
      "3: calix@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n" +
      "    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns c\n",
      0,
    ],
  ]);
});

scenario(
  "Calico by hand: the route to the other host's block — on the LAN, or onlink and unreachable",
  (net) => {
    const { hostA } = calicoHosts(net);
    bare(hostA);
    replay(hostA, [
      [
        "ip route add 172.17.9.0/24 via 192.168.200.101 dev eth0",
        "Error: Nexthop has invalid gateway.\n",
        2,
      ],
      ["ip route add 172.17.9.0/24 via 192.168.100.101 dev eth0 proto bird onlink", "", 0],
      [
        "ip route add 172.17.9.0/24 via 192.168.200.101 dev eth0 onlink",
        "RTNETLINK answers: File exists\n",
        2,
      ],
      ["ip route add 172.17.7.0/24 via 192.168.100.101 dev eth0 proto bird onlink", "", 0],
      [
        "ip route show proto bird",
        "172.17.7.0/24 via 192.168.100.101 dev eth0 onlink \n172.17.9.0/24 via 192.168.100.101 dev eth0 onlink \n",
        0,
      ],
      [
        "ip route add 172.17.6.0/24 via 192.168.100.100 dev eth0 onlink",
        "Error: Nexthop has invalid gateway.\n",
        2,
      ],
      [
        "ip route add 172.17.6.0/24 via 192.168.100.9 dev eth0 onlink scope link",
        "Error: Nexthop has invalid scope.\n",
        2,
      ],
      ["ip route add blackhole 172.17.8.0/24 proto bird", "", 0],
    ]);
    // onlink takes a gateway off the LAN — the notes' hosts in two subnets — but nobody
    // there answers ARP for it: the host itself reports the workload's packets undeliverable.
    hostA.sh(`sysctl -w net.ipv4.conf.calix.proxy_arp=1
ip route add 172.17.8.9 dev calix scope link
ip netns exec c ip route add default via 169.254.1.1 dev eth0 onlink
ip route add 172.17.5.0/24 via 192.168.200.101 dev eth0 onlink`);
    assert.equal(
      hostA.sh("ip netns exec c ping -c 4 172.17.5.2").stdout,
      "PING 172.17.5.2 (172.17.5.2) 56(84) bytes of data.\n" +
        "From 192.168.100.100 icmp_seq=1 Destination Host Unreachable\n" +
        "From 192.168.100.100 icmp_seq=2 Destination Host Unreachable\n" +
        "From 192.168.100.100 icmp_seq=3 Destination Host Unreachable\n" +
        "From 192.168.100.100 icmp_seq=4 Destination Host Unreachable\n" +
        "\n--- 172.17.5.2 ping statistics ---\n" +
        "4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 3000ms\npipe 4\n",
    );
    assert.equal(
      hostA.sh("ip neigh show 192.168.200.101").stdout,
      "192.168.200.101 dev eth0 FAILED \n",
    );
  },
);
