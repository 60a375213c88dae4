/**
 * The notes' other way to publish a port: a user-space proxy on the host
 * (`docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 10080 -container-ip
 * 172.17.0.2 -container-port 80`) accepts on 10080 and opens its own
 * connection to the container. Compared with DNAT the bytes arrive the same,
 * but there are two TCP connections, no conntrack NAT entry, and the
 * container sees the host's docker0 address instead of the client's.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Node } from "../../core/node/node.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";
import { ip } from "../../core/wire/addr.ts";

import { connect, peer } from "../gateway/nat_testing.ts";
import { dockerHost, listenIn, publish } from "./docker_testing.ts";

/** A minimal docker-proxy: relay every connection on hostPort to target:port. */
function dockerProxy(host: Node, hostPort: number, target: string, port: number): void {
  const tcp = host.root.tcp;
  const l = tcp.socket();
  tcp.bind(l, 0, hostPort);
  tcp.listen(l);
  l.onAccept = () => {
    for (let a = tcp.accept(l); a; a = tcp.accept(l)) {
      const inner: TcpSocket = tcp.socket();
      const front = a;
      const pending: Uint8Array[] = [];
      front.onData = (d) => {
        const b = typeof d === "number" ? new Uint8Array(d) : d;
        if (inner.state === "ESTABLISHED") inner.send(b);
        else pending.push(b);
      };
      inner.onConnect = () => {
        for (const b of pending.splice(0)) inner.send(b);
      };
      inner.onData = (d) => front.send(typeof d === "number" ? new Uint8Array(d) : d);
      tcp.connect(inner, ip(target), port);
    }
  };
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

scenario(
  "docker-proxy: the bytes arrive, but the container sees the host, not the client",
  (net) => {
    const { host, client } = dockerHost(net);
    dockerProxy(host, 10080, "172.17.0.2", 80);
    const c1 = host.netns.get("c1")!;
    const seen: string[] = [];
    const got: Uint8Array[] = [];
    const l = c1.tcp.socket();
    c1.tcp.bind(l, 0, 80);
    c1.tcp.listen(l);
    l.onAccept = () => {
      for (let c = c1.tcp.accept(l); c; c = c1.tcp.accept(l)) {
        seen.push(peer(c));
        c.onData = (d) => got.push(d as Uint8Array);
      }
    };
    const c = connect(client, "198.51.100.2", 10080, 50000);
    c.onConnect = () => c.send(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
    net.run(2e9);
    assert.equal(text(got[0]), "GET / HTTP/1.1\r\n\r\n");
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /^172\.17\.0\.1:\d+$/, "the proxy's own address on docker0");
    // Two TCP handshakes: client→host:10080 and host→container:80; no NAT involved.
    const syns = net.trace.filter({ kind: "tx", proto: 6 })
      .filter((e) => e.packet.tcp!.flags === 2 && (e.node === "client" || e.iface === "vethc1"));
    assert.deepEqual(syns.map((e) => `${e.node} ${e.iface} ${e.packet.tcp!.dstPort}`), [
      "client eth0 10080",
      "host vethc1 80",
    ]);
    assert.equal(host.sh("conntrack -L -n").stdout, "");
  },
);

scenario("DNAT versus docker-proxy: with DNAT the container sees the real client", (net) => {
  const { host, client } = dockerHost(net);
  publish(host, 10080, "172.17.0.2", 80);
  const seen = listenIn(host.netns.get("c1")!, 81);
  host.sh(
    "iptables -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 10081 -j DNAT --to-destination 172.17.0.2:81",
  );
  connect(client, "198.51.100.2", 10081, 50001);
  net.run(1e9);
  assert.deepEqual(seen, ["198.51.100.9:50001"]);
  // One handshake end to end, and one NAT entry on the host.
  assert.match(
    host.sh("conntrack -L -g").stdout,
    /dport=10081 src=172\.17\.0\.2 dst=198\.51\.100\.9 sport=81 dport=50001/,
  );
});
