/**
 * Pieces both ends of a TFTP transfer share: the retransmission timer that
 * waits for the answer to the last packet sent (RFC 1350 §2: "If a packet gets
 * lost in the network, the intended recipient will timeout and may retransmit
 * his last packet"), the DATA payloads of a file, and the reading of a node's
 * in-memory files.
 *
 * Each implementation has its own schedule of waits, given as a list: the
 * packet is sent, the first wait runs; when it expires with no answer the
 * packet is sent again and the next wait runs; when the last wait expires the
 * transfer gives up. tftpd-hpa's doubling timeouts, the tftp-hpa client's fixed
 * five seconds and PXELINUX's table of BIOS timer ticks are all such lists.
 *
 * @module
 */
import type { Simulator, Timer } from "../../sim/simulator.ts";
import { blockNumber, dataPacketCount } from "./message.ts";

/** Virtual nanoseconds in a second. */
export const SECOND = 1_000_000_000;

/** A node's in-memory file system, as `Node.files` holds it. */
export type FileMap = Map<string, Uint8Array | (() => Uint8Array)>;

/** The bytes of a file, or undefined when there is no such file. */
export function readFile(files: FileMap, path: string): Uint8Array | undefined {
  const f = files.get(path);
  return typeof f === "function" ? f() : f;
}

/** Whether `path` names a directory: some file lives below it. O(files). */
export function isDirectory(files: FileMap, path: string): boolean {
  const prefix = path.endsWith("/") ? path : path + "/";
  for (const k of files.keys()) if (k.startsWith(prefix)) return true;
  return false;
}

/**
 * The payload of the `index`-th DATA packet (1-based) of `data` in blocks of
 * `blksize`: the last one is shorter than `blksize`, empty when the size is a
 * multiple of it. A view, not a copy.
 */
export function blockPayload(data: Uint8Array, blksize: number, index: number): Uint8Array {
  const start = (index - 1) * blksize;
  return data.subarray(start, Math.min(start + blksize, data.length));
}

/**
 * The DATA packets of one file, encoded into a single buffer as they are
 * first sent: packet i (1-based) is a view of it, the same bytes again for a
 * retransmission. One allocation per transfer instead of one per packet (a
 * fresh small typed array costs far more than a view); the buffer holds the
 * file once more, plus 4 bytes per packet.
 */
export class DataPackets {
  #data: Uint8Array;
  #blksize: number;
  #rollover: 0 | 1;
  #buf: Uint8Array;

  /** The packets of `data` in blocks of `blksize`, numbers wrapping to `rollover`. */
  constructor(data: Uint8Array, blksize: number, rollover: 0 | 1 = 0) {
    this.#data = data;
    this.#blksize = blksize;
    this.#rollover = rollover;
    this.#buf = new Uint8Array(data.length + 4 * dataPacketCount(data.length, blksize));
  }

  /** The encoded DATA packet `index` (1-based), as the codec would encode it. */
  packet(index: number): Uint8Array {
    const at = (index - 1) * (this.#blksize + 4);
    const payload = blockPayload(this.#data, this.#blksize, index);
    const out = this.#buf.subarray(at, at + 4 + payload.length);
    if (out[1] !== 3) {
      // Not encoded yet (the buffer starts zeroed): opcode 3 is DATA (RFC 1350 §5).
      const block = blockNumber(index, this.#rollover);
      out[1] = 3;
      out[2] = block >> 8;
      out[3] = block & 255;
      out.set(payload, 4);
    }
    return out;
  }
}

/** How a sender walks through the blocks of a file: index, wire block number, last. */
export class BlockCursor {
  /** 1-based index of the current block within the file. */
  index = 1;
  /** DATA packets the file takes. */
  readonly count: number;

  /** A cursor at the first block of `size` bytes in blocks of `blksize`. */
  constructor(size: number, readonly blksize: number, readonly rollover: 0 | 1 = 0) {
    this.count = dataPacketCount(size, blksize);
  }

  /** The block number on the wire (16 bits, wrapping to `rollover`). */
  get block(): number {
    return blockNumber(this.index, this.rollover);
  }

  /** Whether the current block is the last one. */
  get last(): boolean {
    return this.index >= this.count;
  }
}

/**
 * Waits for the answer to the last packet sent and retransmits it on timeout,
 * following a schedule of waits; calls `onGiveUp` when the last wait expires.
 *
 * Restarting does not cancel and re-insert a simulator event: the pending
 * event, when it fires early, re-arms itself for the current deadline. A
 * transfer of n blocks thus leaves O(1) events in the queue instead of O(n)
 * cancelled ones.
 */
export class RetryTimer {
  #sim: Simulator;
  #waits: readonly number[];
  #onRetransmit: () => void;
  #onGiveUp: () => void;
  #timer: Timer | undefined;
  #index = 0;
  #deadline = 0;
  #running = false;
  #fire = () => this.#wake();
  /** Retransmissions made so far. */
  retransmissions = 0;

  /** A stopped timer; `start()` it after sending a packet. */
  constructor(
    sim: Simulator,
    waits: readonly number[],
    onRetransmit: () => void,
    onGiveUp: () => void,
  ) {
    if (waits.length === 0) throw new RangeError("RetryTimer: empty schedule");
    this.#sim = sim;
    this.#waits = waits;
    this.#onRetransmit = onRetransmit;
    this.#onGiveUp = onGiveUp;
  }

  /** A new packet was sent: run the first wait of `waits` (or of the schedule given before). */
  start(waits?: readonly number[]): void {
    if (waits !== undefined) {
      if (waits.length === 0) throw new RangeError("RetryTimer: empty schedule");
      this.#waits = waits;
    }
    this.#index = 0;
    this.#arm();
  }

  /** Run the current wait again from its full length (a restarted `alarm()`). */
  restart(): void {
    this.#arm();
  }

  /** Retransmit now and run the current wait again, without stepping the schedule. */
  resendNow(): void {
    this.retransmissions++;
    this.#onRetransmit();
    this.#arm();
  }

  /** Stop waiting. */
  stop(): void {
    this.#running = false;
  }

  /** Virtual time at which the current wait expires (valid while running). */
  get deadline(): number {
    return this.#deadline;
  }

  /** Whether a wait is running. */
  get running(): boolean {
    return this.#running;
  }

  #arm(): void {
    this.#deadline = this.#sim.now + this.#waits[this.#index]!;
    this.#running = true;
    const t = this.#timer;
    if (t !== undefined && t.pending) {
      if (t.at <= this.#deadline) return; // it will re-arm itself when it fires
      t.cancel();
    }
    this.#timer = this.#sim.at(this.#deadline, this.#fire);
  }

  #wake(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    if (this.#sim.now < this.#deadline) {
      this.#timer = this.#sim.at(this.#deadline, this.#fire);
      return;
    }
    this.#index++;
    if (this.#index >= this.#waits.length) {
      this.#running = false;
      this.#onGiveUp();
      return;
    }
    this.retransmissions++;
    this.#onRetransmit();
    this.#arm();
  }
}

/**
 * A path inside a root directory as a chroot()ed server resolves it: relative
 * to the root, `.` and `..` taken apart, `..` at the top staying at the top.
 */
export function chrootPath(root: string, filename: string): string {
  const parts: string[] = [];
  for (const p of filename.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  const base = root.endsWith("/") ? root.slice(0, -1) : root;
  return `${base}/${parts.join("/")}`;
}
