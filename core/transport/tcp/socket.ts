/**
 * A TCP connection endpoint (RFC 9293) with Linux's behaviour where the RFCs
 * leave room: every state of the state machine including simultaneous open and
 * close; MSS, window scale (RFC 7323), SACK-permitted and SACK (RFC 2018) and
 * timestamps negotiated on the SYN; cumulative ACKs and an out-of-order queue;
 * RTO per RFC 6298 (SRTT/RTTVAR, Karn's rule, exponential back-off) with
 * Linux's bounds: SRTT + max(200 ms, 4·RTTVAR), at most 120 s; fast retransmit on the third duplicate ACK;
 * RFC 6675 SACK loss recovery (RFC 6582 NewReno partial ACKs without SACK);
 * delayed ACKs (every second full segment or 40 ms, immediately for
 * out-of-order data and during Linux's initial quick-ACK phase); Nagle in
 * Linux's (Minshall's) form: a small segment waits only while an earlier small
 * segment is unacknowledged, so the tail of a large write goes at once; flow
 * control with receiver-side silly-window avoidance, zero-window persist probes
 * with back-off; pacing when the congestion control asks for it; delivery-rate
 * samples for every ACK; TIME-WAIT for 2·MSL; FIN-WAIT-2 timeout for orphaned
 * sockets; RST for aborted connections and unread data at close.
 *
 * Congestion control is a pluggable object (core/transport/cc) that owns only
 * cwnd, ssthresh and the pacing rate; the socket owns everything else and calls
 * it in Linux's order.
 *
 * Simplified: no TSO/GSO (segments are MSS-sized), no receive-buffer
 * auto-tuning (the receive buffer is fixed; Linux's maximum by default), no
 * urgent data, no keepalive, no ECN negotiation, no RACK-TLP or F-RTO, no
 * spurious-retransmission undo, and SACK blocks only mark whole segments.
 *
 * @module
 */
import { type Ip4, type Payload, TcpFlag, type TcpSegment } from "../../wire/packet.ts";
import { noTcpOptions } from "../../wire/packet.ts";
import type { ReusableEvent, Timer } from "../../sim/simulator.ts";
import type { Errno } from "../../ip/ipv4.ts";
import type { CcState, CongestionControl, RateSample } from "../cc/types.ts";
import { newCcState } from "../cc/types.ts";
import {
  type AckInProgress,
  beginAck,
  checkAppLimited,
  generateRateSample,
  newRateEstimator,
  onPacketAcked,
  onPacketLost,
  onPacketSent,
  type RateEstimator,
} from "../cc/rate_sample.ts";
import { ReceiveBuffer, SendBuffer } from "./buffers.ts";
import { Scoreboard, type SentSegment } from "./scoreboard.ts";
import { unwrap, wrap } from "./seq.ts";

/** The states of RFC 9293 §3.3.2. */
export type TcpState =
  | "CLOSED"
  | "LISTEN"
  | "SYN-SENT"
  | "SYN-RECEIVED"
  | "ESTABLISHED"
  | "FIN-WAIT-1"
  | "FIN-WAIT-2"
  | "CLOSE-WAIT"
  | "CLOSING"
  | "LAST-ACK"
  | "TIME-WAIT";

/** Errors a socket reports to its application. */
export type TcpError =
  | "ECONNREFUSED"
  | "ECONNRESET"
  | "ETIMEDOUT"
  | "EPIPE"
  | "ENOPROTOOPT"
  | Errno;

/** Per-socket settings (socket options); defaults come from the namespace's sysctls. */
export interface TcpSocketOptions {
  /** TCP_NODELAY: no Nagle. */
  nodelay: boolean;
  /** SO_SNDBUF in bytes: how much unacknowledged data the application may queue. */
  sndbuf: number;
  /** SO_RCVBUF in bytes: the receive window's ceiling. */
  rcvbuf: number;
  /** Offer SACK (net.ipv4.tcp_sack). */
  sack: boolean;
  /** Offer timestamps (net.ipv4.tcp_timestamps). */
  timestamps: boolean;
  /** Offer window scaling (net.ipv4.tcp_window_scaling). */
  windowScaling: boolean;
  /** Delayed ACKs (off = TCP_QUICKACK always). */
  delayedAck: boolean;
  /** Minimum of the RTO's variance term, ns (Linux 200 ms; `ip route … rto_min`). */
  rtoMin: number;
  /** Deliver received data to `onData` and drop it from the buffer at once. */
  autoRead: boolean;
}

/** What the socket needs from its stack. */
export interface TcpHost {
  /** The clock: `now` is the current virtual time, ns (the simulator itself). */
  readonly clock: { readonly now: number };
  /** Schedule a callback. */
  after(dt: number, fn: () => void): Timer;
  /** A timer that can be armed again and again without allocating (see `schedule`). */
  reusable(fn: () => void): ReusableEvent;
  /** Arm a reusable timer `dt` from now, as `after(dt, …)` would (it must not be pending). */
  schedule(ev: ReusableEvent, dt: number): void;
  /** Send a segment from this socket; returns an errno when it cannot. */
  output(sock: TcpSocket, seg: TcpSegment): Errno | undefined;
  /** The socket reached CLOSED: forget it. */
  release(sock: TcpSocket): void;
  /**
   * Whether a listener child's accept queue is full now (Linux then drops the
   * handshake's final ACK, counting a listen overflow).
   */
  acceptQueueFull(child: TcpSocket): boolean;
  /** A child of a listener became established (moves to the accept queue). */
  established(child: TcpSocket): void;
  /** A fresh initial sequence number. */
  isn(): number;
  /** TIME-WAIT duration, ns (2·MSL). */
  readonly timeWait: number;
  /** FIN-WAIT-2 timeout for orphaned sockets, ns (tcp_fin_timeout). */
  readonly finTimeout: number;
  /** SYN retransmissions before giving up (tcp_syn_retries). */
  readonly synRetries: number;
  /** SYN-ACK retransmissions (tcp_synack_retries). */
  readonly synackRetries: number;
  /** Data retransmissions before giving up (tcp_retries2). */
  readonly retries2: number;
}

/** One ACK's view, for traces and plots (`onAck`). */
export interface AckEvent {
  time: number;
  cwnd: number;
  ssthresh: number;
  pipe: number;
  srtt: number;
  rttSample: number;
  pacingRate: number;
  inRecovery: boolean;
  rate: RateSample;
}

const MAX_RTO = 120e9;
const INITIAL_RTO = 1e9;
const DELACK = 40e6;
const QUICKACKS = 16;
const DUPTHRESH = 3;
const TCP_HEADERS = 40;

