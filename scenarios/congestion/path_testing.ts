/**
 * Shared set-up for the congestion scenarios: one bulk TCP flow (iperf-like,
 * always data to send) over a three-node path
 *
 *   sender 10.0.1.2 ── 10.0.1.1 router 10.0.2.1 ══ 10.0.2.2 receiver
 *
 * where ══ is the bottleneck: the router's egress towards the receiver is a
 * drop-tail FIFO of `buffer` packets (its txqueuelen), and the access link runs
 * ten times faster so no other queue builds. Every machine is configured with
 * the `ip` and `sysctl` lines an engineer would type. Also: a log of every ACK
 * the sender processes (the socket's `onAck` view), a middlebox on the router
 * that drops chosen data segments, and the small statistics the scenarios use.
 *
 * @module
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import type { Link } from "../../core/net/link.ts";
import type { Interface } from "../../core/net/interface.ts";
import type { Packet } from "../../core/wire/packet.ts";
import { ip } from "../../core/wire/addr.ts";
import type { AckEvent, TcpSocket, TcpSocketOptions } from "../../core/transport/tcp/socket.ts";
import { dumbbell } from "../../core/lab/compare/dumbbell.ts";

/** What to build. */
export interface PathOptions {
  /** Congestion control of the flow ("newreno", "cubic", "bbr"). */
  algo: string;
  /** Options for the algorithm (BBR gets its own random stream unless `rand` is given). */
  ccOptions?: Record<string, unknown>;
  /** Bottleneck rate, bit/s. */
  rate: number;
  /** Base (propagation) round-trip time, ns. */
  rtt: number;
  /** Bottleneck buffer, packets. */
  buffer: number;
  /** Random loss probability on the bottleneck's forward direction. */
  loss?: number;
  /** Bytes to send (default: without end). */
  bytes?: number;
  /** Socket options of the sender (SACK, delayed ACKs, …). */
  socket?: Partial<TcpSocketOptions>;
}

/** One ACK as the sender saw it, after the congestion control ran. */
export interface AckRecord {
  /** Virtual time, ns. */
  t: number;
  cwnd: number;
  ssthresh: number;
  pipe: number;
  srtt: number;
  /** RTT sample, ns, or −1 (Karn). */
  rtt: number;
  pacingRate: number;
  inRecovery: boolean;
  newlyAcked: number;
  newlyLost: number;
  /** Delivered bytes when the newest acknowledged packet was sent. */
  priorDelivered: number;
  /** Delivered bytes after this ACK. */
  delivered: number;
}

/** A built path with its flow. */
export interface Path {
  sender: Node;
  router: Node;
  receiver: Node;
  /** The sending socket (connects when `start()` runs). */
  sock: TcpSocket;
  /** The router's bottleneck interface (its transmit queue is the buffer). */
  bottleneck: Interface;
  bottleneckLink: Link;
  /** Every ACK the sender processed, in order. */
  acks: AckRecord[];
  /** Called on each ACK after it is logged (for scenario-specific traces). */
  tap: ((e: AckEvent, sock: TcpSocket) => void) | undefined;
  /** Bytes delivered in order to the receiving application so far. */
  received(): number;
  /** Connect and start sending at `at` ns (default now). */
  start(at?: number): void;
}

/** The access link's one-way delay, ns; the bottleneck gets the rest of the RTT. */
export const ACCESS_DELAY = 250_000;

/** Payload bytes per full segment on a 1500-byte MTU with timestamps. */
export const MSS = 1448;

/** Wire bytes per full segment: Ethernet 14 + IPv4 20 + TCP 20 + timestamps 12 + payload. */
export const FRAME = MSS + 66;

/** Payload bytes per second a bottleneck of `rate` bit/s carries when busy with full segments. */
export function payloadRate(rate: number): number {
  return (rate / 8) * (MSS / FRAME);
}

