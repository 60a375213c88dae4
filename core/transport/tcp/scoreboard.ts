/**
 * The sender's scoreboard (RFC 6675): every segment sent and not yet
 * cumulatively acknowledged, in sequence order, with its SACKed / lost /
 * in-flight state, its rate-sample snapshot and its send time; and the pipe
 * (bytes believed in flight).
 *
 * Loss detection follows RFC 6675's IsLost() in segments: an unSACKed segment
 * is lost once DupThresh (3) SACKed segments lie above it. The DupThresh-th
 * highest SACKed segment is found from a sorted list of SACKed segment
 * numbers, and marking proceeds from a cursor, so each ACK costs O(log n) plus
 * the segments whose state actually changes; no per-ACK scan of the window
 * (the linear SACK bookkeeping that makes some simulators slow under loss).
 *
 * RACK (RFC 8985 §6.2, time-based loss detection, as Linux uses by default)
 * runs beside it: segments in flight are kept in a list ordered by their latest
 * transmission time; when an ACK delivers a segment sent at time T, every
 * segment still in flight that was sent before T − reordering window is lost.
 * That also finds lost retransmissions, which RFC 6675 alone can only recover
 * by timeout. Each transmission enters and leaves the list once: O(1)
 * amortized.
 *
 * Simplified: SACK blocks mark whole segments only (blocks that cut a segment
 * mark nothing in it); no reneging; no tail loss probe (TLP).
 *
 * @module
 */
import type { PacketSnapshot } from "../cc/rate_sample.ts";
import { dropFront } from "./buffers.ts";

/** One transmitted segment. */
export interface SentSegment {
  /** Segment number on this connection (0, 1, 2, …), for ordering. */
  num: number;
  /** Absolute sequence range [start, end); SYN and FIN count one each. */
  start: number;
  end: number;
  /** TCP flags that consume sequence space (SYN, FIN) carried by it, and PSH. */
  flags: number;
  /** Last transmission time, ns. */
  sentAt: number;
  /** How many times it was retransmitted. */
  retransmits: number;
  sacked: boolean;
  lost: boolean;
  /** Whether its latest transmission counts in the pipe. */
  inPipe: boolean;
  /** Delivery-rate snapshot of its latest transmission. */
  snap: PacketSnapshot;
  /** Neighbours in the transmission-time list (RACK), when in flight. */
  tprev: SentSegment | undefined;
  tnext: SentSegment | undefined;
  linked: boolean;
}

/** Outstanding segments and the pipe. */
export class Scoreboard {
  readonly #segs: SentSegment[] = [];
  #head = 0;
  /** Segment number of #segs[#head]. */
  #base = 0;
  #nextNum = 0;
  /** SACKed segment numbers, ascending. */
  readonly #sacked: number[] = [];
  #sackedHead = 0;
  /** Segments below this number have been judged for loss. */
  #lostScan = 0;
  /** Segments below this number need no retransmission now. */
  #rtxScan = 0;
  /** Bytes believed in flight (RFC 6675 pipe). */
  pipe = 0;
  /** Bytes SACKed and not yet cumulatively acknowledged. */
  sackedBytes = 0;
  /** Bytes marked lost and not yet retransmitted. */
  lostPending = 0;

  /** Outstanding segments. */
  get count(): number {
    return this.#segs.length - this.#head;
  }

  /** The oldest outstanding segment. */
  first(): SentSegment | undefined {
    return this.#segs[this.#head];
  }

  /** The newest outstanding segment. */
  last(): SentSegment | undefined {
    return this.#head < this.#segs.length ? this.#segs[this.#segs.length - 1] : undefined;
  }

  /** Record a new transmission (new data) at the end. */
  add(start: number, end: number, flags: number, now: number, snap: PacketSnapshot): SentSegment {
    const s: SentSegment = {
      num: this.#nextNum++,
      start,
      end,
      flags,
      sentAt: now,
      retransmits: 0,
      sacked: false,
      lost: false,
      inPipe: true,
      snap,
      tprev: undefined,
      tnext: undefined,
      linked: false,
    };
    this.#link(s);
    this.#segs.push(s);
    this.pipe += end - start;
    return s;
  }