/** A TCP socket. */
export class TcpSocket {
  /** Current RFC 9293 state. */
  state: TcpState = "CLOSED";
  /** Local address (0 until bound or connected). */
  localAddr: Ip4 = 0;
  /** Local port (0 until bound). */
  localPort = 0;
  /** Peer address. */
  remoteAddr: Ip4 = 0;
  /** Peer port. */
  remotePort = 0;
  /** Socket options (from the sysctls and `socket()`). */
  readonly options: TcpSocketOptions;
  /** The congestion control (cloned for accepted sockets). */
  cc: CongestionControl;
  /** The state the congestion control reads and writes. */
  readonly ccs: CcState;
  /** The listener that created this socket (SYN-RECEIVED children). */
  parent: TcpSocket | undefined;
  /** Established connections waiting for `accept()` (listeners). */
  readonly acceptQueue: TcpSocket[] = [];
  /** Half-open children (listeners). */
  readonly synQueue: TcpSocket[] = [];
  /** listen() backlog. */
  backlog = 0;
  /** The error that closed the connection, if any. */
  error: TcpError | undefined;
  /** Counters. */
  readonly stats = {
    segsOut: 0,
    segsIn: 0,
    bytesSent: 0,
    bytesAcked: 0,
    bytesReceived: 0,
    retransmits: 0,
    fastRetransmits: 0,
    timeouts: 0,
    dupAcksIn: 0,
    zeroWindowProbes: 0,
    rttSamples: 0,
  };
  /** States passed through, with times (for scenarios and learners). */
  readonly history: Array<{ time: number; state: TcpState }> = [];

  /** Connected (client side, after the SYN-ACK; server side, just after accept). */
  onConnect: (() => void) | undefined;
  /** A listener has a connection to accept. */
  onAccept: ((child: TcpSocket) => void) | undefined;
  /** New in-order data (with autoRead, already taken from the buffer). */
  onData: ((data: Payload) => void) | undefined;
  /** The peer closed its direction (FIN received, after all data). */
  onEnd: (() => void) | undefined;
  /** The connection failed or was reset. */
  onError: ((e: TcpError) => void) | undefined;
  /** Room in the send buffer again. */
  onWritable: (() => void) | undefined;
  /** Every ACK processed (for cwnd traces). */
  onAck: ((e: AckEvent) => void) | undefined;
  /** Every state change. */
  onState: ((s: TcpState) => void) | undefined;

  #host: TcpHost;
  readonly #clock: { readonly now: number };
  // Sequence space, absolute offsets: SYN is 0, data starts at 1.
  #iss = 0;
  #irs = 0;
  #sndUna = 0;
  #sndNxt = 0;
  #sndWnd = 0;
  #sndWl1 = 0;
  #sndWl2 = 0;
  /** End of the last small (sub-MSS) segment sent (Linux's snd_sml, for Nagle). */
  #sndSml = 0;
  #sendBuf = new SendBuffer(1);
  /** Virtual bytes the application still wants to send (bulk transfers). */
  #bulk = 0;
  #finRequested = false;
  #finSeq = -1;
  #sb = new Scoreboard();
  /** The scoreboard (for inspection and tests). */
  get scoreboard(): Scoreboard {
    return this.#sb;
  }
  #rate: RateEstimator = newRateEstimator();
  // Negotiated.
  #mss = 536;
  #peerMss = 536;
  #sackOk = false;
  #tsOk = false;
  #sndScale = 0;
  #rcvScale = 0;
  #tsRecent = 0;
  // RTT.
  #srtt = 0;
  #rttvar = 0;
  #rto = INITIAL_RTO;
  #backoff = 0;
  #retries = 0;
  // Recovery.
  #dupAcks = 0;
  #recoveryPoint = 0;
  #rtoLoss = false;
  #rtoLossPoint = 0;
  #highRxt = 0;
  /** Bytes taken out of the pipe by duplicate ACKs without SACK. */
  #renoSacked = 0;
  // Receiver.
  #rcv = new ReceiveBuffer(1);
  #rcvAdvEnd = 0;
  #peerFinAt = -1;
  #finReceived = false;
  #pendingAcks = 0;
  #quickAcks = QUICKACKS;
  // Timers.
  #rtoTimer: Timer | undefined;
  #rtoDeadline = 0;
  /** The delayed-ACK timer (armed for 40 ms, cancelled by any transmission). */
  readonly #delack: ReusableEvent;
  #persistTimer: Timer | undefined;
  /** The pacing timer: the next transmission the pacing rate allows. */
  readonly #paceTimer: ReusableEvent;
  #nextSendTime = 0;
  #closeTimer: Timer | undefined;
  #orphan = false;
  /** A listener's child not yet taken by accept(). */
  #awaitingAccept = false;
  #peerWindowZeroSince = -1;

