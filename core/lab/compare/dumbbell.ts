/**
 * The dumbbell: N senders → router A → bottleneck → router B → N receivers,
 * built from ordinary nodes, links and shell commands.
 *
 * Access links run at ten times the bottleneck rate, so the only queue that
 * builds is router A's bottleneck egress: a drop-tail FIFO of `bufferPackets`
 * (the interface's txqueuelen). Each flow's base RTT is split as
 * 2 × (2 × access delay + bottleneck delay), with the bottleneck's one-way delay
 * a quarter of the smallest RTT, so flows with different RTTs share one
 * bottleneck. Random loss, when asked for, applies to the bottleneck's forward
 * direction.
 *
 * One bulk TCP flow per sender (iperf-like: always data to send), all started
 * within the first few milliseconds, each measured at its receiver (goodput =
 * bytes delivered in order to the application) and at its sender (cwnd, RTT
 * samples, retransmissions).
 *
 * @module
 */
import { Network } from "../network.ts";
import type { Node } from "../../node/node.ts";
import type { Interface } from "../../net/interface.ts";
import type { Link } from "../../net/link.ts";
import { ip } from "../../wire/addr.ts";
import type { TcpSocket } from "../../transport/tcp/socket.ts";

/** What to build. */
export interface DumbbellConfig {
  /** Congestion control per flow. */
  algos: string[];
  /** Base RTT per flow, ns. */
  rtts: number[];
  /** Bottleneck rate, bit/s. */
  bandwidth: number;
  /** Bottleneck buffer, packets. */
  bufferPackets: number;
  /** Random loss on the bottleneck (probability per packet). */
  loss: number;
  /** Seed of the network. */
  seed: number;
  /** MSS the flows use (payload bytes); the MTU follows as MSS + 52. */
  mss: number;
}

/** A built dumbbell. */
export interface Dumbbell {
  net: Network;
  senders: Node[];
  receivers: Node[];
  /** Router A's bottleneck interface (its transmit queue is the bottleneck buffer). */
  bottleneck: Interface;
  bottleneckLink: Link;
  /** Sender sockets, one per flow, connecting when `start()` runs. */
  flows: TcpSocket[];
  /** Bytes delivered to each receiver's application so far. */
  received: number[];
  /** Start every flow (flow i at i ms). */
  start(): void;
}

/** Build the dumbbell. */
export function dumbbell(c: DumbbellConfig): Dumbbell {
  const n = c.algos.length;
  const net = new Network({ seed: c.seed, trace: "counts" });
  const a = net.node("routerA");
  const b = net.node("routerB");
  const minRtt = Math.min(...c.rtts);
  const bnDelay = minRtt / 4;
  const mtu = c.mss + 52; // IPv4 20 + TCP 20 + timestamps 12
  const bottleneckLink = net.connect(a, b, {
    rate: c.bandwidth,
    delay: Math.round(bnDelay),
    mtu,
    name: "bottleneck",
  });
  const bottleneck = bottleneckLink.a;
  bottleneck.txqueuelen = c.bufferPackets;
  if (c.loss > 0) bottleneckLink.setLoss(c.loss, bottleneck);
  a.sh(
    "ip addr add 10.0.0.1/30 dev eth0; sysctl -w net.ipv4.ip_forward=1; ip route add 10.2.0.0/16 via 10.0.0.2",
  );
  b.sh(
    "ip addr add 10.0.0.2/30 dev eth0; sysctl -w net.ipv4.ip_forward=1; ip route add 10.1.0.0/16 via 10.0.0.1",
  );
  const senders: Node[] = [];
  const receivers: Node[] = [];
  for (let i = 0; i < n; i++) {
    const access = Math.max(0, Math.round((c.rtts[i]! / 2 - bnDelay) / 2));
    const s = net.node(`sender${i + 1}`);
    const d = net.node(`receiver${i + 1}`);
    const edge = { rate: c.bandwidth * 10, delay: access, mtu };
    net.connect(s, a, edge);
    net.connect(b, d, edge);
    s.sh(`ip addr add 10.1.${i}.1/24 dev eth0; ip route add default via 10.1.${i}.2`);
    a.sh(`ip addr add 10.1.${i}.2/24 dev eth${i + 1}`);
    b.sh(`ip addr add 10.2.${i}.2/24 dev eth${i + 1}`);
    d.sh(`ip addr add 10.2.${i}.1/24 dev eth0; ip route add default via 10.2.${i}.2`);
    senders.push(s);
    receivers.push(d);
  }
  const received = new Array<number>(n).fill(0);
  const flows: TcpSocket[] = [];
  for (let i = 0; i < n; i++) {
    const d = receivers[i]!;
    const listener = d.root.tcp.socket();
    d.root.tcp.bind(listener, 0, 5001);
    d.root.tcp.listen(listener, 16);
    listener.onAccept = () => {
      const conn = d.root.tcp.accept(listener)!;
      conn.onData = (data) => {
        received[i]! += typeof data === "number" ? data : data.length;
      };
    };
    const algo = c.algos[i]!;
    const r = net.sim.rng(`compare flow ${i + 1} ${algo}`);
    const sock = senders[i]!.root.tcp.socket({
      congestion: algo,
      ccOptions: algo === "bbr" ? { rand: () => r.next() } : undefined,
    });
    flows.push(sock);
  }
  const start = () => {
    flows.forEach((sock, i) => {
      net.sim.after(i * 1e6, () => {
        sock.onConnect = () => sock.sendBulk(Infinity);
        senders[i]!.root.tcp.connect(sock, ip(`10.2.${i}.1`), 5001);
      });
    });
  };
  return { net, senders, receivers, bottleneck, bottleneckLink, flows, received, start };
}
