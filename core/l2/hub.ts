/**
 * A hub: every frame that arrives on one port is repeated out of every other
 * port that has link, unchanged. It learns nothing and filters nothing (a physical-layer
 * device in the notes' words).
 *
 * Simplified: no collisions or half duplex; each port is a full-duplex link.
 *
 * @module
 */
import type { Packet } from "../wire/packet.ts";
import { clonePacket } from "../wire/frame.ts";
import { L2Device } from "./device.ts";
import type { Interface } from "../net/interface.ts";

/** A repeating hub. */
export class Hub extends L2Device {
  /** Repeat a frame to all other ports (copies; the original goes out of the last one). */
  onFrame(inPort: Interface, p: Packet): void {
    const out = this.ports.filter((x) => x !== inPort && x.operUp);
    if (out.length === 0) {
      this.sim.trace.consume(inPort, p, "hub: no other port");
      return;
    }
    for (let i = 0; i < out.length - 1; i++) {
      const c = clonePacket(p);
      this.sim.trace.birth(c);
      out[i]!.transmit(c);
    }
    out[out.length - 1]!.transmit(p);
  }
}