  /** A closed socket; use the stack's `socket()`. */
  constructor(host: TcpHost, options: TcpSocketOptions, cc: CongestionControl) {
    this.#host = host;
    this.#clock = host.clock;
    this.options = options;
    this.cc = cc;
    this.ccs = newCcState(536);
    this.#delack = host.reusable(() => {
      if (this.#pendingAcks > 0) this.#sendAck();
    });
    this.#paceTimer = host.reusable(() => this.#trySend());
  }

  // ------------------------------------------------------------ public API

  /** Smoothed RTT, ns (0 before the first sample). */
  get srtt(): number {
    return this.#srtt;
  }

  /** Current retransmission timeout, ns. */
  get rto(): number {
    return this.#backoff === 0 ? this.#rto : Math.min(this.#rto * 2 ** this.#backoff, MAX_RTO);
  }

  /** Sender MSS (payload bytes per full segment). */
  get mss(): number {
    return this.#mss;
  }

  /** Bytes sent and not yet acknowledged. */
  get unacked(): number {
    return this.#sndNxt - this.#sndUna;
  }

  /** Bytes believed in flight (RFC 6675 pipe). */
  get pipe(): number {
    return this.#sb.pipe;
  }

  /** The peer's advertised window, bytes. */
  get peerWindow(): number {
    return this.#sndWnd;
  }

  /** The window this socket advertises now, bytes. */
  get advertisedWindow(): number {
    return Math.max(0, this.#rcvAdvEnd - this.#rcv.next);
  }

  /** Bytes received in order and not yet read by the application. */
  get readable(): number {
    return this.#rcv.readyBytes;
  }

  /** Whether SACK, timestamps and window scaling were negotiated. */
  get negotiated(): {
    mss: number;
    sack: boolean;
    timestamps: boolean;
    sndScale: number;
    rcvScale: number;
  } {
    return {
      mss: this.#peerMss,
      sack: this.#sackOk,
      timestamps: this.#tsOk,
      sndScale: this.#sndScale,
      rcvScale: this.#rcvScale,
    };
  }

  /** Room left in the send buffer, bytes. */
  get writable(): number {
    return Math.max(0, this.options.sndbuf - this.#sendBuf.size - this.#bulk);
  }

  /** Queue application data; returns how many bytes were accepted (may be fewer than given). */
  send(data: Payload): number {
    if (!this.#canSend()) return 0;
    const room = this.writable;
    const n = typeof data === "number" ? data : data.length;
    const take = Math.min(n, room);
    if (take <= 0) return 0;
    this.#sendBuf.append(typeof data === "number" ? take : data.subarray(0, take));
    this.#trySend();
    return take;
  }

  /**
   * Send `bytes` of virtual data as fast as the connection allows, without
   * holding it in the send buffer (a bulk source: iperf-style). `Infinity`
   * keeps sending until `close()`.
   */
  sendBulk(bytes: number): void {
    if (!this.#canSend()) return;
    this.#bulk += bytes;
    this.#trySend();
  }

  /** Take received in-order data (when autoRead is off). */
  read(max = Infinity): Payload[] {
    const before = this.advertisedWindow;
    const out = this.#rcv.read(max);
    this.#maybeWindowUpdate(before);
    return out;
  }

  /** Close our direction: FIN after all queued data (RFC 9293 CLOSE call). */
  shutdown(): void {
    if (
      this.state === "ESTABLISHED" || this.state === "CLOSE-WAIT" || this.state === "SYN-RECEIVED"
    ) {
      if (this.#bulk === Infinity) this.#bulk = 0;
      this.#finRequested = true;
      this.#trySend();
    } else if (this.state === "SYN-SENT" || this.state === "LISTEN") {
      this.#enter("CLOSED");
    }
  }

  /** Close the socket: FIN (or RST when unread data would be lost, as Linux does). */
  close(): void {
    this.#orphan = true;
    if (this.state === "LISTEN") {
      for (const c of [...this.acceptQueue, ...this.synQueue]) c.abort();
      this.acceptQueue.length = 0;
      this.synQueue.length = 0;
      this.#enter("CLOSED");
      return;
    }
    if (this.#rcv.readyBytes > 0 && this.state !== "CLOSED" && this.state !== "TIME-WAIT") {
      this.abort();
      return;
    }
    this.shutdown();
  }

  /** Reset the connection (SO_LINGER 0 / abortive close): send RST, go to CLOSED. */
  abort(): void {
    if (
      this.state !== "CLOSED" && this.state !== "LISTEN" && this.state !== "SYN-SENT" &&
      this.state !== "TIME-WAIT"
    ) {
      this.#sendControl(TcpFlag.RST | TcpFlag.ACK, this.#sndNxt);
    }
    this.#enter("CLOSED");
  }

  /** The state sequence this socket went through, as names. */
  states(): TcpState[] {
    return this.history.map((h) => h.state);
  }

  // ------------------------------------------------------- opening (stack)

  /** Active open: choose ISS, send SYN (the stack has set the addresses). */
  connectNow(mssFromRoute: number): void {
    this.#iss = this.#host.isn();
    this.#initSender(mssFromRoute);
    this.#enter("SYN-SENT");
    this.#sendSyn(TcpFlag.SYN);
  }

  /** Passive open: a listener's child answers a SYN. */
  acceptSyn(seg: TcpSegment, mssFromRoute: number): void {
    this.#awaitingAccept = true;
    this.#iss = this.#host.isn();
    this.#irs = seg.seq;
    this.#initSender(mssFromRoute);
    this.#rcv = new ReceiveBuffer(1);
    this.#takeSynOptions(seg);
    this.#sndWnd = seg.window; // never scaled on a SYN
    this.#enter("SYN-RECEIVED");
    this.#sendSyn(TcpFlag.SYN | TcpFlag.ACK);
  }

  #initSender(mssFromRoute: number): void {
    this.#sndUna = 0;
    this.#sndNxt = 0;
    this.#routeMss = mssFromRoute;
    this.#mss = mssFromRoute;
    this.#peerMss = 536;
    this.#rcvScale = 0;
    if (this.options.windowScaling) {
      while (this.#rcvScale < 14 && this.options.rcvbuf >> this.#rcvScale > 65535) this.#rcvScale++;
    }
  }

  #takeSynOptions(seg: TcpSegment): void {
    const o = seg.options;
    this.#peerMss = o.mss ?? 536;
    this.#sackOk = this.options.sack && o.sackPermitted;
    this.#tsOk = this.options.timestamps && o.timestamp !== undefined;
    if (this.#tsOk) this.#tsRecent = o.timestamp!.val;
    if (this.options.windowScaling && o.wscale !== undefined) {
      this.#sndScale = Math.min(o.wscale, 14);
    } else {
      this.#sndScale = 0;
      this.#rcvScale = 0;
    }
    // Payload per segment: the smaller MSS, less the timestamp option.
    this.#mss = Math.min(this.#mss, this.#peerMss) - (this.#tsOk ? 12 : 0);
    this.ccs.mss = this.#mss;
  }

  #sendSyn(flags: number): void {
    const seg = this.#sb.count === 0
      ? this.#sb.add(
        0,
        1,
        TcpFlag.SYN,
        this.#clock.now,
        onPacketSent(this.#rate, {
          now: this.#clock.now,
          size: 1,
          bytesInFlight: 0,
          isRetransmission: false,
        }),
      )
      : this.#sb.first()!;
    this.#sndNxt = 1;
    this.#emit(seg, flags);
    this.#armRto();
  }

  // ----------------------------------------------------------- receiving

  /** A segment for this connection arrived (the stack demultiplexed it). */
  receive(seg: TcpSegment): void {
    this.stats.segsIn++;
    const f = seg.flags;
    switch (this.state) {
      case "CLOSED":
        return;
      case "SYN-SENT":
        this.#receiveInSynSent(seg);
        return;
    }
    // RFC 9293 §3.10.7.4: first, the sequence-number check.
    const start = unwrap(seg.seq, this.#irs, this.#rcv.next);
    const len = payloadLen(seg.payload) + (f & TcpFlag.SYN ? 1 : 0) + (f & TcpFlag.FIN ? 1 : 0);
    const wnd = this.advertisedWindow;
    const next = this.#rcv.next;
    const acceptable = len === 0
      ? (wnd === 0 ? start === next : start >= next && start < next + wnd) || start === next
      : wnd === 0
      ? false
      : (start >= next && start < next + wnd) ||
        (start + len - 1 >= next && start + len - 1 < next + wnd) ||
        (start < next && start + len > next);
    if (!acceptable) {
      if (f & TcpFlag.RST) return;
      if (
        this.state === "SYN-RECEIVED" && !this.parent && f & TcpFlag.SYN && f & TcpFlag.ACK &&
        start === 0 && unwrap(seg.ack, this.#iss, 0) === this.#sndNxt
      ) {
        // Simultaneous open (RFC 9293 Figure 8): the peer's SYN-ACK acknowledges
        // our SYN and repeats the SYN we already have. Linux lets it through
        // (tcp_validate_incoming), becomes ESTABLISHED and ACKs the old SYN.
        this.#sndWnd = seg.window; // the window of a SYN is never scaled
        this.#sndWl1 = 0;
        this.#sndWl2 = 1;
        this.#processAck(seg, 1, 1);
        this.#enter("ESTABLISHED");
        this.#sendAck();
        this.onConnect?.();
        this.#trySend();
        return;
      }
      if (this.state === "SYN-RECEIVED" && f & TcpFlag.SYN && start === 0) {
        // The peer retransmitted its SYN: our SYN-ACK was lost; send it again.
        this.#emit(this.#sb.first()!, TcpFlag.SYN | TcpFlag.ACK);
        return;
      }
      // TIME-WAIT: a retransmitted FIN (its ACK was lost) is ACKed again and
      // restarts the 2·MSL timer (RFC 9293 §3.10.7.4; Linux's tcp_timewait_state_process).
      if (this.state === "TIME-WAIT" && f & TcpFlag.FIN) this.#enterTimeWait();
      this.#sendAck(); // duplicate / old segment: re-ACK (and SACK)
      return;
    }
    if (f & TcpFlag.RST) {
      // RFC 5961 §3.2: only an exact match resets; else a challenge ACK.
      if (start !== next) {
        this.#sendAck();
        return;
      }
      if (this.state === "SYN-RECEIVED" && this.parent) {
        this.#enter("CLOSED");
        return;
      }
      this.#fail("ECONNRESET");
      return;
    }
    if (f & TcpFlag.SYN) {
      // RFC 5961 §4: a SYN in a synchronized state gets a challenge ACK.
      this.#sendAck();
      return;
    }
    if (!(f & TcpFlag.ACK)) return;
    if (this.#tsOk && seg.options.timestamp && start <= next) {
      this.#tsRecent = seg.options.timestamp.val;
    }
    if (this.state === "SYN-RECEIVED") {
      const ack = unwrap(seg.ack, this.#iss, this.#sndUna);
      if (ack !== 1) {
        this.#sendControl(TcpFlag.RST, ack);
        return;
      }
      // Linux (tcp_abort_on_overflow = 0): with the accept queue full the final
      // ACK is dropped; the connection stays half-open and the SYN-ACK is
      // retransmitted on its timer until the queue has room or the retries end.
      if (this.parent && this.#host.acceptQueueFull(this)) return;
      this.#processAck(seg, ack, len);
      this.#updateWindow(seg, start, ack);
      this.#enter("ESTABLISHED");
      if (this.parent) this.#host.established(this);
      else this.onConnect?.(); // simultaneous open, completed by a plain ACK
    } else {
      const ack = unwrap(seg.ack, this.#iss, this.#sndUna);
      if (ack > this.#sndNxt) {
        this.#sendAck(); // acknowledges something not yet sent
        return;
      }
      this.#processAck(seg, ack, len);
      this.#updateWindow(seg, start, ack);
    }
    if ((this.state as TcpState) === "CLOSED") return;
    this.#afterOurFinAcked();
    this.#receiveData(seg, start);
    this.#trySend();
  }

  #receiveInSynSent(seg: TcpSegment): void {
    const f = seg.flags;
    if (f & TcpFlag.ACK) {
      const ack = unwrap(seg.ack, this.#iss, 0);
      if (ack !== 1) {
        if (!(f & TcpFlag.RST)) this.#sendControl(TcpFlag.RST, ack);
        return;
      }
      if (f & TcpFlag.RST) {
        this.#fail("ECONNREFUSED");
        return;
      }
    } else if (f & TcpFlag.RST) return;
    if (!(f & TcpFlag.SYN)) return;
    this.#irs = seg.seq;
    this.#rcv = new ReceiveBuffer(1);
    this.#takeSynOptions(seg);
    if (f & TcpFlag.ACK) {
      // SYN-ACK: our SYN is acknowledged.
      this.#sndWnd = seg.window; // the window of a SYN is never scaled
      this.#sndWl1 = 0;
      this.#sndWl2 = 1;
      this.#processAck(seg, 1, 1);
      this.#enter("ESTABLISHED");
      this.#sendAck();
      this.onConnect?.();
      this.#trySend();
    } else {
      // Simultaneous open (RFC 9293 Figure 8): SYN-RECEIVED, answer with SYN-ACK.
      this.#sndWnd = seg.window;
      this.#enter("SYN-RECEIVED");
      this.#emit(this.#sb.first()!, TcpFlag.SYN | TcpFlag.ACK);
    }
  }

  #updateWindow(seg: TcpSegment, start: number, ack: number): void {
    // RFC 9293 §3.10.7.4: take the window from the newest segment.
    if (this.#sndWl1 < start || (this.#sndWl1 === start && this.#sndWl2 <= ack)) {
      const wasZero = this.#sndWnd === 0;
      this.#sndWnd = seg.window << this.#sndScale;
      this.#sndWl1 = start;
      this.#sndWl2 = ack;
      if (this.#sndWnd === 0 && this.#peerWindowZeroSince < 0) {
        this.#peerWindowZeroSince = this.#clock.now;
      }
      if (this.#sndWnd > 0) {
        this.#peerWindowZeroSince = -1;
        // A window that takes a full segment ends the wait (Linux's tcp_ack_probe).
        if (this.#persistTimer && this.#sndUna + this.#sndWnd - this.#sndNxt >= this.#mss) {
          this.#persistTimer.cancel();
          this.#persistTimer = undefined;
        }
        if (wasZero) {
          this.#persistTimer?.cancel();
          this.#persistTimer = undefined;
          // The probes' back-off ends with them (Linux's tcp_ack_probe): data
          // sent into the new window starts from the measured RTO.
          this.#backoff = 0;
        }
      }
    }
  }

  // The ACK being processed, for the scoreboard's callbacks (bound once, not a closure per ACK).
  #ack: AckInProgress | undefined;
  /** Latest transmission time among the segments this ACK delivered (RACK), or −1. */
  #deliveredSentAt = -1;
  readonly #onAcked = (s: SentSegment): void => {
    const a = this.#ack!;
    // RACK (RFC 8985 §6.2 step 2, Linux tcp_rack_advance): a retransmitted
    // segment acknowledged sooner than the minimum RTT after its latest
    // transmission was delivered by an earlier one; it says nothing about
    // what was sent after that earlier transmission.
    const ambiguous = s.retransmits > 0 && a.now - s.sentAt < this.ccs.minRtt;
    if (s.sentAt > this.#deliveredSentAt && !ambiguous) this.#deliveredSentAt = s.sentAt;
    onPacketAcked(this.#rate, a, s.snap);
  };
  readonly #onLost = (s: SentSegment): void => onPacketLost(this.#rate, this.#ack!, s.snap);

  /** ACK processing: scoreboard, RTT, loss detection, recovery, congestion control. */
  #processAck(seg: TcpSegment, ack: number, segLen: number): void {
    const sb = this.#sb;
    // Nothing outstanding and nothing new acknowledged (a receiver's view of the
    // data it is sent): no scoreboard, RTT, rate or congestion-control work, as
    // Linux's tcp_ack leaves through "no_queue" when no packets are in flight.
    if (sb.count === 0 && !(ack > this.#sndUna)) return;
    const now = this.#clock.now;
    const priorInFlight = sb.pipe;
    const a = beginAck(this.#rate, now, priorInFlight);
    this.#ack = a;
    this.#deliveredSentAt = -1;
    const oldUna = this.#sndUna;
    const advanced = ack > oldUna;
    const onAcked = this.#onAcked;
    if (advanced) {
      sb.ackTo(ack, onAcked);
      const dataEnd = this.#finSeq >= 0 ? this.#finSeq : this.#sndNxt;
      this.stats.bytesAcked = Math.max(0, Math.min(ack, dataEnd) - 1);
      this.#sndUna = ack;
      this.#sendBuf.acknowledge(Math.min(ack, this.#sendBuf.end));
      // The backed-off RTO stays until an RTT sample (below) says what the path
      // takes now (RFC 6298 §5's note on Karn; Linux resets icsk_backoff only on
      // a valid measurement); a SYN's back-off ends with the handshake.
      if (this.state === "SYN-SENT" || this.state === "SYN-RECEIVED") this.#backoff = 0;
      this.#retries = 0;
    }
    const blocks = seg.options.sack;
    if (this.#sackOk && blocks !== undefined) {
      for (let i = 0; i < blocks.length; i++) {
        const block = blocks[i]!;
        const left = unwrap(block[0], this.#iss, this.#sndUna);
        const right = unwrap(block[1], this.#iss, this.#sndUna);
        if (right <= this.#sndUna || right > this.#sndNxt) continue;
        sb.sack(left, right, onAcked);
      }
    }
    // RFC 5681 §2 duplicate ACK: nothing new acknowledged, no data, same window, data outstanding.
    const isDup = !advanced && segLen === 0 && this.#sndNxt > this.#sndUna &&
      (seg.window << this.#sndScale) === this.#sndWnd;
    if (isDup) {
      this.#dupAcks++;
      this.stats.dupAcksIn++;
    } else if (advanced) this.#dupAcks = 0;

    // Loss detection.
    const onLost = this.#onLost;
    if (this.#sackOk) {
      sb.detectLosses(DUPTHRESH, onLost);
      // RACK: a quarter of the minimum RTT of reordering is tolerated (RFC 8985 §6.2).
      if (this.#deliveredSentAt >= 0 && sb.sackedCount > 0) {
        const reo = Number.isFinite(this.ccs.minRtt) ? this.ccs.minRtt / 4 : 0;
        sb.rackDetect(this.#deliveredSentAt, reo, onLost);
      }
      // A third duplicate ACK marks the oldest segment even if SACK blocks were too few.
      if (this.#dupAcks === DUPTHRESH && !this.ccs.inRecovery && sb.first()) {
        sb.markLost(sb.first()!, onLost);
      }
    } else if (this.#dupAcks === DUPTHRESH && !this.ccs.inRecovery && sb.first()) {
      sb.markLost(sb.first()!, onLost);
    } else if (this.ccs.inRecovery && advanced && ack < this.#recoveryPoint && sb.first()) {
      // RFC 6582 §3.2 step 5: a partial ACK means the next segment was lost too.
      sb.markLost(sb.first()!, onLost);
    }
    if (!this.#sackOk) {
      // Without SACK each duplicate ACK means a segment left the network, so it
      // leaves the pipe (Linux's tcp_add_reno_sack: RFC 5681's ssthresh + 3·SMSS
      // and RFC 6582's inflation). A cumulative ACK covers those segments again
      // and gives back what it covers beyond the first (tcp_remove_reno_sacks),
      // so no segment leaves the pipe twice.
      if (advanced && this.#renoSacked > 0) {
        const back = sb.count === 0
          ? this.#renoSacked
          : Math.min(this.#renoSacked, Math.max(0, ack - oldUna - this.#mss));
        this.#renoSacked -= back;
        sb.pipe += back;
      }
      if (isDup) {
        const d = Math.max(0, Math.min(this.#mss, sb.pipe));
        this.#renoSacked += d;
        sb.pipe -= d;
      }
    }

    // RTT sample (Karn: none from retransmitted data) and the rate sample.
    const rttSample = a.newestOriginalSentTime >= 0 && !a.retransmittedAcked
      ? now - a.newestOriginalSentTime
      : -1;
    if (rttSample >= 0) {
      this.#rttUpdate(rttSample);
      this.#backoff = 0;
    }
    const rs = generateRateSample(this.#rate, a, this.ccs.minRtt);

    const ccs = this.ccs;
    ccs.bytesInFlight = sb.pipe;
    ccs.flightSize = this.#sndNxt - this.#sndUna;
    ccs.srtt = this.#srtt;
    if (this.#sndUna >= 1 && this.state !== "SYN-SENT" && this.state !== "SYN-RECEIVED") {
      if (!ccs.inRecovery && !this.#rtoLoss && a.newlyLost > 0) {
        // Enter fast recovery (RFC 6675 §5 / RFC 6582 §3.2 step 2).
        this.#recoveryPoint = this.#sndNxt;
        ccs.ssthresh = this.cc.ssthreshAfterLoss(ccs, now);
        ccs.inRecovery = true;
        this.cc.onEnterRecovery(ccs, now);
        this.stats.fastRetransmits++;
        // RFC 5681 §3.2 step 4, RFC 6675 §5 (4.3): the first lost segment goes
        // out at once, whatever the pipe (Linux's PRR sends at least one).
        const first = sb.nextRetransmit();
        if (first) this.#retransmit(first);
      } else if (ccs.inRecovery && this.#sndUna >= this.#recoveryPoint) {
        ccs.inRecovery = false;
        this.cc.onExitRecovery(ccs, now);
      } else if (this.#rtoLoss && this.#sndUna >= this.#rtoLossPoint) {
        this.#rtoLoss = false;
        this.cc.onExitRecovery(ccs, now);
      }
      this.cc.onAck(ccs, rs, now);
    }
    this.onAck?.({
      time: now,
      cwnd: ccs.cwnd,
      ssthresh: ccs.ssthresh,
      pipe: sb.pipe,
      srtt: this.#srtt,
      rttSample,
      pacingRate: ccs.pacingRate,
      inRecovery: ccs.inRecovery || this.#rtoLoss,
      rate: rs,
    });
    if (sb.count === 0) {
      this.#rtoTimer?.cancel();
      this.#rtoTimer = undefined;
      this.#rtoDeadline = 0;
    } else if (advanced) this.#armRto();
    if (advanced && this.writable > 0) this.onWritable?.();
  }

  /**
   * RFC 6298 §2: SRTT, RTTVAR, RTO — with Linux's floor on the variance term
   * (tcp_rtt_estimator's rttvar ≥ rto_min), so the RTO is at least SRTT + 200 ms
   * (`ss -i` shows rto:220 on a 20 ms path), not 200 ms flat.
   */
  #rttUpdate(r: number): void {
    this.stats.rttSamples++;
    if (r < this.ccs.minRtt) this.ccs.minRtt = r;
    if (this.#srtt === 0) {
      this.#srtt = r;
      this.#rttvar = r / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - r);
      this.#srtt = 0.875 * this.#srtt + 0.125 * r;
    }
    this.#rto = Math.min(
      MAX_RTO,
      this.#srtt + Math.max(this.options.rtoMin, 4 * this.#rttvar),
    );
  }

  #afterOurFinAcked(): void {
    const finAcked = this.#finSeq >= 0 && this.#sndUna > this.#finSeq;
    if (!finAcked) return;
    switch (this.state) {
      case "FIN-WAIT-1":
        this.#enter("FIN-WAIT-2");
        if (this.#orphan) {
          // Linux: an orphaned FIN-WAIT-2 socket lives tcp_fin_timeout at most.
          this.#closeTimer = this.#host.after(this.#host.finTimeout, () => {
            if (this.state === "FIN-WAIT-2") this.#enter("CLOSED");
          });
        }
        break;
      case "CLOSING":
        this.#enterTimeWait();
        break;
      case "LAST-ACK":
        this.#enter("CLOSED");
        break;
    }
  }

  #receiveData(seg: TcpSegment, start: number): void {
    const f = seg.flags;
    const n = payloadLen(seg.payload);
    const segsOutBefore = this.stats.segsOut;
    const canTakeData = this.state === "ESTABLISHED" || this.state === "FIN-WAIT-1" ||
      this.state === "FIN-WAIT-2";
    if (f & TcpFlag.FIN) {
      const at = start + n;
      if (this.#peerFinAt < 0) this.#peerFinAt = at;
    }
    let immediate = false;
    if (n > 0 && canTakeData) {
      const hadHoles = this.#rcv.hasHoles;
      const advanced = this.#rcv.add(start, seg.payload);
      if (advanced === 0 || hadHoles) immediate = true; // out of order, duplicate, or a hole filled
      if (advanced > 0) {
        this.stats.bytesReceived += advanced;
        this.#deliverToApp();
        this.#pendingAcks++;
      }
    }
    // FIN in order: the peer is done.
    if (this.#peerFinAt >= 0 && !this.#finReceived && this.#rcv.next === this.#peerFinAt) {
      this.#finReceived = true;
      this.#rcv.next++;
      this.#rcvAdvEnd = Math.max(this.#rcvAdvEnd, this.#rcv.next);
      immediate = true;
      switch (this.state) {
        case "ESTABLISHED":
          this.#enter("CLOSE-WAIT");
          break;
        case "FIN-WAIT-1":
          // Simultaneous close: our FIN not yet acknowledged means CLOSING.
          if (this.#finSeq >= 0 && this.#sndUna > this.#finSeq) this.#enterTimeWait();
          else this.#enter("CLOSING");
          break;
        case "FIN-WAIT-2":
          this.#enterTimeWait();
          break;
      }
      this.onEnd?.();
    } else if (this.state === "TIME-WAIT" && f & TcpFlag.FIN) {
      // A retransmitted FIN: ACK it again and restart the 2·MSL timer.
      this.#enterTimeWait();
      immediate = true;
    }
    if (n === 0 && !(f & TcpFlag.FIN)) return;
    // What the application sent from onData or onEnd (data, its FIN) already
    // carried this ACK: no separate one (Linux clears a pending ACK with any
    // transmission).
    const carried = this.stats.segsOut > segsOutBefore;
    if (immediate || !this.options.delayedAck || this.#quickAcks > 0 || this.#pendingAcks >= 2) {
      if (this.#quickAcks > 0 && n > 0) this.#quickAcks--;
      if (!carried) this.#sendAck();
    } else if (!carried && !this.#delack.pending) {
      this.#host.schedule(this.#delack, DELACK);
    }
  }

  #deliverToApp(): void {
    // A listener's child holds its data until the application has accepted it.
    if (!this.options.autoRead || this.#awaitingAccept) return;
    // Usually one chunk: no list for it.
    const single = this.#rcv.readSingle();
    if (single !== undefined) this.onData?.(single);
    else for (const d of this.#rcv.read()) this.onData?.(d);
  }

  #maybeWindowUpdate(before: number): void {
    // Receiver-side silly-window avoidance (RFC 1122 §4.2.3.3): announce a
    // larger window only once it has grown by min(rcvbuf/2, MSS).
    const free = this.#freeSpace();
    const threshold = Math.min(this.options.rcvbuf / 2, this.#mss);
    if (free >= threshold && free - before >= threshold) this.#sendAck();
  }

  #freeSpace(): number {
    return Math.max(0, this.options.rcvbuf - this.#rcv.readyBytes - this.#rcv.outOfOrderBytes);
  }

  // ------------------------------------------------------------- sending

  #canSend(): boolean {
    return (this.state === "ESTABLISHED" || this.state === "CLOSE-WAIT" ||
      this.state === "SYN-SENT" ||
      this.state === "SYN-RECEIVED") && !this.#finRequested;
  }

  /** Data available beyond sndNxt (buffered or bulk). */
  #available(): number {
    return this.#sendBuf.end - this.#sndNxt +
      (this.#bulk === Infinity ? Number.MAX_SAFE_INTEGER : this.#bulk);
  }

  /** Send what the windows allow: retransmissions first, then new data, then FIN (RFC 6675 NextSeg). */
  #trySend(): void {
    if (
      this.state !== "ESTABLISHED" && this.state !== "CLOSE-WAIT" && this.state !== "FIN-WAIT-1" &&
      this.state !== "CLOSING" && this.state !== "LAST-ACK"
    ) return;
    const sb = this.#sb;
    const ccs = this.ccs;
    for (;;) {
      if (ccs.pacingRate > 0 && this.#clock.now < this.#nextSendTime) {
        this.#armPacing();
        return;
      }
      if (sb.pipe >= ccs.cwnd) break;
      const rtx = sb.nextRetransmit();
      if (rtx) {
        this.#retransmit(rtx);
        continue;
      }
      const wndRoom = this.#sndUna + this.#sndWnd - this.#sndNxt;
      const avail = this.#available();
      if (avail > 0) {
        let len = Math.min(this.#mss, avail, wndRoom);
        if (len <= 0) {
          this.#armPersist();
          break;
        }
        // Sender-side silly-window avoidance and Nagle (RFC 1122 §4.2.3.4, RFC 896).
        if (len < this.#mss && len < avail && !this.#swsOverride) {
          // Wait for the window to open further; with nothing in flight no ACK
          // will open it, so the persist timer ends the wait (RFC 1122 §4.2.3.4's
          // override: Linux's tcp_write_wakeup then sends what fits).
          if (sb.count === 0) this.#armPersist();
          break;
        }
        if (
          len < this.#mss && !this.options.nodelay && this.#sndSml > this.#sndUna &&
          !this.#finRequested
        ) break;
        if (this.#bulk > 0 && this.#sendBuf.end - this.#sndNxt < len) {
          const take = len - (this.#sendBuf.end - this.#sndNxt);
          this.#sendBuf.append(take);
          if (this.#bulk !== Infinity) this.#bulk -= take;
        }
        len = Math.min(len, this.#sendBuf.end - this.#sndNxt);
        this.#sendNew(len);
        continue;
      }
      if (this.#finRequested && this.#finSeq < 0) {
        this.#sendFin();
        continue;
      }
      break;
    }
    if (sb.count > 0 && !this.#rtoTimer) this.#armRto();
    if (this.#bulk === 0 && this.#sendBuf.end === this.#sndNxt) {
      checkAppLimited(this.#rate, {
        unsentBytes: 0,
        mss: this.#mss,
        bytesInFlight: sb.pipe,
        cwnd: ccs.cwnd,
        lostNotRetransmitted: sb.lostPending,
      });
    }
  }

  #snap(size: number, retransmission: boolean, now = this.#clock.now) {
    return onPacketSent(this.#rate, {
      now,
      size,
      bytesInFlight: this.#sb.pipe,
      isRetransmission: retransmission,
    });
  }

  #sendNew(len: number): void {
    const start = this.#sndNxt;
    const endOfWrite = start + len === this.#sendBuf.end && this.#bulk === 0;
    const psh = endOfWrite ? TcpFlag.PSH : 0;
    const now = this.#clock.now;
    const seg = this.#sb.add(start, start + len, psh, now, this.#snap(len, false, now));
    this.#sndNxt += len;
    if (len < this.#mss) this.#sndSml = this.#sndNxt;
    this.stats.bytesSent += len;
    this.#emit(seg, TcpFlag.ACK | psh);
    this.#pace(len);
  }

  #sendFin(): void {
    const start = this.#sndNxt;
    const seg = this.#sb.add(start, start + 1, TcpFlag.FIN, this.#clock.now, this.#snap(1, false));
    this.#finSeq = start;
    this.#sndNxt++;
    this.#emit(seg, TcpFlag.FIN | TcpFlag.ACK);
    switch (this.state) {
      case "ESTABLISHED":
        this.#enter("FIN-WAIT-1");
        break;
      case "CLOSE-WAIT":
        this.#enter("LAST-ACK");
        break;
    }
    this.#armRto();
  }

  #retransmit(s: SentSegment): void {
    const now = this.#clock.now;
    this.#sb.retransmitted(s, now, this.#snap(s.end - s.start, true, now));
    this.stats.retransmits++;
    let flags: number = TcpFlag.ACK;
    if (s.flags & TcpFlag.SYN) {
      flags = this.state === "SYN-SENT" ? TcpFlag.SYN : TcpFlag.SYN | TcpFlag.ACK;
    }
    if (s.flags & TcpFlag.FIN) flags |= TcpFlag.FIN;
    if (s.flags & TcpFlag.PSH) flags |= TcpFlag.PSH; // a retransmission keeps its PSH, as Linux's
    this.#emit(s, flags);
    this.#pace(s.end - s.start);
  }

  #pace(len: number): void {
    const rate = this.ccs.pacingRate;
    if (rate <= 0) return;
    this.#nextSendTime = Math.max(this.#clock.now, this.#nextSendTime) +
      ((len + TCP_HEADERS) * 1e9) / rate;
  }

  #armPacing(): void {
    if (this.#paceTimer.pending) return;
    this.#host.schedule(
      this.#paceTimer,
      Math.max(0, Math.ceil(this.#nextSendTime - this.#clock.now)),
    );
  }

  /** Put a segment on the wire: data of [start, end) (or SYN/FIN) with these flags. */
  #emit(s: SentSegment, flags: number): void {
    const hasSyn = (s.flags & TcpFlag.SYN) !== 0;
    const dataStart = hasSyn ? 1 : s.start;
    const dataEnd = s.flags & TcpFlag.FIN ? s.end - 1 : s.end;
    const payload = dataEnd > dataStart ? this.#sendBuf.slice(dataStart, dataEnd) : 0;
    const seg = this.#segment(s.start, flags, payload);
    if (hasSyn) this.#synOptions(seg);
    this.stats.segsOut++;
    this.#ackSent();
    this.#host.output(this, seg);
  }

  #synOptions(seg: TcpSegment): void {
    const o = seg.options;
    o.mss = this.#routeMss;
    if (this.options.sack && (this.state === "SYN-SENT" || this.#sackOk)) o.sackPermitted = true;
    if (
      this.options.windowScaling &&
      (this.state === "SYN-SENT" || this.#sndScale > 0 || this.#rcvScale > 0)
    ) {
      o.wscale = this.#rcvScale;
    }
    if (!(this.options.timestamps && (this.state === "SYN-SENT" || this.#tsOk))) {
      o.timestamp = undefined;
    }
    seg.window = Math.min(65535, this.#freeSpace());
    o.sack = undefined;
  }

  #routeMss = 1460;

  #segment(start: number, flags: number, payload: Payload): TcpSegment {
    const options = noTcpOptions();
    if (this.#tsOk || this.state === "SYN-SENT" && this.options.timestamps) {
      options.timestamp = { val: Math.floor(this.#clock.now / 1e6) >>> 0, ecr: this.#tsRecent };
    }
    if (this.#sackOk && this.#rcv.hasHoles) {
      // Fresh pairs: turned into sequence numbers in place.
      const blocks = this.#rcv.sackBlocks(this.#tsOk ? 3 : 4);
      for (let i = 0; i < blocks.length; i++) {
        const b = blocks[i]!;
        b[0] = wrap(b[0], this.#irs);
        b[1] = wrap(b[1], this.#irs);
      }
      options.sack = blocks;
    }
    return {
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq: wrap(start, this.#iss),
      ack: flags & TcpFlag.ACK ? wrap(this.#rcv.next, this.#irs) : 0,
      flags,
      window: this.#windowField(),
      urgent: 0,
      options,
      payload,
    };
  }

  /** The window field: free space, never shrinking the right edge, scaled (RFC 7323 §2.3). */
  #windowField(): number {
    const next = this.#rcv.next;
    const free = this.#freeSpace();
    const threshold = Math.min(this.options.rcvbuf / 2, this.#mss);
    const edge = next + free;
    if (
      edge > this.#rcvAdvEnd && (edge - this.#rcvAdvEnd >= threshold || this.#rcvAdvEnd <= next)
    ) {
      this.#rcvAdvEnd = free < threshold && this.#rcvAdvEnd <= next ? next : edge;
    }
    const wnd = Math.max(0, this.#rcvAdvEnd - next);
    return Math.min(65535, Math.ceil(wnd / (1 << this.#rcvScale))) >>> 0;
  }

  #ackSent(): void {
    this.#pendingAcks = 0;
    if (this.#delack.pending) this.#delack.cancel();
  }

  #sendAck(): void {
    if (this.state === "CLOSED" || this.state === "LISTEN" || this.state === "SYN-SENT") return;
    const seg = this.#segment(this.#sndNxt, TcpFlag.ACK, 0);
    this.stats.segsOut++;
    this.#ackSent();
    this.#host.output(this, seg);
  }

  #sendControl(flags: number, seqAbs: number): void {
    const seg = this.#segment(seqAbs, flags, 0);
    seg.options.sack = undefined;
    this.stats.segsOut++;
    this.#host.output(this, seg);
  }

  // -------------------------------------------------------------- timers

  #armRto(): void {
    this.#rtoDeadline = this.#clock.now + this.rto;
    if (this.#rtoTimer) return;
    const fire = () => {
      this.#rtoTimer = undefined;
      if (this.#rtoDeadline === 0) return;
      if (this.#clock.now < this.#rtoDeadline) {
        // Whole nanoseconds: the simulator rounds event times, so a deadline
        // less than half a nanosecond away would re-arm at this instant forever.
        this.#rtoTimer = this.#host.after(Math.ceil(this.#rtoDeadline - this.#clock.now), fire);
        return;
      }
      this.#onRto();
    };
    this.#rtoTimer = this.#host.after(this.rto, fire);
  }

  #onRto(): void {
    const sb = this.#sb;
    if (sb.count === 0) return;
    this.stats.timeouts++;
    this.#retries++;
    const limit = this.state === "SYN-SENT"
      ? this.#host.synRetries
      : this.state === "SYN-RECEIVED"
      ? this.#host.synackRetries
      : this.#host.retries2;
    if (this.#retries > limit) {
      if (this.state === "SYN-RECEIVED" && this.parent) {
        this.#enter("CLOSED");
        return;
      }
      this.#fail(this.error ?? "ETIMEDOUT");
      return;
    }
    this.#backoff++;
    if (this.state === "SYN-SENT" || this.state === "SYN-RECEIVED") {
      const s = sb.first()!;
      sb.retransmitted(s, this.#clock.now, this.#snap(1, true));
      this.stats.retransmits++;
      this.#emit(s, this.state === "SYN-SENT" ? TcpFlag.SYN : TcpFlag.SYN | TcpFlag.ACK);
      this.#armRto();
      return;
    }
    // RFC 6298 §5.4–5.6 and RFC 5681 §3.1: back off, collapse the window, go back to the oldest.
    const ccs = this.ccs;
    ccs.inRecovery = false;
    ccs.bytesInFlight = sb.pipe;
    ccs.flightSize = this.#sndNxt - this.#sndUna;
    this.cc.onRetransmitTimeout(ccs, this.#clock.now);
    this.#rtoLoss = true;
    this.#rtoLossPoint = this.#sndNxt;
    this.#dupAcks = 0;
    sb.markAllLost((s) => {
      this.#rate.lost += s.end - s.start;
    });
    // Nothing is in flight now; duplicate ACKs counted before no longer matter.
    sb.pipe += this.#renoSacked;
    this.#renoSacked = 0;
    this.#nextSendTime = 0;
    this.#armRto();
    // The oldest segment goes out even if cwnd < pipe (there is no pipe now).
    const first = sb.nextRetransmit();
    if (first) this.#retransmit(first);
    this.#trySend();
  }

  /** The persist timer fired with a window smaller than a segment: send what fits. */
  #swsOverride = false;

  #armPersist(): void {
    if (this.#persistTimer || this.#sb.count > 0) return;
    const backoff = Math.min(this.#rto * 2 ** this.#backoff, MAX_RTO);
    this.#persistTimer = this.#host.after(Math.max(this.options.rtoMin, backoff), () => {
      this.#persistTimer = undefined;
      // With data in flight its ACKs drive the sending (Linux's tcp_probe_timer).
      if (this.#sb.count > 0) return;
      if (this.#sndWnd > 0 || this.state === "CLOSED") {
        this.#swsOverride = true;
        this.#trySend();
        this.#swsOverride = false;
        return;
      }
      // A zero-window probe: an old sequence number so the receiver answers
      // with its window (Linux's tcp_xmit_probe_skb).
      this.stats.zeroWindowProbes++;
      this.#backoff = Math.min(this.#backoff + 1, 10);
      this.#sendControl(TcpFlag.ACK, this.#sndUna - 1);
      this.#armPersist();
    });
  }

  #enterTimeWait(): void {
    if (this.state !== "TIME-WAIT") this.#enter("TIME-WAIT");
    this.#rtoTimer?.cancel();
    this.#rtoTimer = undefined;
    this.#rtoDeadline = 0;
    this.#closeTimer?.cancel();
    this.#closeTimer = this.#host.after(this.#host.timeWait, () => this.#enter("CLOSED"));
  }

  #fail(e: TcpError): void {
    this.error = e;
    this.#enter("CLOSED");
    this.onError?.(e);
  }

  #enter(s: TcpState): void {
    if (this.state === s) return;
    if (s === "ESTABLISHED") {
      // The MSS is known now: the congestion control starts (IW10).
      this.ccs.mss = this.#mss;
      this.cc.init(this.ccs, this.#clock.now);
    }
    this.state = s;
    this.history.push({ time: this.#clock.now, state: s });
    this.onState?.(s);
    if (s === "CLOSED") {
      for (
        const t of [
          this.#rtoTimer,
          this.#delack,
          this.#persistTimer,
          this.#paceTimer,
          this.#closeTimer,
        ]
      ) {
        t?.cancel();
      }
      this.#rtoTimer = this.#persistTimer = this.#closeTimer = undefined;
      this.#rtoDeadline = 0;
      this.#host.release(this);
    }
  }

  /** Start in LISTEN (the stack binds first). */
  listenNow(backlog: number): void {
    this.backlog = backlog;
    this.#enter("LISTEN");
  }

  /**
   * Mark as accepted by the application. `onConnect`, and `onData` for what
   * arrived before accept(), follow in a moment (a later event at the same
   * virtual time), once the caller has set its callbacks on the socket it got;
   * until then the data waits in the receive buffer, as it does on Linux.
   */
  acceptedNow(): void {
    this.#host.after(0, () => {
      if (this.state === "CLOSED") return;
      this.#awaitingAccept = false;
      this.onConnect?.();
      const before = this.advertisedWindow;
      this.#deliverToApp();
      if (this.options.autoRead) this.#maybeWindowUpdate(before);
    });
  }

  /** An ICMP error about this connection (RFC 1122 §4.2.3.9; frag-needed lowers the MSS). */
  icmpError(type: number, code: number, mtu: number): void {
    if (type === 3 && code === 4 && mtu >= 68) {
      const mss = mtu - TCP_HEADERS - (this.#tsOk ? 12 : 0);
      if (mss < this.#mss) {
        this.#mss = mss;
        this.ccs.mss = mss;
        // Segments now too big are lost; resend them in the smaller size.
        const first = this.#sb.first();
        if (first) this.#sb.markLost(first, () => {});
        this.#trySend();
      }
      return;
    }
    if (type === 3 || type === 11) {
      // Linux's icmp_err_convert (rarer codes as EHOSTUNREACH).
      const e: TcpError = type === 11
        ? "EHOSTUNREACH"
        : code === 0 || code === 6 || code === 9 || code === 11
        ? "ENETUNREACH"
        : code === 2
        ? "ENOPROTOOPT"
        : code === 3
        ? "ECONNREFUSED"
        : "EHOSTUNREACH";
      // Linux's tcp_v4_err: a connect still in SYN-SENT fails on the error at
      // once ("No route to host" when ARP gives up, a router's net or host
      // unreachable); a synchronized connection only remembers it (a soft
      // error), reported if it then times out.
      if (this.state === "SYN-SENT") this.#fail(e);
      else this.error = e;
    }
  }
}

function payloadLen(p: Payload): number {
  return typeof p === "number" ? p : p.length;
}
