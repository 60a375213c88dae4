/**
 * Query ids and source ports come from seeded random streams (RFC 5452 §9):
 * every upstream query of the resolver has its own id and leaves from its
 * own ephemeral port in 32768–60999 — the guesswork a spoofer faces — and
 * the same seed gives the same draws (the scenario runs twice and compares
 * traces) while another seed gives others. A forged answer with the right
 * question but a wrong id, sent from the server's address to the right port,
 * is ignored; the real answer is taken.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { decodeDns, encodeDns } from "../../core/app/dns/message.ts";
import { responseTo } from "../../core/app/dns/authoritative.ts";
import { ip } from "../../core/wire/addr.ts";
import { dnsLab, dnsOnWire } from "./dns_testing.ts";

function upstream(net: Network): Array<[number, number]> {
  return dnsOnWire(net, { node: "ldns" }).filter((w) => !w.message.qr && w.to.endsWith(":53"))
    .map((w) => [w.message.id, Number(w.from.split(":")[1])]);
}

scenario("dns: upstream ids and ports are random, per seed", (net) => {
  const lab = dnsLab(net);
  for (const n of ["www", "mail", "m", "news", "nope"]) lab.pc.sh(`dig +short ${n}.163.com`);
  const up = upstream(net);
  assert.ok(up.length >= 7);
  assert.equal(new Set(up.map(([id]) => id)).size, up.length, "no id repeats");
  assert.equal(new Set(up.map(([, port]) => port)).size, up.length, "no port repeats");
  for (const [, port] of up) assert.ok(port >= 32768 && port <= 60999, `port ${port}`);
  // Another seed, other draws.
  const other = new Network({ seed: 2 });
  const lab2 = dnsLab(other);
  lab2.pc.sh("dig +short www.163.com");
  assert.notDeepEqual(upstream(other).slice(0, 3), up.slice(0, 3));
});

scenario("dns: a forged answer with a wrong id is ignored", (net) => {
  const lab = dnsLab(net);
  // A forger on the path (the ISP's router) sees the resolver's query to ns1.163.com. leave and
  // answers first, from the server's address and port 53 to the query's port, with another id.
  const forger = lab.isp.root.udp.socket();
  forger.bind(0, 53);
  forger.onMessage = () => void forger.inbox.splice(0);
  const forgedPorts: number[] = [];
  net.trace.taps.push((kind, at, p) => {
    if (kind !== "tx" || at.node !== "ldns" || p.udp?.dstPort !== 53) return;
    if (p.ip?.dst !== ip("198.51.100.3") || forgedPorts.length > 0) return;
    const query = decodeDns(p.udp.payload as Uint8Array);
    const port = p.udp.srcPort;
    forgedPorts.push(port);
    net.sim.after(0, () => {
      const lie = { ...responseTo(query), aa: true, id: (query.id + 1) & 0xffff };
      lie.answers = [{
        name: "www.163.com.",
        class: 1,
        ttl: 86400,
        data: { type: "A" as const, address: ip("6.6.6.6") },
      }];
      forger.sendTo(encodeDns(lie), ip("10.53.0.53"), port, { src: ip("198.51.100.3") });
    });
  });
  assert.equal(lab.pc.sh("dig +short www.163.com").out, "203.0.113.80\n");
  // The forged datagram did reach the resolver's socket, and was dropped there for its id.
  const forged = dnsOnWire(net, { node: "isp" }).filter((w) =>
    w.message.id !== lab.resolver.upstream[3]!.id && w.message.qr && w.from === "198.51.100.3:53"
  );
  assert.equal(forged.length, 1);
  assert.equal(forged[0]!.to, `10.53.0.53:${forgedPorts[0]}`);
  const delivered = net.trace.filter({ kind: "deliver", node: "ldns" }).filter((e) => {
    const u = e.packet.udp;
    return u !== undefined && u.dstPort === forgedPorts[0] && typeof u.payload !== "number" &&
      decodeDns(u.payload).id === forged[0]!.message.id;
  });
  assert.equal(delivered.length, 1);
  assert.deepEqual(
    lab.resolver.cache.get("www.163.com.", 1)!.map((r) => (r.data as { address: number }).address),
    [
      ip("203.0.113.80"),
    ],
  );
});
