/**
 * An OpenFlow-style switch with one flow table: every frame's flow key is
 * classified by the tuple-space classifier (with its exact-match and megaflow
 * caches in front, as an Open vSwitch datapath does), and the winning rule's
 * actions decide what happens: `output:N` (one or more ports), `flood`,
 * `normal` (behave as a learning switch), or nothing at all (drop — also what
 * a frame that matches no rule gets, as with OVS's fail-secure default).
 * Rules use `ovs-ofctl add-flow` syntax; per-rule packet and byte counters are
 * kept, as `ovs-ofctl dump-flows` shows them.
 *
 * Simplified: one table (no resubmit, goto_table or learn yet), no VLAN or
 * header-rewriting actions, no controller, no idle/hard timeouts.
 *
 * @module
 */
import type { Packet } from "../wire/packet.ts";
import { clonePacket, frameLength } from "../wire/frame.ts";
import { DropReason } from "../sim/trace.ts";
import type { Interface } from "../net/interface.ts";
import { L2Device, type L2Env } from "../l2/device.ts";
import { Switch } from "../l2/switch.ts";
import { CachedClassifier } from "./classifier/cache.ts";
import type { Rule } from "./classifier/classifier.ts";
import { KEY_WORDS, keyFromPacket } from "./classifier/flow_key.ts";
import { formatMatch, parseFlow } from "./classifier/syntax.ts";

/** What a rule does. */
export type FlowAction = { kind: "output"; port: number } | { kind: "flood" } | { kind: "normal" };

/** A flow entry: its actions and counters. */
export interface FlowEntry {
  actions: FlowAction[];
  /** Actions as written. */
  actionsText: string;
  packets: number;
  bytes: number;
}

/** An error in a flow or its actions, with ovs-ofctl's wording where it has one. */
export class FlowError extends Error {}

/** Parse an `actions=` list. */
export function parseActions(text: string): FlowAction[] {
  if (text === "" || text === "drop") return [];
  return text.split(",").map((a) => {
    const t = a.trim();
    if (t === "flood") return { kind: "flood" } as const;
    if (t === "normal" || t === "NORMAL") return { kind: "normal" } as const;
    const m = /^output:(\d+)$/.exec(t) ?? /^(\d+)$/.exec(t);
    if (m) return { kind: "output", port: Number(m[1]) } as const;
    throw new FlowError(`unknown action ${t}`);
  });
}

/** A switch driven by a flow table. */
export class FlowSwitch extends L2Device {
  readonly table: CachedClassifier<FlowEntry> = new CachedClassifier<FlowEntry>();
  /** The learning behaviour the `normal` action borrows (its MAC table; our ports). */
  #normal: Switch;
  #key = new Uint32Array(KEY_WORDS);

  /** A flow switch with an empty table (drops everything). */
  constructor(env: L2Env, name: string) {
    super(env, name);
    this.#normal = new Switch(env, `${name}-normal`);
  }

  /** `ovs-ofctl add-flow BR "priority=…,match…,actions=…"`; replaces an identical match. */
  addFlow(text: string): Rule<FlowEntry> {
    const i = text.indexOf("actions=");
    if (i < 0) throw new FlowError("must specify an action");
    const actionsText = text.slice(i + "actions=".length).trim();
    const flow = parseFlow(text.slice(0, i).replace(/,\s*$/, ""));
    const entry: FlowEntry = {
      actions: parseActions(actionsText),
      actionsText,
      packets: 0,
      bytes: 0,
    };
    for (const a of entry.actions) {
      if (a.kind === "output" && (a.port < 1 || a.port > this.ports.length)) {
        throw new FlowError(`output port ${a.port} does not exist`);
      }
    }
    return this.table.insert(flow.match, flow.priority, entry).rule;
  }

  /** Rules with their counters, highest priority first (`ovs-ofctl dump-flows`). */
  dumpFlows(): string[] {
    return [...this.table.classifier.rules()]
      .sort((a, b) => b.priority - a.priority)
      .map((r) => {
        const m = formatMatch(r.match);
        return ` n_packets=${r.value.packets}, n_bytes=${r.value.bytes}, priority=${r.priority}${
          m ? "," + m : ""
        } actions=${r.value.actionsText || "drop"}`;
      });
  }

  /** Classify a frame and apply its rule's actions. */
  onFrame(inPort: Interface, p: Packet): void {
    const inNo = this.ports.indexOf(inPort) + 1;
    const rule = this.table.lookup(keyFromPacket(p, inNo, undefined, this.#key));
    if (rule === undefined) {
      this.sim.trace.drop(inPort, p, DropReason.flowTable, `${this.name}: no flow matches`);
      return;
    }
    const e = rule.value;
    e.packets++;
    e.bytes += frameLength(p);
    const out: Interface[] = [];
    for (const a of e.actions) {
      if (a.kind === "output") {
        const port = this.ports[a.port - 1];
        if (port && port !== inPort) out.push(port);
      } else if (a.kind === "flood") {
        for (const port of this.ports) if (port !== inPort && port.adminUp) out.push(port);
      } else {
        this.#normal.learnAndForward(inPort, p, this.ports);
        return;
      }
    }
    if (out.length === 0) {
      this.sim.trace.drop(
        inPort,
        p,
        DropReason.flowTable,
        `${this.name}: flow priority ${rule.priority} drops`,
      );
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
