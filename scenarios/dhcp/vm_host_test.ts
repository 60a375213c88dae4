/**
 * A VM host's built-in DHCP for NAT-mode VMs, as the notes describe desktop
 * virtualization: the VMs' tap ports hang on a bridge (virbr0,
 * 192.168.122.1/24), and the host runs a dnsmasq for that bridge alone —
 * here with the configuration file libvirt writes for its "default" network.
 * The VMs get addresses, the host as router and DNS server; MASQUERADE takes
 * them out through the host's one address. Their DHCP traffic never leaves the
 * host. In bridged mode, by contrast, the VM sits on the physical LAN and its
 * address comes from that LAN's DHCP server.
 *
 *   vm1 ─ vnet0 ┐
 *   vm2 ─ vnet1 ┴ virbr0 192.168.122.1 [laptop] eth0 203.0.113.10 ── sw ── web 203.0.113.80
 *                                                                      └─ router 203.0.113.1 (LAN DHCP)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { dhcpOnWire, fileText, ip } from "./dhcp_testing.ts";

/** libvirt's dnsmasq configuration for the default NAT network. */
const LIBVIRT_CONF = `##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:
##    virsh net-edit default
strict-order
pid-file=/run/libvirt/network/default.pid
except-interface=lo
bind-dynamic
interface=virbr0
dhcp-range=192.168.122.2,192.168.122.254,255.255.255.0
dhcp-no-override
dhcp-authoritative
dhcp-lease-max=253
dhcp-hostsfile=/var/lib/libvirt/dnsmasq/default.hostsfile
addn-hosts=/var/lib/libvirt/dnsmasq/default.addnhosts
`;

function build(net: Network) {
  const [laptop, web, router, vm1, vm2] = net.nodes("laptop", "web", "router", "vm1", "vm2");
  const lan = net.switch("sw");
  net.connect(laptop, lan);
  net.connect(web, lan);
  net.connect(router, lan);
  net.connect(vm1, laptop);
  net.connect(vm2, laptop);
  web.sh("ip addr add 203.0.113.80/24 dev eth0");
  router.sh("ip addr add 203.0.113.1/24 dev eth0");
  router.sh("dnsmasq --port=0 --dhcp-range=203.0.113.100,203.0.113.199,12h");
  laptop.sh(`ip addr add 203.0.113.10/24 dev eth0
ip route add default via 203.0.113.1
ip link set eth1 name vnet0
ip link set eth2 name vnet1
ip link add virbr0 type bridge
ip addr add 192.168.122.1/24 dev virbr0
ip link set virbr0 up
ip link set vnet0 master virbr0
ip link set vnet1 master virbr0`);
  return { laptop, web, router, vm1, vm2 };
}

scenario("dhcp vm host: the host's dnsmasq serves the VMs on virbr0, NAT takes them out", (net) => {
  const { laptop, vm1, vm2 } = build(net);
  laptop.files.set("/var/lib/libvirt/dnsmasq/default.conf", new TextEncoder().encode(LIBVIRT_CONF));
  const start = laptop.sh("dnsmasq --conf-file=/var/lib/libvirt/dnsmasq/default.conf");
  assert.deepEqual([start.out, start.status], ["", 0]);
  laptop.sh("sysctl -w net.ipv4.ip_forward=1");
  laptop.sh(
    "iptables -t nat -A POSTROUTING -s 192.168.122.0/24 ! -d 192.168.122.0/24 -j MASQUERADE",
  );
  for (const vm of [vm1, vm2]) assert.equal(vm.sh("dhclient eth0").status, 0);
  const addrs = [vm1, vm2].map((vm) =>
    /inet (\S+)\/24/.exec(vm.sh("ip addr show dev eth0").stdout)![1]!
  );
  for (const a of addrs) {
    const n = ip(a) & 0xff;
    assert.ok(a.startsWith("192.168.122.") && n >= 2 && n <= 254, a);
  }
  assert.notEqual(addrs[0], addrs[1]);
  // The host is router and (dnsmasq's DNS being on) name server.
  assert.match(vm1.sh("ip route").stdout, /^default via 192\.168\.122\.1 dev eth0 $/m);
  assert.equal(fileText(vm1, "/etc/resolv.conf"), "nameserver 192.168.122.1\n");
  // Out through NAT: the web server sees the laptop's address.
  assert.equal(vm1.sh("ping -c 1 203.0.113.80").status, 0);
  const seen = net.trace.filter({ kind: "deliver", node: "web", icmp: "echo-request" })
    .concat(net.trace.filter({ kind: "consume", node: "web", icmp: "echo-request" }));
  assert.ok(seen.length >= 1);
  assert.ok(seen.every((e) => e.packet.ip!.src === ip("203.0.113.10")));
  // The VMs' DHCP stayed inside the host: nothing on the physical LAN, and the LAN's
  // DHCP server heard none of it.
  assert.deepEqual(
    dhcpOnWire(net, { node: "laptop" }).map((w) => w.iface).filter((i) => i === "eth0"),
    [],
  );
  assert.deepEqual(dhcpOnWire(net, { node: "router" }), []);
  // The two leases, in dnsmasq's lease file.
  assert.equal(fileText(laptop, "/var/lib/misc/dnsmasq.leases")!.trim().split("\n").length, 2);
});

scenario("dhcp vm host: a bridged VM gets its address from the physical LAN's server", (net) => {
  const { laptop, vm1 } = build(net);
  // Bridged mode: the physical NIC joins the VM bridge; the host's address moves to the bridge.
  laptop.sh(`ip addr del 203.0.113.10/24 dev eth0
ip link add br0 type bridge
ip link set eth0 master br0
ip link set vnet0 nomaster
ip link set vnet0 master br0
ip addr add 203.0.113.10/24 dev br0
ip link set br0 up`);
  assert.equal(vm1.sh("dhclient eth0").status, 0);
  const a = /inet (\S+)\/24/.exec(vm1.sh("ip addr show dev eth0").stdout)![1]!;
  assert.ok(a.startsWith("203.0.113.1"), `${a} from the LAN's range`);
  assert.match(vm1.sh("ip route").stdout, /^default via 203\.0\.113\.1 dev eth0 $/m);
  // The offer came from the LAN's router, through the laptop's bridge.
  assert.deepEqual(dhcpOnWire(net, { type: "DHCPOFFER" }).map((w) => w.node), ["router", "laptop"]);
});
