/**
 * The common base of layer-2 devices (hubs, switches): a named box with ports.
 * Ports are interfaces owned by the device; their received frames come to the
 * device's `onFrame`.
 *
 * @module
 */
import type { Packet } from "../wire/packet.ts";
import type { Simulator } from "../sim/simulator.ts";
import { type FrameHandler, Interface, type InterfaceOwner } from "../net/interface.ts";

/** Services an L2 device gets from its network. */
export interface L2Env {
  readonly sim: Simulator;
  newPointId(): number;
  newMac(): number;
}

/** A device with ports that forwards frames between them. */
export abstract class L2Device implements InterfaceOwner, FrameHandler {
  /** Device name. */
  readonly name: string;
  readonly sim: Simulator;
  /** Ports in creation order (port1, port2, …). */
  readonly ports: Interface[] = [];
  #env: L2Env;

  /** A device with no ports. */
  constructor(env: L2Env, name: string) {
    this.#env = env;
    this.sim = env.sim;
    this.name = name;
  }

  /** The node name (for traces). */
  get nodeName(): string {
    return this.name;
  }

  /** A fresh trace point id. */
  newPointId(): number {
    return this.#env.newPointId();
  }

  /** Add a port (administratively up, as switch ports are). */
  newPort(): Interface {
    const port = new Interface(this, {
      name: `port${this.ports.length + 1}`,
      ifindex: this.ports.length + 1,
      kind: "switchport",
      mac: this.#env.newMac(),
      mtu: 1500,
    });
    port.handler = this;
    port.adminUp = true;
    port.onStateChange = (i) => this.portStateChanged(i);
    this.ports.push(port);
    return port;
  }

  /** A port by name. */
  port(name: string): Interface | undefined {
    return this.ports.find((p) => p.name === name);
  }

  /** Packets waiting in port queues. */
  get held(): number {
    let n = 0;
    for (const p of this.ports) n += p.queued;
    return n;
  }

  /** A port's admin or carrier state changed (a switch forgets what it learned there). */
  protected portStateChanged(_port: Interface): void {}

  /** A frame arrived on a port. */
  abstract onFrame(inPort: Interface, p: Packet): void;
}
