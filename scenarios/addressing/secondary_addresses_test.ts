/**
 * Secondary addresses and `ip addr del`. A second and third address in an
 * existing prefix are secondaries: flagged so in `ip addr` and `ip -j addr`,
 * sharing the primary's single prefix and broadcast route, each with its own
 * local route, and each answering ARP and ping. Deleting a secondary removes
 * exactly its local route — the host stops answering for it — and deleting
 * the primary takes the prefix route, the broadcast route and (Linux's
 * default, promote_secondaries off) every secondary with it. Routes that named
 * a deleted address as their source go too. Deleting what is not there says so.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";

interface JsonRoute {
  type?: string;
  dst: string;
  dev?: string;
  prefsrc?: string;
}

function build(net: Network) {
  const [a, b] = net.nodes("a", "b");
  net.connect(a, b);
  a.sh("ip addr add 10.0.0.1/24 dev eth0; ip addr add 10.0.0.2/24 dev eth0");
  a.sh("ip addr add 10.0.0.3/24 dev eth0");
  b.sh("ip addr add 10.0.0.9/24 dev eth0");
  return { a, b };
}

/** a's eth0 routes in table local, as "type dst src". */
function localRoutes(a: Node): string[] {
  return (JSON.parse(a.sh("ip -j route show table local").stdout) as JsonRoute[])
    .filter((r) => r.dev === "eth0")
    .map((r) => `${r.type} ${r.dst} ${r.prefsrc}`);
}

/** Whether b gets an answer from `addr` (with a fresh ARP cache). */
function answers(b: Node, addr: string): boolean {
  b.sh("ip neigh flush dev eth0");
  return b.sh(`ping -c 1 -W 1 ${addr}`).status === 0;
}

scenario("addressing: secondaries share the primary's routes and each answers", (net) => {
  const { a, b } = build(net);
  const shown = a.sh("ip addr show eth0").stdout;
  assert.match(shown, /^ {4}inet 10\.0\.0\.1\/24 scope global eth0$/m);
  assert.match(shown, /^ {4}inet 10\.0\.0\.2\/24 scope global secondary eth0$/m);
  assert.match(shown, /^ {4}inet 10\.0\.0\.3\/24 scope global secondary eth0$/m);
  const info = JSON.parse(a.sh("ip -j addr show eth0").stdout)[0].addr_info as Array<
    { local: string; secondary?: boolean }
  >;
  assert.deepEqual(info.map((x) => [x.local, x.secondary ?? false]), [
    ["10.0.0.1", false],
    ["10.0.0.2", true],
    ["10.0.0.3", true],
  ]);
  // One prefix route, from the primary; every local route carries the primary as source.
  assert.deepEqual(
    (JSON.parse(a.sh("ip -j route").stdout) as JsonRoute[]).map((r) => `${r.dst} ${r.prefsrc}`),
    ["10.0.0.0/24 10.0.0.1"],
  );
  assert.deepEqual(localRoutes(a), [
    "local 10.0.0.1 10.0.0.1",
    "local 10.0.0.2 10.0.0.1",
    "local 10.0.0.3 10.0.0.1",
    "broadcast 10.0.0.255 10.0.0.1",
  ]);
  for (const addr of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) assert.ok(answers(b, addr), addr);
  // Every ARP reply from a carries the same MAC: three addresses, one NIC.
  const replies = net.trace.filter({ kind: "tx", node: "a", arp: true })
    .filter((e) => e.packet.arp!.op === 2);
  assert.equal(replies.length, 3);
  assert.ok(replies.every((e) => e.packet.arp!.senderMac === a.iface("eth0").mac));
});

