/**
 * A simulated network: the simulator, the nodes (hosts and routers), L2
 * devices (hubs, switches) and the links between them. This is what a scenario
 * builds first.
 *
 * @module
 */
import { Simulator, type SimulatorOptions } from "../sim/simulator.ts";
import type { Trace } from "../sim/trace.ts";
import { Link, type LinkOptions } from "../net/link.ts";
import type { Interface } from "../net/interface.ts";
import type { NamespaceEnv } from "../net/namespace.ts";
import { Node } from "../node/node.ts";
import { Hub } from "../l2/hub.ts";
import { Switch } from "../l2/switch.ts";
import { FlowSwitch } from "../sdn/flow_switch.ts";
import type { L2Device } from "../l2/device.ts";
import { labHooks } from "../sim/hooks.ts";
import "../shell/mod.ts";

/** Anything a link can plug into: a node (gets ethN) or an L2 device (gets portN). */
export type Attachable = Node | L2Device;

/** Options for a network. */
export interface NetworkOptions {
  /** The seed of every random stream (required). */
  seed: number;
  /** Trace mode: "full" (default) or "digest". */
  trace?: SimulatorOptions["trace"];
}

/**
 * Options for `connect`. Without `rate` and `delay` a link is 1 Gbit/s with
 * 50 µs of propagation delay, so pings show a small, realistic RTT.
 */
export interface ConnectOptions extends LinkOptions {
  /** Link name (default "a-b" from the two ends' names). */
  name?: string;
  /** Bring the new node interfaces up (default true, like a cabled, configured NIC). */
  up?: boolean;
}

/** Packet accounting for the conservation check. */
export interface Conservation {
  /** Packets created. */
  born: number;
  /** Packets that reached a socket or application. */
  delivered: number;
  /** Packets a protocol used up. */
  consumed: number;
  /** Packets dropped, each with a reason. */
  dropped: number;
  /** Born and not ended. */
  inFlight: number;
  /** What queues, wires and buffers actually hold. */
  held: number;
}

/**
 * A network under simulation.
 *
 * @example
 * ```ts
 * import { Network } from "./network.ts";
 * const net = new Network({ seed: 1 });
 * const [a, b] = net.nodes("a", "b");
 * net.connect(a, b);
 * a.sh("ip addr add 10.0.0.1/24 dev eth0");
 * b.sh("ip addr add 10.0.0.2/24 dev eth0");
 * console.assert(a.sh("ping -c 1 10.0.0.2").status === 0);
 * ```
 */
export class Network {
  /** The simulator: clock, events, random streams, trace. */
  readonly sim: Simulator;
  /** Nodes by name. */
  readonly nodeMap: Map<string, Node> = new Map();
  /** L2 devices by name. */
  readonly devices: Map<string, L2Device> = new Map();
  /** Links in creation order. */
  readonly links: Link[] = [];
  /** Shared services for namespaces and devices. */
  readonly env: NamespaceEnv;
  #macs = 0;
  #points = 0;

  /** A network with a mandatory seed. */
  constructor(options: NetworkOptions) {
    const seed = labHooks.seed ?? options.seed;
    this.sim = new Simulator({ seed, trace: options.trace });
    this.env = {
      sim: this.sim,
      newPointId: () => ++this.#points,
      newMac: () => 0x020000000000 + ++this.#macs,
    };
    labHooks.onNetwork?.(this);
  }

  /** The trace. */
  get trace(): Trace {
    return this.sim.trace;
  }

  /** Add a node (host or router). */
  node(name: string): Node {
    if (this.nodeMap.has(name) || this.devices.has(name)) throw new Error(`name ${name} is taken`);
    const n = new Node(this.env, name);
    this.nodeMap.set(name, n);
    return n;
  }

  /** Add several nodes; returns them as a tuple, in order. */
  nodes<const N extends readonly string[]>(...names: N): { [K in keyof N]: Node } {
    return names.map((n) => this.node(n)) as { [K in keyof N]: Node };
  }

  /** Add a hub. */
  hub(name: string): Hub {
    if (this.nodeMap.has(name) || this.devices.has(name)) throw new Error(`name ${name} is taken`);
    const h = new Hub(this.env, name);
    this.devices.set(name, h);
    return h;
  }

  /** Add a learning switch. */
  switch(name: string): Switch {
    if (this.nodeMap.has(name) || this.devices.has(name)) throw new Error(`name ${name} is taken`);
    const s = new Switch(this.env, name);
    this.devices.set(name, s);
    return s;
  }

  /** Add an OpenFlow-style switch driven by a flow table (`addFlow`). */
  flowSwitch(name: string): FlowSwitch {
    if (this.nodeMap.has(name) || this.devices.has(name)) throw new Error(`name ${name} is taken`);
    const s = new FlowSwitch(this.env, name);
    this.devices.set(name, s);
    return s;
  }

  /** A node by name (throws when absent). */
  get(name: string): Node {
    const n = this.nodeMap.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  #port(x: Attachable, up: boolean): Interface {
    if (x instanceof Node) {
      const i = x.root.dev.addInterface({ name: x.nextEthName(), kind: "ether" });
      if (up) i.setAdmin(true);
      return i;
    }
    return x.newPort();
  }

  /**
   * Join two nodes or devices with a point-to-point link; returns the link
   * (its `a` and `b` are the new interfaces).
   *
   * @example
   * ```ts ignore
   * const link = net.connect(a, r1, { rate: "100mbit", delay: "1ms" });
   * ```
   */
  connect(a: Attachable, b: Attachable, options: ConnectOptions = {}): Link {
    const up = options.up ?? true;
    const ia = this.#port(a, up);
    const ib = this.#port(b, up);
    const name = options.name ?? `${a.name}-${b.name}`;
    const link = new Link(this.sim, ia, ib, name, {
      rate: "1gbit",
      delay: "50us",
      ...options,
    });
    this.links.push(link);
    return link;
  }

  /** Run the simulation until nothing is left to do, or until `until` ns. */
  run(until?: number): void {
    this.sim.run(until);
  }

  /** Run for `dt` ns of virtual time. */
  runFor(dt: number): void {
    this.sim.runFor(dt);
  }

  /** Packet accounting now. */
  conservation(): Conservation {
    const t = this.sim.trace;
    let held = 0;
    for (const n of this.nodeMap.values()) held += n.held;
    for (const d of this.devices.values()) held += d.held;
    for (const l of this.links) held += l.inFlight;
    return {
      born: t.born,
      delivered: t.delivered,
      consumed: t.consumed,
      dropped: t.dropped,
      inFlight: t.inFlight,
      held,
    };
  }

  /**
   * Check conservation: every packet born was delivered, consumed or dropped
   * with a reason, or is held right now by a queue, wire or buffer. Throws with
   * the numbers when not.
   */
  assertConserved(): Conservation {
    const c = this.conservation();
    if (c.inFlight !== c.held || c.inFlight < 0) {
      throw new Error(
        `packets not conserved: born ${c.born} = delivered ${c.delivered} + consumed ${c.consumed} + dropped ${c.dropped} + held ${c.held}? (in flight ${c.inFlight})`,
      );
    }
    return c;
  }
}
