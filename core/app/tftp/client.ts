/**
 * A TFTP client transfer (RFC 1350, options of RFC 2347–2349): a read request
 * from an ephemeral port to port 69, then DATA/ACK lockstep with whatever port
 * the server answers from (its transfer ID); or a write request and DATA sent
 * the other way. The last DATA, shorter than the block size, ends the
 * transfer; an empty one does when the size is a multiple of it.
 *
 * How the client waits, retransmits and checks where packets come from
 * differs between implementations, so it takes a profile:
 * {@link TFTP_HPA_CLIENT} is tftp-hpa 5.2's `tftp` (five-second timer restarted
 * by every packet, up to 25 s for one packet; a duplicate of the previous DATA
 * re-ACKed; the source of replies not checked, the port of the latest one
 * followed; an ACK of the current block sent after an ERROR). PXE firmware and
 * PXELINUX have their own profiles in core/app/pxe.
 *
 * A receiver answers a repeated DATA with its ACK again, and a sender never
 * answers a repeated ACK with DATA (RFC 1123 §4.2.3.1, the Sorcerer's
 * Apprentice rule); a lost packet is recovered by the timeout of whichever
 * side sent the last one. Block numbers wrap from 65535 to 0, as tftp-hpa,
 * PXELINUX and tftpd-hpa count.
 *
 * Simplified: one transfer per socket, no windowsize (RFC 7440), no
 * multicast TFTP.
 *
 * @module
 */
import type { NetNs } from "../../node/netns.ts";
import type { Datagram, UdpSocket } from "../../transport/udp.ts";
import type { Ip4 } from "../../wire/packet.ts";
import { WireError } from "../../wire/errors.ts";
import { concatBytes } from "../http/message.ts";
import {
  decodeTftp,
  encodeTftp,
  fromNetascii,
  nextBlock,
  TFTP_DEFAULT_BLKSIZE,
  type TftpMessage,
  type TftpOption,
  tftpOptionValues,
  toNetascii,
} from "./message.ts";
import { BlockCursor, blockPayload, DataPackets, RetryTimer, SECOND } from "./lockstep.ts";

/** How one client implementation waits, retransmits and filters replies. */
export interface TftpClientProfile {
  /** Implementation name, for logs. */
  readonly name: string;
  /** Waits (ns) after sending the request: retransmit after each but the last, give up after it. */
  readonly requestWaits: readonly number[];
  /** Waits (ns) after each ACK (reading) or DATA (writing), likewise. */
  readonly blockWaits: readonly number[];
  /** Any packet received restarts the current wait (an `alarm()` re-armed in the receive loop). */
  readonly restartOnAnyPacket: boolean;
  /** Which unexpected DATA blocks are answered with the last ACK again. */
  readonly reAck: "previous" | "any";
  /**
   * Replies must come from the server's address, and after the first reply
   * from its port (PXELINUX); otherwise the source is not checked and the
   * port of the latest packet is followed (tftp-hpa).
   */
  readonly strictPeer: boolean;
  /** After an ERROR on a read, send an ACK of the expected block (tftp-hpa's abort path). */
  readonly ackAfterError: boolean;
}

/** tftp-hpa 5.2's client: rexmt 5 s, max timeout 25 s (main.c's TIMEOUT and maxtimeout). */
export const TFTP_HPA_CLIENT: TftpClientProfile = {
  name: "tftp-hpa",
  requestWaits: [5, 5, 5, 5, 5].map((s) => s * SECOND),
  blockWaits: [5, 5, 5, 5, 5].map((s) => s * SECOND),
  restartOnAnyPacket: true,
  reAck: "previous",
  strictPeer: false,
  ackAfterError: true,
};

