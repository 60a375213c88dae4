/**
 * The programs against their recordings, byte for byte. Given the DISCOVER and
 * REQUEST that ISC dhclient sent on Linux, packetlab's dnsmasq (same command
 * line) answers with exactly the OFFER and ACK the real dnsmasq sent — same
 * address, options, order and padding — and likewise for the relayed
 * DISCOVER dhcrelay forwarded. packetlab's dhclient on a host of the same
 * name and MAC sends exactly the recorded DISCOVER, REQUEST, RENEWING REQUEST
 * and RELEASE, but for the random transaction id.
 *
 *   vm 52:54:00:a1:b2:c3 ── srv 192.168.1.1 (dnsmasq)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { decodeDhcp } from "../../core/app/dhcp/message.ts";
import { sendRawDhcp } from "../../core/app/dhcp/packet_socket.ts";
import * as rec from "../../core/app/dhcp/recorded_fixtures.ts";
import { BROADCAST_MAC } from "../../core/wire/packet.ts";
import { PC_MAC } from "./dhcp_testing.ts";

const DNSMASQ =
  "dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-option=3,192.168.1.1 --dhcp-option=6,192.168.1.1 --dhcp-boot=pxelinux.0";

/** UDP payloads a node transmitted to `port`. */
function sent(net: Network, node: string, port: number): Uint8Array[] {
  return net.trace.filter({ kind: "tx", node, proto: 17 })
    .filter((e) => e.packet.udp!.dstPort === port)
    .map((e) => e.packet.udp!.payload as Uint8Array);
}

/** The bytes with the xid (offset 4) of `like`. */
function withXid(b: Uint8Array, like: Uint8Array): Uint8Array {
  const out = b.slice();
  out.set(like.subarray(4, 8), 4);
  return out;
}

function pair(net: Network) {
  const [srv, vm] = net.nodes("srv", "vm");
  net.connect(srv, vm);
  srv.sh("ip addr add 192.168.1.1/24 dev eth0");
  vm.sh(`ip link set eth0 address ${PC_MAC}`);
  return { srv, vm };
}

scenario(
  "dhcp recorded: dnsmasq answers dhclient's recorded messages with the recorded bytes",
  (net) => {
    const { srv, vm } = pair(net);
    srv.sh(DNSMASQ);
    const ask = (bytes: Uint8Array) => {
      sendRawDhcp(vm.root.dev, vm.iface("eth0"), {
        dstMac: BROADCAST_MAC,
        src: 0,
        dst: 0xffffffff,
        srcPort: 68,
        dstPort: 67,
        message: decodeDhcp(bytes),
        ttl: 128,
        tos: 0x10,
      });
      net.runFor(5e9);
    };
    ask(rec.DHCLIENT_DISCOVER);
    ask(rec.DHCLIENT_REQUEST);
    const [offer, ack] = sent(net, "srv", 68);
    assert.deepEqual(offer, rec.DNSMASQ_OFFER);
    assert.deepEqual(ack, rec.DNSMASQ_ACK);
  },
);

scenario(
  "dhcp recorded: dnsmasq answers dhcrelay's recorded DISCOVER with the recorded OFFER",
  (net) => {
    const [srv, r] = net.nodes("srv", "r");
    net.connect(srv, r);
    net.connect(r, net.switch("lan2"));
    srv.sh("ip addr add 172.16.0.1/30 dev eth0; ip route add 10.0.2.0/24 via 172.16.0.2");
    r.sh("ip addr add 172.16.0.2/30 dev eth0; ip addr add 10.0.2.1/24 dev eth1");
    srv.sh(
      "dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-range=10.0.2.100,10.0.2.200,255.255.255.0,12h",
    );
    const relay = r.root.udp.socket();
    assert.equal(relay.bind(0, 67), undefined);
    relay.sendTo(rec.DHCRELAY_DISCOVER, 0xac100001, 67);
    net.runFor(5e9);
    assert.deepEqual(sent(net, "srv", 67), [rec.DNSMASQ_RELAYED_OFFER]);
    assert.equal(relay.recv()!.fromPort, 67);
  },
);

scenario("dhcp recorded: dhclient sends the recorded bytes, but for its xid", (net) => {
  const { srv, vm } = pair(net);
  srv.sh(DNSMASQ.replace("12h", "2m"));
  vm.sh("dhclient eth0");
  net.runFor(62e9);
  vm.sh("dhclient -r eth0");
  const [discover, request, renewal] = sent(net, "vm", 67);
  const release = sent(net, "vm", 67).at(-1)!;
  assert.deepEqual(withXid(rec.DHCLIENT_DISCOVER, discover!), discover);
  assert.deepEqual(withXid(rec.DHCLIENT_REQUEST, request!), request);
  // The renewal keeps the exchange's xid, as the recording shows.
  assert.deepEqual(renewal!.subarray(4, 8), discover!.subarray(4, 8));
  assert.deepEqual(withXid(rec.DHCLIENT_RENEW_REQUEST, renewal!), renewal);
  assert.deepEqual(withXid(rec.DHCLIENT_RELEASE, release), release);
});
