/**
 * The simulation engine: how fast the event queue runs, and how many packet
 * hops per second full forwarding sustains.
 *
 * - `engine-scheduler`: schedule 10,000 events at seeded random times and run
 *   them all, with the binary heap against the sorted-list baseline.
 * - `engine-forwarding`: UDP datagrams through a chain of 5 routers (6 links,
 *   ARP warm), 100 in flight at a time, with the trace keeping its digest (as
 *   scenarios' bulk runs do) and keeping only counters (as the comparison
 *   harness does); one operation is
 *   one packet crossing one link and being received, routed and forwarded by
 *   the next node (or delivered to the socket at the end).
 *
 * @module
 */
import type { BenchSuite } from "../harness.ts";
import { lazy } from "../harness.ts";
import { HeapScheduler, ListScheduler, type Scheduler } from "../../core/sim/scheduler.ts";
import { Simulator } from "../../core/sim/simulator.ts";
import { Rng } from "../../core/sim/rng.ts";
import { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";

const EVENTS = 10_000;

function schedulerRun(make: () => Scheduler, times: Float64Array): () => number {
  return () => {
    const sim = new Simulator({ seed: 1, scheduler: make(), trace: "digest" });
    let fired = 0;
    const fn = () => fired++;
    for (let i = 0; i < times.length; i++) sim.at(times[i]!, fn);
    sim.run();
    return fired;
  };
}

/** A chain src — r0 — … — r(n-1) — dst with static routes; returns a sender of `count` datagrams. */
export function forwardingChain(
  routers: number,
  trace: "digest" | "counts" = "digest",
): { send: (count: number) => number; hops: number } {
  const net = new Network({ seed: 1, trace });
  const nodes: Node[] = [net.node("src")];
  for (let i = 0; i < routers; i++) nodes.push(net.node(`r${i}`));
  nodes.push(net.node("dst"));
  for (let i = 0; i + 1 < nodes.length; i++) {
    net.connect(nodes[i]!, nodes[i + 1]!, { rate: 0, delay: 0 });
  }
  for (let i = 0; i + 1 < nodes.length; i++) {
    nodes[i]!.sh(`ip addr add 10.${i}.0.1/24 dev eth${i === 0 ? 0 : 1}`);
    nodes[i + 1]!.sh(`ip addr add 10.${i}.0.2/24 dev eth0`);
  }
  nodes[0]!.sh("ip route add default via 10.0.0.2");
  for (let i = 1; i <= routers; i++) {
    nodes[i]!.sh(
      `sysctl -w net.ipv4.ip_forward=1; ip route add 10.${routers}.0.0/24 via 10.${i}.0.2; ip route add 10.0.0.0/24 via 10.${
        i - 1
      }.0.1`,
    );
  }
  nodes[routers + 1]!.sh(`ip route add default via 10.${routers}.0.1`);
  const dst = ((10 << 24) | (routers << 16) | 2) >>> 0;
  const rx = nodes[routers + 1]!.root.udp.socket();
  rx.bind(0, 9000);
  rx.onMessage = () => void rx.inbox.pop();
  const tx = nodes[0]!.root.udp.socket();
  const send = (count: number) => {
    for (let i = 0; i < count; i++) tx.sendTo(100, dst, 9000);
    net.run();
    return net.sim.trace.delivered;
  };
  send(10); // resolve every neighbour once
  return { send, hops: routers + 1 };
}

/** The engine suites. */
export function suites(): BenchSuite[] {
  const times = lazy(() => {
    const rng = new Rng(42);
    const t = new Float64Array(EVENTS);
    for (let i = 0; i < EVENTS; i++) t[i] = Math.floor(rng.next() * 1e9);
    return t;
  });
  const chain = lazy(() => forwardingChain(5));
  const chainCounts = lazy(() => forwardingChain(5, "counts"));
  const batch = 100;
  return [
    {
      suite: "engine-scheduler",
      about: `${EVENTS} events scheduled at random times, then run (events/s)`,
      get cases() {
        return [
          {
            name: "binary heap",
            peer: false,
            ops: EVENTS,
            fn: schedulerRun(() => new HeapScheduler(), times()),
          },
          {
            name: "sorted list (baseline)",
            peer: false,
            ops: EVENTS,
            fn: schedulerRun(() => new ListScheduler(), times()),
          },
        ];
      },
    },
    {
      suite: "engine-forwarding",
      about: "UDP through 5 routers, ARP warm, 100 packets in flight (packet-hops/s)",
      get cases() {
        const c = chain();
        const k = chainCounts();
        return [
          {
            name: "packetlab forwarding (trace digest)",
            peer: false,
            ops: batch * c.hops,
            fn: () => c.send(batch),
          },
          {
            name: "packetlab forwarding (trace counts)",
            peer: false,
            ops: batch * k.hops,
            fn: () => k.send(batch),
          },
        ];
      },
    },
  ];
}
