/**
 * Container networking as Docker sets it up (the notes' container chapter):
 * containers on one host talk over docker0 with their own addresses;
 * traffic leaving the host is masqueraded to the host's address
 * (`-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE`); and
 * `-p 10080:80` publishes a container's port 80 on the host's port 10080 by
 * DNAT (`-A DOCKER -p tcp -m tcp --dport 10080 -j DNAT --to-destination
 * 172.17.0.2:80`), reachable from outside and from the host itself.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect, peer } from "../gateway/nat_testing.ts";
import { dockerHost, listenIn, publish } from "./docker_testing.ts";

scenario("docker0: containers on one host reach each other directly, no NAT", (net) => {
  const { host } = dockerHost(net);
  const c2 = host.netns.get("c2")!;
  const out = host.sh("ip netns exec c1 ping -c 1 172.17.0.3");
  assert.match(out.stdout, /64 bytes from 172\.17\.0\.3: icmp_seq=1 ttl=64 /);
  // c2 saw c1's own address; the bridge switched the frame, nothing was routed.
  const rx = net.trace.filter({ kind: "rx", node: "host", icmp: "echo-request" })
    .filter((e) => e.iface === "eth0" && e.packet.ip!.dst === 0xac110003);
  assert.equal(rx[0]!.packet.ip!.src, 0xac110002);
  assert.equal(host.root.ip.stats.forwarded, 0);
  assert.equal(host.sh("conntrack -L").stdout, "");
  assert.ok(c2);
});

scenario("docker0: a container's outbound connection leaves from the host's address", (net) => {
  const { host, client } = dockerHost(net);
  const web = serve(client, 80);
  const c1 = host.netns.get("c1")!;
  const tcp = c1.tcp;
  const s = tcp.socket();
  tcp.bind(s, 0, 45000);
  tcp.connect(s, 0xc6336409, 80);
  net.run(1e9);
  assert.equal(s.state, "ESTABLISHED");
  assert.deepEqual(web.conns.map(peer), ["198.51.100.2:45000"]);
  assert.match(
    host.sh("iptables -t nat -L POSTROUTING -n -v").stdout,
    /^ {4}1 {4}60 MASQUERADE {2}0 {4}-- {2}\* {6}!docker0 {2}172\.17\.0\.0\/16 {8}0\.0\.0\.0\/0 {11}$/m,
  );
});

scenario("docker run -p 10080:80: an outside client reaches the container", (net) => {
  const { host, client } = dockerHost(net);
  publish(host, 10080, "172.17.0.2", 80);
  const seen = listenIn(host.netns.get("c1")!, 80);
  const c = connect(client, "198.51.100.2", 10080, 50000);
  net.run(1e9);
  assert.equal(c.state, "ESTABLISHED");
  assert.equal(peer(c), "198.51.100.2:10080");
  assert.deepEqual(seen, ["198.51.100.9:50000"], "the container sees the real client");
  assert.equal(
    host.sh("iptables -t nat -S DOCKER").stdout,
    "-N DOCKER\n-A DOCKER -i docker0 -j RETURN\n" +
      "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 10080 -j DNAT --to-destination 172.17.0.2:80\n",
  );
});

scenario("docker run -p 10080:80: the host itself reaches the container through OUTPUT", (net) => {
  const { host } = dockerHost(net);
  publish(host, 10080, "172.17.0.2", 80);
  const seen = listenIn(host.netns.get("c1")!, 80);
  // A process on the host connects to its own public address.
  const c = connect(host, "198.51.100.2", 10080, 50001);
  net.run(1e9);
  assert.equal(c.state, "ESTABLISHED");
  assert.equal(peer(c), "198.51.100.2:10080");
  // OUTPUT's DNAT re-routed the SYN out of docker0 to the container.
  const syn = net.trace.filter({ kind: "tx", node: "host", iface: "vethc1", proto: 6 })[0]!.packet;
  assert.equal(syn.ip!.dst, 0xac110002);
  assert.equal(syn.tcp!.dstPort, 80);
  assert.deepEqual(seen, ["198.51.100.2:50001"]);
  assert.match(
    host.sh("conntrack -L -p tcp --dport 10080").stdout,
    /src=198\.51\.100\.2 dst=198\.51\.100\.2 sport=50001 dport=10080 src=172\.17\.0\.2 dst=198\.51\.100\.2 sport=80 dport=50001 \[ASSURED\]/,
  );
});

scenario("docker run -p 10080:80: containers on docker0 are not redirected (RETURN)", (net) => {
  const { host } = dockerHost(net);
  publish(host, 10080, "172.17.0.2", 80);
  // From c2, port 10080 on the host's address is the host's own port: nobody listens.
  const out = host.sh("ip netns exec c2 ping -c 1 198.51.100.2");
  assert.equal(out.status, 0);
  const c2 = host.netns.get("c2")!;
  const s = c2.tcp.socket();
  c2.tcp.connect(s, 0xc6336402, 10080);
  net.run(1e9);
  assert.equal(s.state, "CLOSED", "reset by the host, not mapped");
  assert.match(
    host.sh("iptables -t nat -L DOCKER -n -v").stdout,
    /^ {4}\d+ +\d+ RETURN {5}0 {4}-- {2}docker0 \*/m,
  );
});