scenario("addressing: deleting a secondary removes just its local route", (net) => {
  const { a, b } = build(net);
  const del = a.sh("ip addr del 10.0.0.2/24 dev eth0");
  assert.equal(del.status, 0);
  assert.equal(del.out, "");
  assert.doesNotMatch(a.sh("ip addr show eth0").stdout, /10\.0\.0\.2\//);
  assert.deepEqual(localRoutes(a), [
    "local 10.0.0.1 10.0.0.1",
    "local 10.0.0.3 10.0.0.1",
    "broadcast 10.0.0.255 10.0.0.1",
  ]);
  assert.match(
    a.sh("ip route").stdout,
    /^10\.0\.0\.0\/24 dev eth0 proto kernel scope link src 10\.0\.0\.1\s*$/m,
  );
  assert.equal(JSON.parse(a.sh("ip -j route get 10.0.0.2").stdout)[0].type, undefined);
  // Nobody answers ARP for the deleted address any more; the others still do.
  assert.ok(!answers(b, "10.0.0.2"));
  assert.equal(
    net.trace.filter({ kind: "tx", node: "a", arp: true }).filter((e) =>
      e.packet.arp!.op === 2 && e.packet.arp!.senderIp === 0x0a000002
    ).length,
    0,
  );
  assert.ok(answers(b, "10.0.0.3"));
  assert.ok(answers(b, "10.0.0.1"));
  // Without a prefix length iproute2 still deletes, but warns that it guessed.
  const wild = a.sh("ip addr del 10.0.0.3 dev eth0");
  assert.equal(wild.status, 0);
  assert.match(
    wild.stderr,
    /^Warning: Executing wildcard deletion to stay compatible with old scripts\.$/m,
  );
  assert.deepEqual(localRoutes(a), ["local 10.0.0.1 10.0.0.1", "broadcast 10.0.0.255 10.0.0.1"]);
});

scenario("addressing: deleting the primary takes the prefix, broadcast and secondaries", (net) => {
  const { a, b } = build(net);
  assert.equal(a.sh("ip addr del 10.0.0.1/24 dev eth0").status, 0);
  assert.doesNotMatch(a.sh("ip addr show eth0").stdout, /inet /);
  assert.deepEqual(JSON.parse(a.sh("ip -j route").stdout), []);
  assert.deepEqual(localRoutes(a), []);
  const get = a.sh("ip route get 10.0.0.9");
  assert.equal(get.status, 2);
  assert.match(get.stderr, /^RTNETLINK answers: Network is unreachable$/m);
  for (const addr of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) assert.ok(!answers(b, addr), addr);
});

scenario("addressing: routes preferring a deleted source are flushed with it", (net) => {
  const { a } = build(net);
  a.sh("ip addr add 192.168.50.1/24 dev eth0");
  assert.equal(a.sh("ip route add 198.51.100.0/24 via 10.0.0.9 src 192.168.50.1").status, 0);
  assert.equal(a.sh("ip route add 203.0.113.0/24 via 10.0.0.9").status, 0);
  assert.match(
    a.sh("ip route").stdout,
    /^198\.51\.100\.0\/24 via 10\.0\.0\.9 dev eth0 src 192\.168\.50\.1\s*$/m,
  );
  a.sh("ip addr del 192.168.50.1/24 dev eth0");
  const left = (JSON.parse(a.sh("ip -j route").stdout) as JsonRoute[]).map((r) => r.dst);
  assert.deepEqual(left, ["10.0.0.0/24", "203.0.113.0/24"]);
});

scenario("addressing: deleting an address that is not there fails and changes nothing", (net) => {
  const { a } = build(net);
  const before = a.sh("ip -j addr").stdout;
  const cases: Array<[string, string, number]> = [
    ["ip addr del 10.0.0.77/24 dev eth0", "Error: ipv4: Address not found.\n", 2],
    // The prefix length is part of the address: /32 is not the /24 that is there.
    ["ip addr del 10.0.0.2/32 dev eth0", "Error: ipv4: Address not found.\n", 2],
    ["ip addr del 10.0.0.2/24", 'Not enough information: "dev" argument is required.\n', 1],
    ["ip addr del 10.0.0.2/24 dev eth7", 'Cannot find device "eth7"\n', 1],
  ];
  for (const [cmd, err, status] of cases) {
    const r = a.sh(cmd);
    assert.equal(r.status, status, cmd);
    assert.equal(r.stderr, err, cmd);
    assert.equal(r.stdout, "", cmd);
  }
  assert.equal(a.sh("ip -j addr").stdout, before);
});
