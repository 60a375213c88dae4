/**
 * TCP's byte buffers, in absolute sequence offsets (a 64-bit-safe count from
 * the connection's initial sequence number, so wraparound never shows here).
 *
 * - `SendBuffer`: what the application wrote and the peer has not yet
 *   acknowledged, as chunks of real bytes or virtual sizes; slices for
 *   (re)transmission, trimmed as ACKs arrive.
 * - `ReceiveBuffer`: in-order data waiting for the application, and the
 *   out-of-order intervals held for reassembly, with the SACK blocks to report
 *   (RFC 2018 §4: the block holding the most recent segment first, then the
 *   most recently reported others).
 *
 * Costs: append O(1); slice O(chunks touched); acknowledge O(chunks freed);
 * out-of-order insert O(intervals) (a handful in practice).
 *
 * @module
 */
import type { Payload } from "../../wire/packet.ts";

/**
 * Remove the first `n` items of `a` in place. The queues here drop their
 * consumed front this way instead of replacing the array, so the array a
 * field holds never changes (code compiled against it stays valid).
 */
export function dropFront<T>(a: T[], n: number): void {
  a.copyWithin(0, n);
  a.length -= n;
}

interface Chunk {
  start: number;
  data: Payload;
}

function len(p: Payload): number {
  return typeof p === "number" ? p : p.length;
}

/** Bytes written by the application and not yet acknowledged. */
export class SendBuffer {
  readonly #chunks: Chunk[] = [];
  #head = 0;
  /** Absolute offset of the first byte held. */
  start: number;
  /** Absolute offset just past the last byte written. */
  end: number;

  /** An empty buffer whose first byte will be at `start`. */
  constructor(start: number) {
    this.start = start;
    this.end = start;
  }

  /** Bytes held. */
  get size(): number {
    return this.end - this.start;
  }

  /** Append application data (virtual bytes after virtual bytes extend the last chunk). */
  append(data: Payload): void {
    const n = len(data);
    if (n === 0) return;
    const last = this.#chunks.length > this.#head
      ? this.#chunks[this.#chunks.length - 1]!
      : undefined;
    if (typeof data === "number" && last !== undefined && typeof last.data === "number") {
      last.data += data;
    } else {
      this.#chunks.push({ start: this.end, data });
    }
    this.end += n;
  }

  /** The payload of [from, to): virtual when every byte is virtual, else real bytes (zeros for virtual parts). */
  slice(from: number, to: number): Payload {
    const n = to - from;
    if (n <= 0) return 0;
    let allVirtual = true;
    let i = this.#find(from);
    for (let k = i; k < this.#chunks.length; k++) {
      const c = this.#chunks[k]!;
      if (c.start >= to) break;
      if (typeof c.data !== "number") {
        allVirtual = false;
        break;
      }
    }
    if (allVirtual) return n;
    const out = new Uint8Array(n);
    for (; i < this.#chunks.length; i++) {
      const c = this.#chunks[i]!;
      if (c.start >= to) break;
      const cEnd = c.start + len(c.data);
      const a = Math.max(from, c.start), b = Math.min(to, cEnd);
      if (b <= a) continue;
      if (typeof c.data !== "number") out.set(c.data.subarray(a - c.start, b - c.start), a - from);
    }
    return out;
  }

  /** Drop everything before `upTo` (acknowledged). */
  acknowledge(upTo: number): void {
    if (upTo <= this.start) return;
    this.start = Math.min(upTo, this.end);
    while (this.#head < this.#chunks.length) {
      const c = this.#chunks[this.#head]!;
      if (c.start + len(c.data) > this.start) break;
      this.#head++;
    }
    if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      dropFront(this.#chunks, this.#head);
      this.#head = 0;
    }
  }

  /** Index of the chunk holding `off` (binary search). */
  #find(off: number): number {
    let lo = this.#head, hi = this.#chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#chunks[mid]!.start <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** An out-of-order interval held for reassembly. */
interface Interval {
  start: number;
  end: number;
  parts: Chunk[];
  /** Whether `parts` is in ascending start order (it almost always is: data arrives in order). */
  sorted: boolean;
}

/** Received data: in order for the application, out of order for reassembly. */
export class ReceiveBuffer {
  /** Next byte expected (RCV.NXT as an absolute offset). */
  next: number;
  /** In-order chunks not yet read by the application. */
  ready: Payload[] = [];
  /** Bytes in `ready`. */
  readyBytes = 0;
  /** Total bytes delivered in order so far. */
  delivered = 0;
  #ooo: Interval[] = [];
  /** Bytes in `#ooo`, counted again whenever it changes. */
  #oooBytes = 0;
  /** SACK blocks, most recent first. */
  #recent: Array<[number, number]> = [];

  /** A buffer expecting `next` first. */
  constructor(next: number) {
    this.next = next;
  }

  /** Bytes held out of order. */
  get outOfOrderBytes(): number {
    return this.#oooBytes;
  }

  #countOutOfOrder(): void {
    let n = 0;
    const list = this.#ooo;
    for (let i = 0; i < list.length; i++) n += list[i]!.end - list[i]!.start;
    this.#oooBytes = n;
  }