/** What to transfer and how. */
export interface TftpTransferRequest {
  /** The server's address. */
  server: Ip4;
  /** The server's request port (default 69). */
  port?: number;
  /** Read (get, default) or write (put). */
  op?: "RRQ" | "WRQ";
  /** The remote file name. */
  filename: string;
  /** Transfer mode (default octet). */
  mode?: "octet" | "netascii";
  /** Options to send with the request (RFC 2347). */
  options?: TftpOption[];
  /** The file to send, for a write. */
  data?: Uint8Array;
  /** Local port; 0 or absent for an ephemeral one. */
  localPort?: number;
  /** The implementation to behave as (default tftp-hpa). */
  profile?: TftpClientProfile;
  /** Judge an OACK: undefined to go on, or the ERROR to send before giving up. */
  onOack?: (options: TftpOption[]) => { code: number; message: string } | undefined;
  /** Called once when the transfer ends. */
  onDone?: (r: TftpResult) => void;
}

/** How a client transfer ended (or that it runs). */
export type TftpClientState = "running" | "complete" | "error" | "timeout" | "aborted";

/** What a client transfer did. */
export interface TftpResult {
  /** Where it stands. */
  state: TftpClientState;
  /** The file as received, local form (netascii translated back); for a write, what was sent. */
  data: Uint8Array;
  /** Bytes of file data carried by DATA packets (wire form). */
  wireBytes: number;
  /** DATA packets accepted in order (read) or acknowledged (write). */
  blocks: number;
  /** Block size used. */
  blksize: number;
  /** The OACK received, if any. */
  oack: TftpOption[] | undefined;
  /** The transfer size the server announced (tsize), if any. */
  tsize: number | undefined;
  /** The ERROR received (received: true) or sent (false). */
  error: { code: number; message: string; received: boolean } | undefined;
  /** The server's transfer ID (0 until it answered). */
  serverPort: number;
  /** This side's port. */
  localPort: number;
  /** Packets sent, retransmissions included. */
  sent: number;
  /** Packets sent again on timeout. */
  retransmissions: number;
  /** Repeated DATA (read) or ACKs (write) received and not acted upon with new data. */
  duplicates: number;
  /** Packets ignored for coming from the wrong address or port. */
  strays: number;
  /** Virtual time the request was sent, ns. */
  startedAt: number;
  /** Virtual time it ended, ns. */
  endedAt: number | undefined;
}

/**
 * The bytes of ACK `block`: views of one shared buffer holding all 65536 ACKs,
 * each encoded the first time it is needed. Packets are never mutated once
 * sent, and a long transfer sends tens of thousands of ACKs; a view costs far
 * less than a fresh small array.
 */
const ACKS = new Uint8Array(65536 * 4);
function ackBytes(block: number): Uint8Array {
  const out = ACKS.subarray(block * 4, block * 4 + 4);
  if (out[1] !== 4) {
    // RFC 1350 §5: opcode 4, then the block number, both 16 bits big-endian.
    out[1] = 4;
    out[2] = block >> 8;
    out[3] = block & 255;
  }
  return out;
}

