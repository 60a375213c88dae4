/**
 * The notes' DHCP section, step by step. First the manual way
 * (`ip addr add 10.0.0.1/24 dev eth1`, `ip link set up eth1`). Then DHCP: a
 * new machine broadcasts from 0.0.0.0 to 255.255.255.255 a UDP datagram
 * carrying BOOTP with its MAC (DHCP Discover); each DHCP server reserves an
 * address for it and answers — to the broadcast address, since the newcomer
 * has no address yet (a client that sets the BROADCAST flag, as the notes'
 * picture shows) — with the address, mask, gateway and lease time (DHCP
 * Offer); the client takes the first offer and broadcasts, still from
 * 0.0.0.0, a DHCP Request with its MAC, the accepted address and the chosen
 * server, which also tells the other servers to take their offers back; the
 * server's DHCP ACK is broadcast too. At half the lease the client asks its
 * server again, directly, and the ACK updates the lease.
 *
 *   srv  192.168.1.1 ─┐
 *   srv2 192.168.1.2 ─┼─ sw ── pc (new machine), pc2 (a neighbour)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { DhcpServer } from "../../core/app/dhcp/server.ts";
import { encodeFrame } from "../../core/wire/frame.ts";
import { dhcpOnWire, formatIp4, formatMac, ip, lan, PC_MAC, secs } from "./dhcp_testing.ts";

scenario("notes: configuring an address by hand", (net) => {
  const [a, b] = net.nodes("a", "b");
  net.connect(a, b, { up: false });
  net.connect(a, b, { up: false });
  b.sh("ip addr add 10.0.0.2/24 dev eth1; ip link set eth1 up");
  const r = a.sh("ip addr add 10.0.0.1/24 dev eth1\nip link set up eth1");
  assert.deepEqual([r.out, r.status], ["", 0]);
  assert.equal(
    a.sh("ip -br addr show dev eth1").stdout,
    "eth1             UP             10.0.0.1/24 \n",
  );
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
});

scenario(
  "notes: Discover, Offer, Request, ACK by broadcast; two servers; renewal at 50%",
  (net) => {
    const { srv: srv1, pcs: [pc, pc2] } = lan(net, "pc", "pc2");
    const srv2 = net.node("srv2");
    net.connect(srv2, net.devices.get("sw")!, { delay: "2ms" });
    srv2.sh("ip addr add 192.168.1.2/24 dev eth0");
    const router = { code: 3, data: new Uint8Array([192, 168, 1, 1]), addresses: true };
    const s1 = new DhcpServer(srv1.root, {
      ranges: [{ start: ip("192.168.1.100"), end: ip("192.168.1.200"), leaseTime: 3600 }],
      options: [router],
      ping: false,
    });
    const s2 = new DhcpServer(srv2.root, {
      ranges: [{ start: ip("192.168.1.201"), end: ip("192.168.1.250"), leaseTime: 3600 }],
      options: [router],
      ping: false,
    });
    s1.start();
    s2.start();
    const client = new DhcpClient({
      ns: pc!.root,
      iface: "eth0",
      broadcastFlag: true,
      arpProbe: false,
    });
    client.start();
    net.runFor(1e9);

    const wire = dhcpOnWire(net);
    assert.deepEqual(wire.map((w) => `${w.node} ${w.type}`), [
      "pc DHCPDISCOVER",
      "srv DHCPOFFER",
      "pc DHCPREQUEST",
      "srv DHCPACK",
      "srv2 DHCPOFFER",
    ]);
    const discover = wire[0]!, offer1 = wire[1]!, request = wire[2]!, ack = wire[3]!;
    const offer2 = wire[4]!;
    // Discover: 0.0.0.0 → 255.255.255.255, UDP 68 → 67, BOOTP request (op 1) with the MAC.
    assert.deepEqual([discover.src, discover.dst, discover.srcPort, discover.dstPort], [
      "0.0.0.0",
      "255.255.255.255",
      68,
      67,
    ]);
    assert.deepEqual([discover.message.op, formatMac(discover.message.chaddr)], [1, PC_MAC]);
    // Offers: to the broadcast address, each with address, mask, gateway and lease time.
    for (const [o, addr] of [[offer1, "192.168.1.135"], [offer2, "192.168.1.207"]] as const) {
      assert.deepEqual([o.dst, o.dstMac, o.message.op], [
        "255.255.255.255",
        "ff:ff:ff:ff:ff:ff",
        2,
      ]);
      const b = o.message;
      assert.deepEqual(
        [
          formatIp4(b.yiaddr),
          formatIp4(b.options.subnetMask!),
          formatIp4(b.options.routers![0]!),
          b.options.leaseTime,
        ],
        [addr, "255.255.255.0", "192.168.1.1", 3600],
      );
    }
    // The neighbour saw the broadcast offers too (and had no use for them).
    assert.ok(net.trace.filter({ kind: "rx", node: "pc2", proto: 17 }).length >= 4);
    // Request: still 0.0.0.0 → broadcast, with the MAC, the accepted address and the chosen server.
    assert.deepEqual([request.src, request.dst], ["0.0.0.0", "255.255.255.255"]);
    assert.deepEqual(
      [
        formatMac(request.message.chaddr),
        formatIp4(request.message.options.requestedAddress!),
        formatIp4(request.message.options.serverId!),
      ],
      [PC_MAC, "192.168.1.135", "192.168.1.1"],
    );
    // The other server took its offer back when the Request named srv1.
    net.runFor(1e9);
    assert.deepEqual(s2.reservations(), []);
    // ACK: broadcast as well.
    assert.deepEqual([ack.dst, ack.dstMac], ["255.255.255.255", "ff:ff:ff:ff:ff:ff"]);
    assert.equal(client.state, "BOUND");
    // The frames are real BOOTP: the UDP payload starts with op 1 / 2, and the magic cookie at 236.
    const bytes = encodeFrame(net.trace.filter({ kind: "tx", node: "pc", proto: 17 })[0]!.packet);
    assert.deepEqual([bytes[42], ...bytes.subarray(42 + 236, 42 + 240)], [1, 99, 130, 83, 99]);

    // At 50% of the lease, straight to the server that gave it.
    const lease = client.lease!;
    net.run(lease.obtained + 1800e9 + 1e6);
    const renewal = dhcpOnWire(net, { type: "DHCPREQUEST" })[1]!;
    const renewing = client.history.find((h) => h.state === "RENEWING")!.time;
    assert.equal(secs(renewing - lease.obtained), 1800);
    // The ACK was broadcast, so the client first asks ARP for the server's MAC.
    const arp = net.trace.filter({ kind: "tx", node: "pc", arp: true }).find((e) =>
      e.time >= renewing
    )!;
    assert.deepEqual([arp.time, formatIp4(arp.packet.arp!.targetIp)], [renewing, "192.168.1.1"]);
    assert.ok(renewal.time - renewing < 1e6);
    assert.deepEqual([renewal.src, renewal.dst], ["192.168.1.135", "192.168.1.1"]);
    const renewed = dhcpOnWire(net, { type: "DHCPACK" })[1]!;
    assert.equal(renewed.node, "srv");
    assert.equal(client.lease!.expiresAt, renewing + 3600e9, "the ACK renewed the lease");
    assert.equal(pc2!.sh("ip -br addr show dev eth0").stdout, "eth0             UP             \n");
  },
);
