/**
 * How a reply reaches a client that has no address yet (RFC 2131 §4.1). ISC
 * dhclient leaves the BROADCAST flag clear, because its packet socket hears
 * unicast to any address: dnsmasq then unicasts the OFFER and ACK to the
 * offered address at the client's MAC (after writing that pair into its ARP
 * table), and the switch delivers them to the client alone. A client that sets
 * the flag (many PXE ROMs and embedded stacks do) gets them broadcast, and
 * every host on the LAN receives them — and drops them, having no socket on
 * port 68, without an ICMP error, as for any broadcast. A relay honours the
 * flag the same way on the client's subnet.
 *
 *   srv 192.168.1.1 ── sw ── pc, pc2
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { dhcpOnWire, ip, lan, PC_MAC } from "./dhcp_testing.ts";

function run(net: Network, broadcastFlag: boolean) {
  const { srv, pcs: [pc, pc2] } = lan(net, "pc", "pc2");
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h");
  const client = new DhcpClient({ ns: pc!.root, iface: "eth0", arpProbe: false, broadcastFlag });
  client.start();
  net.runFor(5e9);
  assert.equal(client.state, "BOUND");
  const heardByPc2 = net.trace.filter({ kind: "rx", node: "pc2", proto: 17 })
    .filter((e) => e.packet.udp!.dstPort === 68);
  return { srv, pc2: pc2!, replies: dhcpOnWire(net, { node: "srv" }), heardByPc2 };
}

scenario(
  "dhcp broadcast flag clear: unicast to the offered address, nobody else hears it",
  (net) => {
    const { srv, replies, heardByPc2 } = run(net, false);
    for (const r of replies) {
      assert.deepEqual([r.dst, r.dstMac, r.message.broadcast], ["192.168.1.135", PC_MAC, false]);
    }
    assert.deepEqual(heardByPc2, []);
    // dnsmasq's ARP entry for the client, written before the offer (SIOCSARP), later confirmed.
    assert.match(srv.sh("ip neigh show 192.168.1.135").stdout, new RegExp(`lladdr ${PC_MAC}`));
  },
);

scenario("dhcp broadcast flag set: replies to everyone, dropped quietly by the others", (net) => {
  const { replies, heardByPc2 } = run(net, true);
  for (const r of replies) {
    assert.deepEqual([r.dst, r.dstMac, r.message.broadcast], [
      "255.255.255.255",
      "ff:ff:ff:ff:ff:ff",
      true,
    ]);
  }
  assert.equal(heardByPc2.length, 2, "OFFER and ACK");
  const drops = net.trace.filter({ kind: "drop", node: "pc2", reason: "no socket" })
    .filter((e) => e.detail === "udp port 68");
  assert.equal(drops.length, 2);
  assert.equal(
    net.trace.filter({ kind: "tx", node: "pc2", proto: 1 }).length,
    0,
    "no ICMP for a broadcast",
  );
});

scenario("dhcp broadcast flag through a relay: broadcast on the client's subnet", (net) => {
  const [srv, r, pc] = net.nodes("srv", "r", "pc");
  net.connect(srv, r);
  net.connect(r, pc);
  srv.sh("ip addr add 172.16.0.1/30 dev eth0; ip route add 10.0.2.0/24 via 172.16.0.2");
  r.sh("ip addr add 172.16.0.2/30 dev eth0; ip addr add 10.0.2.1/24 dev eth1");
  srv.sh("dnsmasq --port=0 --dhcp-range=10.0.2.100,10.0.2.200,255.255.255.0,12h");
  r.sh("dhcrelay -i eth1 -i eth0 172.16.0.1");
  const client = new DhcpClient({
    ns: pc.root,
    iface: "eth0",
    arpProbe: false,
    broadcastFlag: true,
  });
  client.start();
  net.runFor(5e9);
  assert.equal(client.lease!.address & 0xffffff00, ip("10.0.2.0"));
  for (const w of dhcpOnWire(net, { node: "r" }).filter((w) => w.iface === "eth1")) {
    assert.deepEqual([w.src, w.dst, w.dstMac], [
      "10.0.2.1",
      "255.255.255.255",
      "ff:ff:ff:ff:ff:ff",
    ]);
  }
  // To the server the relay still speaks unicast.
  for (const w of dhcpOnWire(net, { node: "srv" })) assert.equal(w.dst, "10.0.2.1");
});
