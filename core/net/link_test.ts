import assert from "node:assert/strict";
import { Network } from "../lab/network.ts";
import { newPacket, type Packet } from "../wire/packet.ts";
import type { Interface } from "./interface.ts";

/** Two nodes on one link; frames arriving at b's end are recorded, not handed to a stack. */
function pair(options: { rate: number; delay: number }) {
  const net = new Network({ seed: 1 });
  const [a, b] = net.nodes("a", "b");
  const link = net.connect(a, b, options);
  a.sh("ip link set eth0 up");
  b.sh("ip link set eth0 up");
  const got: Array<{ id: number; at: number }> = [];
  link.b.handler = {
    onFrame(_iface: Interface, p: Packet) {
      got.push({ id: p.id, at: net.sim.now });
      net.trace.consume(link.b, p);
    },
  };
  const send = (bytes: number) => {
    const p = newPacket({ dst: link.b.mac, src: link.a.mac, type: 0x88b5, vlan: undefined });
    p.raw = new Uint8Array(bytes - 14);
    net.trace.birth(p);
    link.a.transmit(p);
    return p.id;
  };
  return { net, link, got, send };
}

Deno.test("link: frames arrive in order, each a serialization plus the delay after the one before", () => {
  // 8 Mbit/s: a 1000-byte frame takes 1 ms on the wire; 5 ms of propagation.
  const { net, link, got, send } = pair({ rate: 8e6, delay: 5e6 });
  const ids = [send(1000), send(1000), send(500)];
  net.sim.run();
  assert.deepEqual(got, [
    { id: ids[0]!, at: 6e6 },
    { id: ids[1]!, at: 7e6 },
    { id: ids[2]!, at: 7.5e6 },
  ]);
  assert.equal(link.b.counters.rxBytes, 2500);
  assert.equal(link.inFlight, 0);
  net.assertConserved();
});

Deno.test("link: a frame sent after the delay was lowered overtakes the frames still propagating", () => {
  const { net, link, got, send } = pair({ rate: 8e6, delay: 10e6 });
  const slow = send(1000); // on the wire 0–1 ms, arrives at 11 ms
  net.sim.runFor(1e6);
  link.configure({ delay: 1e6 });
  const fast = send(500); // on the wire 1–1.5 ms, arrives at 2.5 ms
  assert.equal(link.inFlight, 2);
  net.sim.run(5e6);
  // Each frame arrives with its own length.
  assert.equal(link.b.counters.rxBytes, 500);
  net.sim.run();
  assert.deepEqual(got, [{ id: fast, at: 2.5e6 }, { id: slow, at: 11e6 }]);
  assert.equal(link.b.counters.rxBytes, 1500);
  assert.equal(link.inFlight, 0);
  net.assertConserved();
});

Deno.test("veth: a frame longer than the peer's MTU allows is dropped, counted at both ends", async () => {
  const { vethPair } = await import("../shell/test_util.ts");
  const { net, lab, b } = vethPair();
  b("ip link set veth1 mtu 1400");
  const veth0 = lab.netns.get("a")!.iface("veth0");
  const veth1 = lab.netns.get("b")!.iface("veth1");
  const got: number[] = [];
  veth1.handler = {
    onFrame(_iface: Interface, p: Packet) {
      got.push(p.raw!.length + 14);
      net.trace.consume(veth1, p);
    },
  };
  const send = (bytes: number) => {
    const p = newPacket({ dst: veth1.mac, src: veth0.mac, type: 0x88b5, vlan: undefined });
    p.raw = new Uint8Array(bytes - 14);
    net.trace.birth(p);
    veth0.transmit(p);
  };
  // Linux's is_skb_forwardable takes MTU + 14 + 4 bytes of frame: 1418 passes, 1419 does not.
  const sent = veth0.counters.txPackets;
  send(1418);
  send(1419);
  net.sim.run();
  assert.deepEqual(got, [1418]);
  assert.equal(veth0.counters.txPackets - sent, 1);
  assert.equal(veth0.counters.txDropped, 1);
  assert.equal(veth1.counters.rxDropped, 1);
  const drops = net.trace.filter({ kind: "drop" });
  assert.deepEqual(drops.map((e) => `${e.iface} ${e.reason}, ${e.detail}`), [
    "veth1 frame too big for mtu, mtu 1400",
  ]);
  // The sender's tcpdump saw both leave.
  assert.equal(net.trace.filter({ kind: "tx", iface: "veth0" }).length - sent, 2);
});