/** Build the path and its (not yet started) flow. */
export function path(net: Network, o: PathOptions): Path {
  const [sender, router, receiver] = net.nodes("sender", "router", "receiver");
  net.connect(sender, router, { rate: o.rate * 10, delay: ACCESS_DELAY });
  const bottleneckLink = net.connect(router, receiver, {
    rate: o.rate,
    delay: Math.round(o.rtt / 2 - ACCESS_DELAY),
    name: "bottleneck",
  });
  const bottleneck = bottleneckLink.a;
  bottleneck.txqueuelen = o.buffer;
  if (o.loss) bottleneckLink.setLoss(o.loss, bottleneck);
  sender.sh("ip addr add 10.0.1.2/24 dev eth0; ip route add default via 10.0.1.1");
  router.sh("ip addr add 10.0.1.1/24 dev eth0; ip addr add 10.0.2.1/24 dev eth1");
  router.sh("sysctl -w net.ipv4.ip_forward=1");
  receiver.sh("ip addr add 10.0.2.2/24 dev eth0; ip route add default via 10.0.2.1");

  let received = 0;
  const listener = receiver.root.tcp.socket();
  receiver.root.tcp.bind(listener, 0, 5001);
  receiver.root.tcp.listen(listener, 4);
  listener.onAccept = () => {
    const conn = receiver.root.tcp.accept(listener)!;
    conn.onData = (data) => {
      received += typeof data === "number" ? data : data.length;
    };
  };
  let ccOptions = o.ccOptions;
  if (o.algo === "bbr" && !(ccOptions && "rand" in ccOptions)) {
    const r = net.sim.rng("bbr flow");
    ccOptions = { ...ccOptions, rand: () => r.next() };
  }
  const sock = sender.root.tcp.socket({ ...o.socket, congestion: o.algo, ccOptions });
  const acks: AckRecord[] = [];
  const p: Path = {
    sender,
    router,
    receiver,
    sock,
    bottleneck,
    bottleneckLink,
    acks,
    tap: undefined,
    received: () => received,
    start(at = net.sim.now) {
      net.sim.at(at, () => {
        sock.onConnect = () => sock.sendBulk(o.bytes ?? Infinity);
        sender.root.tcp.connect(sock, ip("10.0.2.2"), 5001);
      });
    },
  };
  sock.onAck = (e) => {
    acks.push({
      t: e.time,
      cwnd: e.cwnd,
      ssthresh: e.ssthresh,
      pipe: e.pipe,
      srtt: e.srtt,
      rtt: e.rttSample,
      pacingRate: e.pacingRate,
      inRecovery: e.inRecovery,
      newlyAcked: e.rate.newlyAcked,
      newlyLost: e.rate.newlyLost,
      priorDelivered: e.rate.priorDelivered,
      delivered: e.rate.deliveredTotal,
    });
    p.tap?.(e, sock);
  };
  return p;
}

/**
 * A middlebox on `node`: every forwarded TCP segment carrying data is shown
 * to `drop` with its payload offset in the flow (0 for the first data byte,
 * relative to the SYN the box saw) and whether it is the first time that data
 * passes; a `true` answer drops it (counted by the trace as a netfilter drop).
 */
export function dropData(
  node: Node,
  drop: (offset: number, firstTime: boolean, p: Packet) => boolean,
): void {
  let isn = -1;
  let highest = -1;
  node.root.ip.filter = {
    dropDetail: "test middlebox",
    run(hook, p) {
      const seg = p.tcp;
      if (hook !== "forward" || seg === undefined) return "accept";
      if (seg.flags & 0x02) {
        if (!(seg.flags & 0x10)) isn = seg.seq; // SYN without ACK: the sender's
        return "accept";
      }
      const len = typeof seg.payload === "number" ? seg.payload : seg.payload.length;
      if (len === 0 || isn < 0) return "accept";
      const offset = (seg.seq - isn - 1) >>> 0;
      const first = offset > highest;
      if (first) highest = offset;
      return drop(offset, first, p) ? "drop" : "accept";
    },
  };
}