/** One transfer by a client. */
export class TftpClientTransfer {
  /** What it did so far. */
  readonly result: TftpResult;
  #ns: NetNs;
  #req: Required<Omit<TftpTransferRequest, "onOack" | "onDone" | "data" | "localPort">> & {
    data: Uint8Array | undefined;
  };
  #onOack: TftpTransferRequest["onOack"];
  #onDone: TftpTransferRequest["onDone"];
  #sock: UdpSocket;
  #timer: RetryTimer;
  #last: TftpMessage;
  #answered = false;
  #peerPort: number;
  /** Reading: the block expected next. Writing: the block waited on. */
  #block = 1;
  #chunks: Uint8Array[] = [];
  #cursor: BlockCursor | undefined;
  #packets: DataPackets | undefined;
  #wire: Uint8Array | undefined;

  /**
   * Start a transfer at once: bind, send the request, run until it ends.
   * Throws when the local port cannot be bound.
   *
   * @example
   * ```ts ignore
   * const t = new TftpClientTransfer(client.root, { server: ip("192.168.56.1"), filename: "pxelinux.0" });
   * net.run();
   * console.log(t.result.state, t.result.data.length);
   * ```
   */
  constructor(ns: NetNs, req: TftpTransferRequest) {
    this.#ns = ns;
    this.#req = {
      server: req.server,
      port: req.port ?? 69,
      op: req.op ?? "RRQ",
      filename: req.filename,
      mode: req.mode ?? "octet",
      options: req.options ?? [],
      profile: req.profile ?? TFTP_HPA_CLIENT,
      data: req.data,
    };
    this.#onOack = req.onOack;
    this.#onDone = req.onDone;
    this.#peerPort = this.#req.port;
    const sock = ns.udp.socket();
    const e = sock.bind(0, req.localPort ?? 0);
    if (e) throw new Error(`tftp: bind: ${e}`);
    this.#sock = sock;
    this.result = {
      state: "running",
      data: new Uint8Array(0),
      wireBytes: 0,
      blocks: 0,
      blksize: TFTP_DEFAULT_BLKSIZE,
      oack: undefined,
      tsize: undefined,
      error: undefined,
      serverPort: 0,
      localPort: sock.localPort,
      sent: 0,
      retransmissions: 0,
      duplicates: 0,
      strays: 0,
      startedAt: ns.dev.sim.now,
      endedAt: undefined,
    };
    if (this.#req.op === "WRQ") {
      const raw = this.#req.data ?? new Uint8Array(0);
      this.#wire = this.#req.mode === "netascii" ? toNetascii(raw) : raw;
      this.result.data = raw;
    }
    sock.onMessage = (d) => {
      sock.recv();
      this.#receive(d);
    };
    this.#timer = new RetryTimer(ns.dev.sim, this.#req.profile.requestWaits, () => {
      this.result.retransmissions++;
      this.#send(this.#last);
    }, () => this.#end("timeout"));
    this.#last = {
      op: this.#req.op,
      filename: this.#req.filename,
      mode: this.#req.mode,
      options: this.#req.options,
    };
    this.#send(this.#last);
    this.#timer.start();
  }

  /** Whether the transfer has ended. */
  get done(): boolean {
    return this.result.state !== "running";
  }

  /** Abandon the transfer (the program was killed): close the socket, send nothing. */
  cancel(): void {
    this.#end("aborted");
  }

  #send(m: TftpMessage): void {
    this.result.sent++;
    this.#sock.sendTo(
      m.op === "ACK" ? ackBytes(m.block) : encodeTftp(m),
      this.#req.server,
      this.#peerPort,
    );
  }

  /** Send a new packet and start waiting for its answer with the block schedule. */
  #step(m: TftpMessage): void {
    this.#last = m;
    this.#send(m);
    this.#timer.start(this.#req.profile.blockWaits);
  }

  #end(state: TftpClientState): void {
    if (this.result.state !== "running") return;
    this.#timer.stop();
    this.result.state = state;
    this.result.endedAt = this.#ns.dev.sim.now;
    if (this.#req.op === "RRQ") {
      const wire = concatBytes(this.#chunks);
      this.result.data = this.#req.mode === "netascii" ? fromNetascii(wire) : wire;
    }
    this.#sock.close();
    this.#onDone?.(this.result);
  }

  #receive(d: Datagram): void {
    const p = this.#req.profile;
    if (p.strictPeer) {
      const fromServer = d.from === this.#req.server;
      if (!fromServer || (this.#answered && d.fromPort !== this.result.serverPort)) {
        this.result.strays++;
        return;
      }
    }
    if (p.restartOnAnyPacket) this.#timer.restart();
    let m: TftpMessage;
    try {
      m = decodeTftp(d.data instanceof Uint8Array ? d.data : new Uint8Array(d.data));
    } catch (e) {
      if (e instanceof WireError) return;
      throw e;
    }
    if (!p.strictPeer || !this.#answered) {
      // tftp-hpa takes the port of whatever answered last; PXELINUX connects to the first reply.
      this.#peerPort = d.fromPort;
      this.result.serverPort = d.fromPort;
    }
    if (m.op === "ERROR") {
      this.#answered = true;
      this.result.error = { code: m.code, message: m.message, received: true };
      if (this.#req.op === "RRQ" && p.ackAfterError) this.#send({ op: "ACK", block: this.#block });
      this.#end("error");
      return;
    }
    if (this.#req.op === "RRQ") this.#receiveRead(m);
    else this.#receiveWrite(m);
  }

  /** The first reply may carry the negotiated options. */
  #oack(m: { options: TftpOption[] }): boolean {
    this.result.oack = m.options;
    const verdict = this.#onOack?.(m.options);
    if (verdict) {
      this.result.error = { ...verdict, received: false };
      this.#send({ op: "ERROR", code: verdict.code, message: verdict.message });
      this.#end("aborted");
      return false;
    }
    const v = tftpOptionValues(m.options);
    if (v.blksize !== undefined) this.result.blksize = v.blksize;
    if (v.tsize !== undefined) this.result.tsize = v.tsize;
    return true;
  }

  #receiveRead(m: TftpMessage): void {
    if (!this.#answered) {
      if (m.op === "OACK" && this.#req.options.length > 0) {
        this.#answered = true;
        if (!this.#oack(m)) return;
        this.#block = 1;
        this.#step({ op: "ACK", block: 0 });
        return;
      }
      if (m.op !== "DATA" || m.block !== 1) return;
      this.#answered = true;
    }
    if (m.op !== "DATA") return;
    if (m.block !== this.#block) {
      this.result.duplicates++;
      const previous = (this.#block - 1) & 0xffff;
      if (this.#req.profile.reAck === "any" || m.block === previous) {
        if (this.#last.op === "ACK") {
          this.result.retransmissions++;
          this.#send(this.#last);
          if (this.#req.profile.restartOnAnyPacket) this.#timer.restart();
        }
      }
      return;
    }
    this.#chunks.push(m.data);
    this.result.blocks++;
    this.result.wireBytes += m.data.length;
    const ack: TftpMessage = { op: "ACK", block: m.block };
    if (m.data.length < this.result.blksize) {
      this.#last = ack;
      this.#send(ack);
      this.#end("complete");
      return;
    }
    this.#block = nextBlock(this.#block);
    this.#step(ack);
  }

  #receiveWrite(m: TftpMessage): void {
    const wire = this.#wire!;
    if (!this.#answered) {
      if (m.op === "OACK" && this.#req.options.length > 0) {
        this.#answered = true;
        if (!this.#oack(m)) return;
      } else if (m.op === "ACK" && m.block === 0) this.#answered = true;
      else return;
      this.#cursor = new BlockCursor(wire.length, this.result.blksize);
      this.#packets = new DataPackets(wire, this.result.blksize);
      this.#sendBlock();
      return;
    }
    if (m.op !== "ACK") return;
    const c = this.#cursor!;
    if (m.block !== c.block) {
      this.result.duplicates++; // RFC 1123: no DATA in answer to a wrong ACK
      return;
    }
    this.result.blocks++;
    this.result.wireBytes += blockPayload(wire, c.blksize, c.index).length;
    if (c.last) {
      this.#end("complete");
      return;
    }
    c.index++;
    this.#sendBlock();
  }

  #sendBlock(): void {
    const c = this.#cursor!;
    // Kept for a retransmission; the first copy goes out of the transfer's one buffer.
    this.#last = {
      op: "DATA",
      block: c.block,
      data: blockPayload(this.#wire!, c.blksize, c.index),
    };
    this.result.sent++;
    this.#sock.sendTo(this.#packets!.packet(c.index), this.#req.server, this.#peerPort);
    this.#timer.start(this.#req.profile.blockWaits);
  }
}