  /** Record a retransmission of `s`. */
  retransmitted(s: SentSegment, now: number, snap: PacketSnapshot): void {
    if (s.lost && !s.inPipe) this.lostPending -= s.end - s.start;
    if (!s.inPipe) this.pipe += s.end - s.start;
    s.inPipe = true;
    s.sentAt = now;
    s.retransmits++;
    s.snap = snap;
    this.#unlink(s);
    this.#link(s);
  }

  #tHead: SentSegment | undefined;
  #tTail: SentSegment | undefined;

  /** Append to the transmission-time list. */
  #link(s: SentSegment): void {
    s.tprev = this.#tTail;
    s.tnext = undefined;
    if (this.#tTail) this.#tTail.tnext = s;
    else this.#tHead = s;
    this.#tTail = s;
    s.linked = true;
  }

  #unlink(s: SentSegment): void {
    if (!s.linked) return;
    if (s.tprev) s.tprev.tnext = s.tnext;
    else this.#tHead = s.tnext;
    if (s.tnext) s.tnext.tprev = s.tprev;
    else this.#tTail = s.tprev;
    s.tprev = s.tnext = undefined;
    s.linked = false;
  }

  /**
   * RACK loss detection (RFC 8985 §6.2): every segment in flight sent before
   * `deliveredSentAt − reorderWindow` is lost. `deliveredSentAt` is the latest
   * transmission time among the segments this ACK delivered.
   */
  rackDetect(deliveredSentAt: number, reorderWindow: number, lost: (s: SentSegment) => void): void {
    const limit = deliveredSentAt - reorderWindow;
    let s = this.#tHead;
    while (s !== undefined && s.sentAt < limit) {
      const next = s.tnext;
      if (!s.sacked) {
        if (!s.lost) this.#markLost(s, lost);
        else if (s.inPipe) {
          // A lost retransmission: it must go again.
          const n = s.end - s.start;
          this.pipe -= n;
          s.inPipe = false;
          this.lostPending += n;
          lost(s);
          if (this.#rtxScan > s.num) this.#rtxScan = s.num;
        }
      }
      this.#unlink(s);
      s = next;
    }
  }

  /** Remove segments fully below `ack`, calling `acked` for each (oldest first). */
  ackTo(ack: number, acked: (s: SentSegment) => void): void {
    const segs = this.#segs;
    while (this.#head < segs.length) {
      const s = segs[this.#head]!;
      if (s.end > ack) break;
      this.#forget(s);
      acked(s);
      segs[this.#head] = undefined as unknown as SentSegment;
      this.#head++;
      this.#base++;
    }
    if (this.#head > 256 && this.#head * 2 > segs.length) {
      dropFront(segs, this.#head);
      this.#head = 0;
    }
    while (this.#sackedHead < this.#sacked.length && this.#sacked[this.#sackedHead]! < this.#base) {
      this.#sackedHead++;
    }
    if (this.#sackedHead > 256 && this.#sackedHead * 2 > this.#sacked.length) {
      dropFront(this.#sacked, this.#sackedHead);
      this.#sackedHead = 0;
    }
    if (this.#lostScan < this.#base) this.#lostScan = this.#base;
    if (this.#rtxScan < this.#base) this.#rtxScan = this.#base;
  }

  #forget(s: SentSegment): void {
    this.#unlink(s);
    const n = s.end - s.start;
    if (s.inPipe) this.pipe -= n;
    if (s.sacked) this.sackedBytes -= n;
    // A lost segment that was SACKed later left lostPending when it was SACKed.
    else if (s.lost && !s.inPipe) this.lostPending -= n;
  }

  /** Mark whole segments inside SACK block [left, right) as SACKed, calling `sacked` for each newly marked. */
  sack(left: number, right: number, sacked: (s: SentSegment) => void): void {
    const segs = this.#segs;
    let lo = this.#head, hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.start < left) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < segs.length; i++) {
      const s = segs[i]!;
      if (s.end > right) break;
      if (s.sacked) continue;
      s.sacked = true;
      const n = s.end - s.start;
      this.sackedBytes += n;
      if (s.inPipe) this.pipe -= n;
      else if (s.lost) this.lostPending -= n;
      s.inPipe = false;
      this.#unlink(s);
      this.#insertSacked(s.num);
      sacked(s);
    }
  }

  #insertSacked(num: number): void {
    const a = this.#sacked;
    let i = a.length;
    if (i === this.#sackedHead || a[i - 1]! < num) {
      a.push(num);
      return;
    }
    while (i > this.#sackedHead && a[i - 1]! > num) i--;
    a.splice(i, 0, num);
  }

  /** Number of SACKed segments outstanding. */
  get sackedCount(): number {
    return this.#sacked.length - this.#sackedHead;
  }

  /**
   * RFC 6675 loss marking: every unSACKed segment below the DupThresh-th
   * highest SACKed one is lost. Calls `lost` for each newly marked segment.
   */
  detectLosses(dupThresh: number, lost: (s: SentSegment) => void): void {
    const k = this.sackedCount;
    if (k < dupThresh) return;
    const boundary = this.#sacked[this.#sacked.length - dupThresh]!;
    for (let num = Math.max(this.#lostScan, this.#base); num < boundary; num++) {
      const s = this.#segs[this.#head + (num - this.#base)]!;
      if (!s.sacked && !s.lost) this.#markLost(s, lost);
    }
    if (boundary > this.#lostScan) this.#lostScan = boundary;
  }

  /** Mark one segment lost (the oldest, on a third duplicate ACK without SACK). */
  markLost(s: SentSegment, lost: (s: SentSegment) => void): void {
    if (!s.sacked && !s.lost) this.#markLost(s, lost);
    if (this.#rtxScan > s.num) this.#rtxScan = s.num;
  }

  #markLost(s: SentSegment, lost: (s: SentSegment) => void): void {
    this.#unlink(s);
    if (this.#rtxScan > s.num) this.#rtxScan = s.num;
    s.lost = true;
    const n = s.end - s.start;
    if (s.inPipe) this.pipe -= n;
    s.inPipe = false;
    this.lostPending += n;
    lost(s);
  }

  /** RTO: every outstanding unSACKed segment is lost; retransmission restarts from the oldest. */
  markAllLost(lost: (s: SentSegment) => void): void {
    for (let i = this.#head; i < this.#segs.length; i++) {
      const s = this.#segs[i]!;
      if (s.sacked) continue;
      if (!s.lost) this.#markLost(s, lost);
      else if (s.inPipe) {
        // A lost segment already retransmitted: that retransmission is lost too.
        this.pipe -= s.end - s.start;
        s.inPipe = false;
        this.lostPending += s.end - s.start;
      }
    }
    this.#lostScan = this.#nextNum;
    this.#rtxScan = this.#base;
  }

  /** The next lost segment not yet retransmitted (RFC 6675 NextSeg rule 1), or undefined. */
  nextRetransmit(): SentSegment | undefined {
    if (this.lostPending <= 0) return undefined;
    const segs = this.#segs;
    let num = Math.max(this.#rtxScan, this.#base);
    while (num < this.#nextNum) {
      const s = segs[this.#head + (num - this.#base)]!;
      if (s.lost && !s.inPipe && !s.sacked) {
        this.#rtxScan = num;
        return s;
      }
      num++;
    }
    this.#rtxScan = num;
    return undefined;
  }

  /** Every outstanding segment (oldest first), for inspection and tests. */
  segments(): SentSegment[] {
    return this.#segs.slice(this.#head);
  }
}