/**
 * The ACK log split into round trips the way BBR and HyStart count them: a
 * round ends when a packet sent after the previous round's end is
 * acknowledged. Returns the index of the first ACK of each round.
 */
export function roundStarts(acks: AckRecord[]): number[] {
  const starts: number[] = [];
  let end = 0;
  acks.forEach((a, i) => {
    if (a.newlyAcked > 0 && a.priorDelivered >= end) {
      starts.push(i);
      end = a.delivered;
    }
  });
  return starts;
}

/** Arithmetic mean (0 for none). */
export function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Jain's fairness index: (Σx)² / (n·Σx²). */
export function jain(xs: number[]): number {
  const s = xs.reduce((a, b) => a + b, 0);
  const s2 = xs.reduce((a, b) => a + b * b, 0);
  return s2 === 0 ? 1 : (s * s) / (xs.length * s2);
}

/** Least-squares slope of y over x. */
export function slope(x: number[], y: number[]): number {
  const mx = mean(x), my = mean(y);
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i]! - mx) * (y[i]! - my);
    den += (x[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Sample a value every `every` ns from `from` until `until` (absolute times)
 * while the simulation runs; returns the samples as they fill in.
 */
export function sampler(
  net: Network,
  every: number,
  value: () => number,
  from = every,
  until = Infinity,
): Array<{ t: number; v: number }> {
  const out: Array<{ t: number; v: number }> = [];
  const tick = () => {
    out.push({ t: net.sim.now, v: value() });
    if (net.sim.now + every <= until) net.sim.after(every, tick);
  };
  net.sim.at(from, tick);
  return out;
}

/** A dumbbell run: what the scenarios that share a bottleneck measure. */
export interface DumbbellRun {
  /** Goodput per flow from `warmup` to the end, bit/s. */
  goodput: number[];
  /** Bottleneck queue length, packets, every 10 ms from `warmup`. */
  queue: number[];
  /** Queueing delay of every RTT sample after `warmup` (sample − base RTT), ms, all flows. */
  queueDelay: number[];
  retransmits: number[];
  timeouts: number[];
  /** The bottleneck's buffer, packets. */
  buffer: number;
}

/**
 * Run the comparison dumbbell (core/lab/compare) for `seconds` of virtual
 * time and measure after `warmup` seconds; checks packet conservation.
 */
export function runDumbbell(o: {
  algos: string[];
  rttsMs: number[];
  rate: number;
  buffer: number;
  seconds: number;
  warmup?: number;
  loss?: number;
  seed?: number;
}): DumbbellRun {
  const d = dumbbell({
    algos: o.algos,
    rtts: o.rttsMs.map((r) => r * 1e6),
    bandwidth: o.rate,
    bufferPackets: o.buffer,
    loss: o.loss ?? 0,
    seed: o.seed ?? 1,
    mss: MSS,
  });
  const warmup = (o.warmup ?? 2) * 1e9;
  const queueDelay: number[] = [];
  d.flows.forEach((f, i) => {
    const base = o.rttsMs[i]! * 1e6;
    f.onAck = (e) => {
      if (e.rttSample >= 0 && e.time >= warmup) queueDelay.push((e.rttSample - base) / 1e6);
    };
  });
  const queue: number[] = [];
  const sim = d.net.sim;
  let atWarmup: number[] = d.received.map(() => 0);
  sim.at(warmup, () => {
    atWarmup = [...d.received];
    const tick = () => {
      queue.push(d.bottleneck.queued);
      sim.after(10e6, tick);
    };
    tick();
  });
  d.start();
  sim.run(o.seconds * 1e9);
  d.net.assertConserved();
  const span = o.seconds - warmup / 1e9;
  return {
    goodput: d.received.map((b, i) => ((b - atWarmup[i]!) * 8) / span),
    queue,
    queueDelay,
    retransmits: d.flows.map((f) => f.stats.retransmits),
    timeouts: d.flows.map((f) => f.stats.timeouts),
    buffer: o.buffer,
  };
}
