/**
 * Calico's gateway trick, as the notes tell it: a workload (172.17.8.2/32)
 * has `default via 169.254.1.1 dev eth0` and `169.254.1.1 dev eth0 scope
 * link`; no interface anywhere has 169.254.1.1, but the host's end of the
 * workload's veth has `proxy_arp=1` and answers the ARP with its own MAC,
 * ee:ee:ee:ee:ee:ee, so the workload's packets go to the host. The gateway's
 * address never appears in a packet header; the host's veth has no address at
 * all. Outputs as Linux 6.1 printed them for the same set-up in namespaces
 * (IPv4 lines only: packetlab has no IPv6, so no `inet6 fe80::` line).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { formatIp4, formatMac, ip } from "../../core/wire/addr.ts";
import { calicoCluster, macOf } from "./cluster_testing.ts";

const GATEWAY = ip("169.254.1.1");

scenario(
  "Calico: the workload's ARP for 169.254.1.1 is answered with the host veth's MAC",
  (net) => {
    const { hostA, a1 } = calicoCluster(net);
    const inA1 = (cmd: string) => hostA.sh(`ip netns exec a1 ${cmd}`).stdout;
    assert.equal(
      inA1("ip route"),
      "default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n",
    );
    // The host's end: the MAC Calico sets, and no address.
    assert.equal(
      hostA.sh("ip addr show dev calia1").stdout,
      "3: calia1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n" +
        "    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns a1\n",
    );
    assert.match(inA1("ping -c 1 172.17.8.3"), /64 bytes from 172\.17\.8\.3: icmp_seq=1 ttl=63 /);

    const arp = net.trace.filter({ kind: "tx", arp: true }).filter((e) =>
      e.packet.arp!.targetIp === GATEWAY || e.packet.arp!.senderIp === GATEWAY
    );
    const a1Mac = macOf(a1, "eth0");
    assert.deepEqual(
      arp.map((e) => {
        const a = e.packet.arp!;
        return `${e.iface} ${formatMac(e.packet.eth.src)} > ${
          formatMac(e.packet.eth.dst)
        } op ${a.op} ` +
          `${formatIp4(a.senderIp)} ${formatMac(a.senderMac)} → ${formatIp4(a.targetIp)}`;
      }).slice(0, 2),
      [
        `eth0 ${a1Mac} > ff:ff:ff:ff:ff:ff op 1 172.17.8.2 ${a1Mac} → 169.254.1.1`,
        `calia1 ee:ee:ee:ee:ee:ee > ${a1Mac} op 2 169.254.1.1 ee:ee:ee:ee:ee:ee → 172.17.8.2`,
      ],
    );
    // Felix's proxy_delay=0: answered at once.
    assert.equal(arp[1]!.time - arp[0]!.time, 0);
    assert.equal(
      inA1("ip neigh show 169.254.1.1"),
      "169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee REACHABLE \n",
    );
    net.runFor(60e9);
    // The notes' line, once the entry has aged.
    assert.equal(
      inA1("ip neigh show 169.254.1.1"),
      "169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee STALE \n",
    );

    // The echo request left a1 for ee:ee:ee:ee:ee:ee; 169.254.1.1 is in no IP header.
    const request = net.trace.first({ kind: "tx", icmp: "echo-request" })!;
    assert.equal(formatMac(request.packet.eth.dst), "ee:ee:ee:ee:ee:ee");
    const ipEvents = net.trace.filter({ where: (e) => e.packet.ip !== undefined });
    assert.ok(ipEvents.length > 0);
    assert.ok(ipEvents.every((e) => e.packet.ip!.src !== GATEWAY && e.packet.ip!.dst !== GATEWAY));
  },
);

scenario(
  "Calico: every host veth is ee:ee:ee:ee:ee:ee; the host tells workloads apart by interface",
  (net) => {
    const { hostA, a1, a2 } = calicoCluster(net);
    hostA.sh("ip netns exec a1 ping -c 1 172.17.8.3");
    assert.equal(
      hostA.sh("ip -br link show dev calia1; ip -br link show dev calia2").stdout,
      "calia1@if2       UP             ee:ee:ee:ee:ee:ee <BROADCAST,MULTICAST,UP,LOWER_UP> \n" +
        "calia2@if2       UP             ee:ee:ee:ee:ee:ee <BROADCAST,MULTICAST,UP,LOWER_UP> \n",
    );
    assert.equal(
      hostA.sh("ip netns exec a2 ip neigh show 169.254.1.1").stdout,
      "169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee REACHABLE \n",
    );
    // The host learned a1 from its ARP request, and resolved a2 itself.
    assert.equal(
      hostA.sh("ip neigh show dev calia1; ip neigh show dev calia2").stdout,
      `172.17.8.2 lladdr ${macOf(a1, "eth0")} DELAY \n172.17.8.3 lladdr ${
        macOf(a2, "eth0")
      } REACHABLE \n`,
    );
    // calia2 has no address, so the host asks with its only one, and a2 notes that
    // 192.168.100.100 is at ee:ee:ee:ee:ee:ee as well.
    const ask = net.trace.first({ kind: "tx", iface: "calia2", arp: true })!.packet.arp!;
    assert.equal(
      `${formatIp4(ask.senderIp)} asks for ${formatIp4(ask.targetIp)}`,
      "192.168.100.100 asks for 172.17.8.3",
    );
    assert.equal(
      hostA.sh("ip netns exec a2 ip neigh show 192.168.100.100").stdout,
      "192.168.100.100 dev eth0 lladdr ee:ee:ee:ee:ee:ee STALE \n",
    );
  },
);

scenario(
  "Calico: without Felix's proxy_delay=0 the answer waits a random time below proxy_delay (0.8 s)",
  (net) => {
    const { hostA } = calicoCluster(net, { a2: { noProxyDelay: false } });
    assert.equal(
      hostA.sh("sysctl net.ipv4.neigh.calia1.proxy_delay net.ipv4.neigh.calia2.proxy_delay").stdout,
      "net.ipv4.neigh.calia1.proxy_delay = 0\nnet.ipv4.neigh.calia2.proxy_delay = 80\n",
    );
    const out = hostA.sh("ip netns exec a2 ping -c 1 172.17.8.2").stdout;
    const rtt = Number(/time=([\d.]+) ms/.exec(out)![1]);
    const [ask, answer] = net.trace.filter({
      arp: true,
      where: (e) => e.kind === "tx" && e.node === "hostA",
    })
      .filter((e) => e.packet.arp!.targetIp === GATEWAY || e.packet.arp!.senderIp === GATEWAY);
    const wait = (answer!.time - ask!.time) / 1e6;
    assert.ok(wait > 0 && wait < 800, `${wait} ms`);
    assert.ok(rtt >= wait, "the first echo waited for the answer");
  },
);

scenario(
  "Calico: the one-line form 'default via 169.254.1.1 dev eth0 onlink' works the same",
  (net) => {
    const { hostA } = calicoCluster(net, { a2: { gateway: "onlink" } });
    assert.equal(
      hostA.sh("ip netns exec a2 ip route").stdout,
      "default via 169.254.1.1 dev eth0 onlink \n",
    );
    assert.equal(
      hostA.sh("ip netns exec a2 ip route get 172.17.9.2").stdout,
      "172.17.9.2 via 169.254.1.1 dev eth0 src 172.17.8.3 uid 0 \n    cache \n",
    );
    assert.match(
      hostA.sh("ip netns exec a2 ping -c 1 172.17.8.2").stdout,
      /64 bytes from 172\.17\.8\.2: icmp_seq=1 ttl=63 /,
    );
    assert.equal(
      hostA.sh("ip netns exec a2 ip neigh").stdout,
      "169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee REACHABLE \n",
    );
  },
);
