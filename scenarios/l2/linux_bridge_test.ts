/**
 * A Linux bridge joining namespaces, as container runtimes build docker0:
 * veth pairs whose host ends are enslaved with `ip link set … master br0`.
 * The namespaces reach each other through the bridge (which learns their
 * MACs and stops flooding), the host reaches them through br0's own address,
 * `ip link` shows `master br0`, br0 has carrier only while a port does,
 * `nomaster` takes a port out of the bridge, and bad commands are refused.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac } from "../../core/wire/addr.ts";

function build(net: Network) {
  const host = net.node("host");
  host.sh(`ip link add br0 type bridge
ip addr add 10.0.0.1/24 dev br0
ip link set br0 up`);
  for (const [i, name] of [[2, "c1"], [3, "c2"]] as const) {
    host.sh(`ip netns add ${name}
ip link add veth${name} type veth peer name eth0 netns ${name}
ip link set veth${name} master br0
ip link set veth${name} up
ip netns exec ${name} ip addr add 10.0.0.${i}/24 dev eth0
ip netns exec ${name} ip link set eth0 up
ip netns exec ${name} ip link set lo up
ip netns exec ${name} ip route add default via 10.0.0.1`);
  }
  return host;
}

scenario("bridge: namespaces on br0 reach each other and the host through it", (net) => {
  const host = build(net);
  const c1c2 = host.sh("ip netns exec c1 ping -c 2 10.0.0.3");
  assert.equal(c1c2.status, 0, c1c2.out);
  assert.match(c1c2.stdout, /64 bytes from 10\.0\.0\.3: icmp_seq=2 ttl=64 /);
  const toHost = host.sh("ip netns exec c2 ping -c 1 10.0.0.1");
  assert.match(toHost.stdout, /64 bytes from 10\.0\.0\.1: icmp_seq=1 ttl=64 /);
  assert.equal(host.sh("ping -c 1 10.0.0.2").status, 0);
  // ip link shows the enslaved ports.
  assert.match(host.sh("ip link show vethc1").stdout, / master br0 state UP /);
  assert.match(
    host.sh("ip link show br0").stdout,
    /<BROADCAST,MULTICAST,UP,LOWER_UP>.* qdisc noqueue state UP /,
  );
  // The bridge learned both namespaces' MACs on their ports.
  const br = host.root.bridges.get("br0")!;
  const learned = new Map(br.fdb().map((e) => [formatMac(e.mac), e.port]));
  const macOf = (ns: string) => formatMac(host.netns.get(ns)!.iface("eth0").mac);
  assert.equal(learned.get(macOf("c1")), "vethc1");
  assert.equal(learned.get(macOf("c2")), "vethc2");
});

scenario("bridge: once learned, unicast goes to one port only", (net) => {
  const host = build(net);
  host.sh("ip netns exec c1 ping -c 1 10.0.0.3");
  const before = net.trace.filter({ kind: "tx", node: "host", iface: "vethc2", proto: 1 }).length;
  host.sh("ip netns exec c1 ping -c 3 10.0.0.1");
  // Echo requests to br0's address never go out of c2's port.
  const after = net.trace.filter({ kind: "tx", node: "host", iface: "vethc2", proto: 1 }).length;
  assert.equal(after, before);
});

scenario("bridge: carrier follows the ports, nomaster takes a port out", (net) => {
  const host = build(net);
  host.sh("ip link set vethc1 down; ip link set vethc2 down");
  assert.match(
    host.sh("ip link show br0").stdout,
    /<NO-CARRIER,BROADCAST,MULTICAST,UP> .* state DOWN /,
  );
  host.sh("ip link set vethc1 up; ip link set vethc2 up");
  assert.match(host.sh("ip link show br0").stdout, /LOWER_UP/);
  host.sh("ip link set vethc2 nomaster");
  assert.doesNotMatch(host.sh("ip link show vethc2").stdout, /master/);
  const r = host.sh("ip netns exec c1 ping -c 1 -W 1 10.0.0.3");
  assert.equal(r.status, 1, "c2 is no longer on the bridge");
});

scenario("bridge: bad master commands are refused", (net) => {
  const host = build(net);
  const none = host.sh("ip link set vethc1 master br9");
  assert.equal(none.status, 1);
  assert.equal(none.stderr, 'Device "br9" does not exist.\n');
  const self = host.sh("ip link set br0 master br0");
  assert.notEqual(self.status, 0);
  const dup = host.sh("ip link add br0 type bridge");
  assert.equal(dup.stderr, "RTNETLINK answers: File exists\n");
  // The bridge still works.
  assert.equal(host.sh("ip netns exec c1 ping -c 1 10.0.0.3").status, 0);
});