  /** Keep the SACK blocks for which `keep(start, end)` holds, in order, in place. */
  #keepRecent(keep: (s: number, e: number) => boolean): void {
    const r = this.#recent;
    let k = 0;
    for (let j = 0; j < r.length; j++) {
      const b = r[j]!;
      if (keep(b[0], b[1])) r[k++] = b;
    }
    r.length = k;
  }

  /** Whether any out-of-order data is held. */
  get hasHoles(): boolean {
    return this.#ooo.length > 0;
  }

  /**
   * Add a segment's data at absolute offset `start`. Returns how many bytes
   * became in order (0 for a pure out-of-order or duplicate segment).
   */
  add(start: number, data: Payload): number {
    const n = len(data);
    const end = start + n;
    if (end <= this.next || n === 0) return 0;
    if (start < this.next) {
      data = typeof data === "number" ? end - this.next : data.subarray(this.next - start);
      start = this.next;
    }
    if (start > this.next) {
      this.#insert(start, end, data);
      return 0;
    }
    // In order: deliver, then pull whatever out-of-order data now follows.
    const before = this.next;
    this.#deliver(start, data);
    if (this.#ooo.length > 0 && this.#ooo[0]!.start <= this.next) this.#pull();
    if (this.#recent.length > 0) {
      const next = this.next;
      this.#keepRecent((_s, e) => e > next);
    }
    return this.next - before;
  }

  /** Deliver the out-of-order intervals that now follow the in-order data. */
  #pull(): void {
    while (this.#ooo.length > 0 && this.#ooo[0]!.start <= this.next) {
      const iv = this.#ooo.shift()!;
      if (!iv.sorted) iv.parts.sort((a, b) => a.start - b.start);
      for (const p of iv.parts) {
        const pEnd = p.start + len(p.data);
        if (pEnd <= this.next) continue;
        const d = p.start < this.next
          ? (typeof p.data === "number" ? pEnd - this.next : p.data.subarray(this.next - p.start))
          : p.data;
        this.#deliver(Math.max(p.start, this.next), d);
      }
    }
    this.#countOutOfOrder();
  }

  #deliver(_start: number, data: Payload): void {
    const n = len(data);
    this.ready.push(data);
    this.readyBytes += n;
    this.next += n;
    this.delivered += n;
  }

  #insert(start: number, end: number, data: Payload): void {
    const list = this.#ooo;
    // New data usually extends the last interval: search from the end.
    let i = list.length;
    while (i > 0 && list[i - 1]!.end >= start) i--;
    let iv: Interval;
    if (i < list.length && list[i]!.start <= end) {
      iv = list[i]!;
      iv.start = Math.min(iv.start, start);
      iv.end = Math.max(iv.end, end);
      const last = iv.parts[iv.parts.length - 1];
      if (last !== undefined && start < last.start) iv.sorted = false;
      iv.parts.push({ start, data });
      // Merge with following intervals it now touches.
      while (i + 1 < list.length && list[i + 1]!.start <= iv.end) {
        const nx = list.splice(i + 1, 1)[0]!;
        iv.end = Math.max(iv.end, nx.end);
        for (const p of nx.parts) iv.parts.push(p);
        iv.sorted = false;
      }
    } else {
      iv = { start, end, parts: [{ start, data }], sorted: true };
      list.splice(i, 0, iv);
    }
    this.#countOutOfOrder();
    // RFC 2018: the block containing the newest segment goes first.
    const ivStart = iv.start, ivEnd = iv.end;
    this.#keepRecent((s, e) => e < ivStart || s > ivEnd);
    this.#recent.unshift([ivStart, ivEnd]);
  }

  /** Up to `max` SACK blocks as absolute [start, end) pairs, most recent first. */
  sackBlocks(max: number): Array<[number, number]> {
    const blocks: Array<[number, number]> = [];
    const recent = this.#recent;
    const list = this.#ooo;
    for (let j = 0; j < recent.length; j++) {
      const s = recent[j]![0], e = recent[j]![1];
      // Report the current extent of the interval holding this block.
      let iv: Interval | undefined;
      for (let k = 0; k < list.length; k++) {
        const x = list[k]!;
        if (x.start <= s && x.end >= e) {
          iv = x;
          break;
        }
      }
      if (iv === undefined || blocks.some((b) => b[0] === iv.start)) continue;
      blocks.push([iv.start, iv.end]);
      if (blocks.length >= max) break;
    }
    return blocks;
  }

  /** Take the in-order data when it is exactly one chunk (as `read()` would); else undefined. */
  readSingle(): Payload | undefined {
    if (this.ready.length !== 1) return undefined;
    this.readyBytes = 0;
    return this.ready.pop();
  }

  /** Take up to `max` bytes of in-order data (whole chunks when they fit). */
  read(max = Infinity): Payload[] {
    if (max >= this.readyBytes) {
      // Everything: hand over the list itself.
      const all = this.ready;
      this.ready = [];
      this.readyBytes = 0;
      return all;
    }
    const out: Payload[] = [];
    let left = max;
    while (this.ready.length > 0 && left > 0) {
      const c = this.ready[0]!;
      const n = len(c);
      if (n <= left) {
        out.push(c);
        this.ready.shift();
        this.readyBytes -= n;
        left -= n;
      } else {
        out.push(typeof c === "number" ? left : c.subarray(0, left));
        this.ready[0] = typeof c === "number" ? n - left : c.subarray(left);
        this.readyBytes -= left;
        left = 0;
      }
    }
    return out;
  }
}
