import assert from "node:assert/strict";
import { Network } from "./network.ts";
import { chain, star, twoSwitchThreeLans } from "./topology.ts";

Deno.test("chain: a ping crosses every router (TTL 64 - routers) and comes back", () => {
  const net = new Network({ seed: 1 });
  const c = chain(net, 3);
  const out = c.src.sh(`ping -c 1 ${c.dstAddress}`);
  assert.match(
    out.stdout,
    new RegExp(`from ${c.dstAddress.replaceAll(".", "\\.")}: icmp_seq=1 ttl=61 `),
  );
  assert.equal(net.trace.hops({ icmp: "echo-request" }).length, 4);
  net.assertConserved();
});

Deno.test("star: hosts on one switch reach each other; the switch learns every MAC", () => {
  const net = new Network({ seed: 1 });
  const s = star(net, 4);
  for (let i = 1; i < 4; i++) assert.equal(s.hosts[0]!.sh(`ping -c 1 ${s.addresses[i]}`).status, 0);
  assert.equal((s.device as import("../l2/switch.ts").Switch).fdb().length, 4);
});

Deno.test("two switches, three LANs: machine 1 reaches machine 4 across both switches", () => {
  const net = new Network({ seed: 1 });
  const t = twoSwitchThreeLans(net);
  assert.equal(t.machines[0]!.sh("ping -c 1 192.168.1.4").status, 0);
  // The broadcast ARP request reached every other machine.
  const heard = net.trace.filter({ kind: "rx", arp: true })
    .filter((e) => e.packet.arp!.op === 1 && e.node.startsWith("machine")).map((e) => e.node);
  assert.deepEqual([...new Set(heard)].sort(), ["machine2", "machine3", "machine4", "machine5"]);
});
