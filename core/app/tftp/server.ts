/**
 * A TFTP server (RFC 1350 with the option extension of RFC 2347, blksize of
 * RFC 2348, tsize and timeout of RFC 2349) serving a directory of a node's
 * in-memory files. It listens on UDP port 69; every request gets its own
 * socket on a fresh ephemeral port (the server's transfer ID), from which the
 * whole transfer runs in lockstep: one DATA block, its ACK, the next block.
 *
 * Two flavours follow two real servers:
 *
 * - `"tftpd-hpa"` (in.tftpd 5.2, Debian's tftpd-hpa): requests are checked as
 *   its `tftp()` and `validate_access()` do (modes netascii and octet, `-s`
 *   chroot semantics or absolute paths under the listed directories, errors
 *   "File not found", "Unknown mode", "Missing mode", "Request not
 *   null-terminated", "Unsupported option(s) requested"); options blksize,
 *   blksize2, tsize, timeout, utimeout and rollover are answered in an OACK in
 *   the order and spelling the client used. Retransmission doubles the wait
 *   from `-T` (1 s): resends at 1, 3, 7, 15 and 31 s, then the transfer ends
 *   silently at 63 s. A wrong or duplicate ACK is never answered with DATA (the
 *   Sorcerer's Apprentice rule, RFC 1123 §4.2.3.1). Block numbers roll over
 *   from 65535 to 0 (or to the `rollover` option's value). WRQ writes files
 *   (into existing ones, or new ones with `-c`), re-ACKs a duplicate DATA,
 *   and dallies one timeout after the final ACK. Its transfer socket is
 *   connect()ed, so a hard ICMP error about the client (port or host
 *   unreachable) ends the transfer at once, as recv() reports it
 *   ("tftpd: read(ack): Connection refused"). Stopping the daemon closes
 *   port 69 only: each transfer runs in a forked child that ignores SIGTERM.
 * - `"dnsmasq"` (dnsmasq 2.90's TFTP): read-only, paths below the TFTP root,
 *   its own error texts ("file … not found for …", "unsupported request from
 *   …", also for a DATA or ACK sent to port 69), options blksize (clamped to
 *   the interface MTU less 32) and tsize only, retransmission on whole-second
 *   boundaries 2, 2, 3, 3, 5 and 5 s apart, the transfer ended at the seventh
 *   deadline ("failed sending", or "sent" when only the OACK or the last,
 *   short block was unanswered), and an ERROR 5 "ignoring packet from … (TID
 *   mismatch)" to any packet that reaches a transfer's port from another
 *   address or port (RFC 1350 §4).
 *
 * Simplified: files have no owners or permission bits (every file is
 * world-readable and writable, so "Access denied" and "File must have global
 * read permissions" never happen); a directory exists when a file lives below
 * it; no `-m` remapping, tcp-wrappers or user switching; on Linux the kernel
 * answers a packet from another TID at tftpd-hpa's connect()ed socket with
 * ICMP port unreachable — packetlab's UDP sockets have no connect(), so the
 * model drops such a packet silently (the transfer is undisturbed either way).
 * dnsmasq's netascii expansion is modelled as a whole-file LF → CR LF
 * translation, and its wake-ups as exact second boundaries.
 *
 * @module
 */
import type { NetNs } from "../../node/netns.ts";
import type { Datagram, UdpSocket } from "../../transport/udp.ts";
import type { IcmpError } from "../../ip/ipv4.ts";
import type { Simulator } from "../../sim/simulator.ts";
import type { Ip4 } from "../../wire/packet.ts";
import { formatIp4 } from "../../wire/addr.ts";
import { WireError } from "../../wire/errors.ts";
import { concatBytes } from "../http/message.ts";
import {
  decodeTftp,
  encodeTftp,
  fromNetascii,
  TFTP_DEFAULT_BLKSIZE,
  TFTP_MAX_BLKSIZE,
  TftpErrorCode,
  tftpErrorMessage,
  type TftpMessage,
  type TftpOption,
  toNetascii,
} from "./message.ts";
import {
  BlockCursor,
  chrootPath,
  DataPackets,
  type FileMap,
  isDirectory,
  readFile,
  RetryTimer,
  SECOND,
} from "./lockstep.ts";

/** Which real server the model follows. */
export type TftpServerFlavour = "tftpd-hpa" | "dnsmasq";

/** How a server is set up (in.tftpd's command line, or dnsmasq's --tftp-* options). */
export interface TftpServerOptions {
  /** Which server to behave as (default "tftpd-hpa"). */
  flavour?: TftpServerFlavour;
  /**
   * Directories: with `secure`, the one root every filename is relative to;
   * without, the prefixes absolute filenames must start with (none: any).
   */
  dirs: string[];
  /** in.tftpd -s: chroot to the single directory (default true). */
  secure?: boolean;
  /** in.tftpd -c: a WRQ may create a new file. */
  create?: boolean;
  /** in.tftpd -B: the largest blksize granted (default 65464). */
  maxBlksize?: number;
  /** in.tftpd -T: the first retransmission timeout, ns (default 1 s). */
  rexmt?: number;
  /** in.tftpd -r: options to ignore, by name. */
  refuse?: string[];
  /** Listen on this address only (in.tftpd -a); 0 or absent: all. */
  address?: Ip4;
  /** Listening port (default 69). */
  port?: number;
  /** in.tftpd -R: transfer ports from this range instead of ephemeral ones. */
  portRange?: [number, number];
  /** in.tftpd -v (each adds one): what goes to the log. */
  verbosity?: number;
  /**
   * Where log lines go (syslog text, without the program prefix), with the
   * transfer they are about (tftpd-hpa logs those from the child it forks).
   */
  log?: (line: string, transfer: TftpServerTransfer | undefined) => void;
}

/** How a transfer ended, or that it still runs. */
export type TftpTransferState = "running" | "complete" | "error" | "timeout" | "aborted";

/** One request the server answered: what was asked, negotiated and sent. */
export interface TftpServerTransfer {
  /** Read or write request. */
  readonly op: "RRQ" | "WRQ";
  /** The client's address. */
  readonly client: Ip4;
  /** The client's port (its transfer ID). */
  readonly clientPort: number;
  /** The server's port for this transfer (its transfer ID); 0 when none was bound. */
  localPort: number;
  /** The file name as requested. */
  readonly filename: string;
  /** The file it maps to, when the request got that far. */
  path: string | undefined;
  /** Transfer mode, lower case. */
  mode: string;
  /** Block size in use. */
  blksize: number;
  /** The options acknowledged in an OACK, if one was sent. */
  oack: TftpOption[] | undefined;
  /** Bytes of file data on the wire (after netascii translation). */
  bytes: number;
  /** DATA packets in the file (RRQ) or received in order (WRQ). */
  blocks: number;
  /** DATA (RRQ) or ACK (WRQ) packets sent, retransmissions included. */
  sent: number;
  /** Packets sent again because the answer did not come in time. */
  retransmissions: number;
  /** Packets that arrived from another address or port. */
  strays: number;
  /** Where the transfer stands. */
  state: TftpTransferState;
  /** The ERROR the server sent, or the one it received (`received`). */
  error: { code: number; message: string; received: boolean } | undefined;
  /** Virtual time of the request, ns. */
  readonly startedAt: number;
  /** Virtual time the transfer ended, ns (undefined while running). */
  endedAt: number | undefined;
}

/** Counters of a server. */
export interface TftpServerStats {
  /** Requests received on the listening port. */
  requests: number;
  /** Packets on the listening port that were not requests (ignored). */
  ignored: number;
  /** ERROR packets sent. */
  errorsSent: number;
  /** Transfers finished with the last ACK. */
  completed: number;
}

/** tftpd-hpa's text for a code when it passes none (its errmsgs[]: code 2 reads "Access denied"). */
function hpaErrorText(code: number): string {
  return code === TftpErrorCode.ACCESS_VIOLATION ? "Access denied" : tftpErrorMessage(code);
}

/** The seconds counter (time_t) of virtual time, as dnsmasq reads it. */
function timeT(ns: number): number {
  return Math.floor(ns / SECOND);
}

/** dnsmasq 2.90 gives up on a transfer when its backoff counter passes this. */
const DNSMASQ_MAX_BACKOFF = 7;

/** dnsmasq's netascii: every LF sent as CR LF (bare CRs untouched). */
function dnsmasqNetascii(b: Uint8Array): Uint8Array {
  let lf = 0;
  for (const c of b) if (c === 10) lf++;
  const out = new Uint8Array(b.length + lf);
  let w = 0;
  for (const c of b) {
    if (c === 10) out[w++] = 13;
    out[w++] = c;
  }
  return out;
}

/** A request split as tftpd-hpa reads it: NUL-terminated strings after the opcode. */
function requestStrings(b: Uint8Array): { strings: string[]; terminated: boolean } {
  const strings: string[] = [];
  let pos = 2;
  while (pos < b.length && b[pos] !== 0) {
    const end = b.indexOf(0, pos);
    if (end < 0) return { strings, terminated: false };
    let s = "";
    for (let i = pos; i < end; i++) s += String.fromCharCode(b[i]!);
    strings.push(s);
    pos = end + 1;
  }
  return { strings, terminated: true };
}

/** A TFTP server on one namespace. */
export class TftpServer {
  /** The flavour it follows. */
  readonly flavour: TftpServerFlavour;
  /** Counters. */
  readonly stats: TftpServerStats = { requests: 0, ignored: 0, errorsSent: 0, completed: 0 };
  /** Every transfer so far, in request order. */
  readonly transfers: TftpServerTransfer[] = [];
  /** Log lines (syslog text), in order. */
  readonly log: string[] = [];
  #ns: NetNs;
  #files: FileMap;
  #o: Required<Omit<TftpServerOptions, "log" | "address" | "portRange">> & {
    address: Ip4;
    portRange: [number, number] | undefined;
  };
  #onLog: TftpServerOptions["log"];
  #listener: UdpSocket | undefined;
  #sessions = new Set<Session>();

  /**
   * A server for `ns` reading `files` (a node's file map); call `start()`.
   *
   * @example
   * ```ts ignore
   * const server = new TftpServer(srv.root, srv.files, { dirs: ["/srv/tftp"] });
   * server.start();
   * ```
   */
  constructor(ns: NetNs, files: FileMap, options: TftpServerOptions) {
    this.#ns = ns;
    this.#files = files;
    this.flavour = options.flavour ?? "tftpd-hpa";
    this.#onLog = options.log;
    this.#o = {
      flavour: this.flavour,
      dirs: options.dirs,
      secure: options.secure ?? true,
      create: options.create ?? false,
      maxBlksize: options.maxBlksize ?? TFTP_MAX_BLKSIZE,
      rexmt: options.rexmt ?? SECOND,
      refuse: (options.refuse ?? []).map((r) => r.toLowerCase()),
      address: options.address ?? 0,
      port: options.port ?? 69,
      portRange: options.portRange,
      verbosity: options.verbosity ?? 0,
    };
  }

  /** Bind the listening socket; returns the errno when the port is taken or the address not local. */
  start(): "EADDRINUSE" | "EADDRNOTAVAIL" | undefined {
    const s = this.#ns.udp.socket();
    const e = s.bind(this.#o.address, this.#o.port);
    if (e) return e === "EADDRINUSE" ? "EADDRINUSE" : "EADDRNOTAVAIL";
    s.onMessage = (d) => {
      s.recv();
      this.#request(d);
    };
    this.#listener = s;
    return undefined;
  }

  /**
   * Stop the daemon, as SIGTERM does. dnsmasq is one process: its transfers
   * end with it. tftpd-hpa serves each request in a child it forked; the
   * children only set a flag they never look at, so running transfers go on
   * to their end. `kill()` ends everything (SIGKILL to the process group).
   */
  stop(): void {
    this.#listener?.close();
    this.#listener = undefined;
    if (this.flavour === "dnsmasq") this.kill();
  }

  /** End the listener and every running transfer at once. */
  kill(): void {
    this.#listener?.close();
    this.#listener = undefined;
    for (const s of [...this.#sessions]) s.end("aborted");
  }

  /** Whether the listening socket is bound. */
  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /** Transfers still running. */
  get active(): number {
    return this.#sessions.size;
  }

  /** Append a log line, about a transfer or not. */
  logLine(line: string, transfer?: TftpServerTransfer): void {
    this.log.push(line);
    this.#onLog?.(line, transfer);
  }

  #request(d: Datagram): void {
    if (typeof d.data === "number" || d.data.length < 2) {
      this.stats.ignored++;
      return;
    }
    const b = d.data;
    const opcode = (b[0]! << 8) | b[1]!;
    if (opcode !== 1 && opcode !== 2) {
      this.stats.ignored++;
      // tftpd-hpa's child exits at once; dnsmasq answers from a fresh port.
      if (this.flavour === "dnsmasq") {
        const sock = this.#bindTransferSocket(d.to);
        if (sock === undefined) return;
        const message = `unsupported request from ${formatIp4(d.from)}`;
        sock.sendTo(
          encodeTftp({ op: "ERROR", code: TftpErrorCode.ILLEGAL_OPERATION, message }),
          d.from,
          d.fromPort,
        );
        sock.close();
        this.stats.errorsSent++;
        this.logLine(message);
      }
      return;
    }
    this.stats.requests++;
    const t: TftpServerTransfer = {
      op: opcode === 1 ? "RRQ" : "WRQ",
      client: d.from,
      clientPort: d.fromPort,
      localPort: 0,
      filename: "",
      path: undefined,
      mode: "",
      blksize: TFTP_DEFAULT_BLKSIZE,
      oack: undefined,
      bytes: 0,
      blocks: 0,
      sent: 0,
      retransmissions: 0,
      strays: 0,
      state: "running",
      error: undefined,
      startedAt: this.#ns.dev.sim.now,
      endedAt: undefined,
    };
    const { strings, terminated } = requestStrings(b);
    (t as { filename: string }).filename = strings[0] ?? "";
    this.transfers.push(t);
    const sock = this.#bindTransferSocket(d.to);
    if (sock === undefined) {
      t.state = "error";
      t.endedAt = t.startedAt;
      this.logLine("bind: Address already in use", t);
      return;
    }
    t.localPort = sock.localPort;
    const session = this.flavour === "dnsmasq"
      ? this.#dnsmasqRequest(t, sock, strings, terminated, d)
      : this.#hpaRequest(t, sock, strings, terminated);
    if (session) this.#sessions.add(session);
  }

  #bindTransferSocket(to: Ip4): UdpSocket | undefined {
    const s = this.#ns.udp.socket();
    const local = this.#ns.ip.isLocal(to) ? to : 0;
    const range = this.#o.portRange;
    if (range === undefined) return s.bind(local, 0) ? undefined : s;
    // tftp-hpa's pick_port_bind: a random start in the range, then upwards.
    const n = range[1] - range[0] + 1;
    const start = this.#ns.dev.sim.rng(`tftp ports ${this.#ns.nodeName}/${this.#ns.name}`).int(
      0,
      n - 1,
    );
    for (let i = 0; i < n; i++) {
      if (s.bind(local, range[0] + ((start + i) % n)) === undefined) return s;
    }
    return undefined;
  }

  /** Send an ERROR from a fresh transfer socket and close it. */
  #nak(t: TftpServerTransfer, sock: UdpSocket, code: number, message: string): undefined {
    sock.sendTo(encodeTftp({ op: "ERROR", code, message }), t.client, t.clientPort);
    sock.close();
    this.stats.errorsSent++;
    t.error = { code, message, received: false };
    t.state = "error";
    t.endedAt = this.#ns.dev.sim.now;
    if (this.flavour === "tftpd-hpa" && this.#o.verbosity >= 2) {
      this.logLine(`sending NAK (${code}, ${message}) to ${formatIp4(t.client)}`, t);
    }
    if (this.flavour === "dnsmasq") this.logLine(message, t);
    return undefined;
  }

  // ---- tftpd-hpa ----------------------------------------------------------

  #hpaRequest(
    t: TftpServerTransfer,
    sock: UdpSocket,
    strings: string[],
    terminated: boolean,
  ): Session | undefined {
    const bad = TftpErrorCode.ILLEGAL_OPERATION;
    if (!terminated) return this.#nak(t, sock, bad, "Request not null-terminated");
    if (strings.length < 2 || strings[1] === "") return this.#nak(t, sock, bad, "Missing mode");
    const mode = strings[1]!.toLowerCase();
    t.mode = mode;
    if (mode !== "netascii" && mode !== "octet") return this.#nak(t, sock, bad, "Unknown mode");
    if (this.#o.verbosity >= 1) {
      this.logLine(`${t.op} from ${formatIp4(t.client)} filename ${t.filename}`, t);
    }
    const access = this.#hpaValidate(t);
    if (access !== undefined) return this.#nak(t, sock, access.code, access.message);
    // Options, in the order sent (tftpd-hpa's do_opt).
    const state: HpaOptionState = {
      blksize: TFTP_DEFAULT_BLKSIZE,
      rexmt: this.#o.rexmt,
      rollover: 0,
      tsizeOk: t.op === "WRQ" || mode === "octet",
      fileSize: t.op === "RRQ" ? this.#rawSize(t.path!) : 0,
    };
    const oack: TftpOption[] = [];
    for (let i = 2; i + 1 < strings.length; i += 2) {
      const r = this.#hpaOption(strings[i]!, strings[i + 1]!, state);
      if (r === "refuse") {
        return this.#nak(t, sock, TftpErrorCode.OPTION_REFUSED, "Unsupported option(s) requested");
      }
      if (r !== undefined) oack.push(r);
    }
    t.blksize = state.blksize;
    t.oack = oack.length > 0 ? oack : undefined;
    const waits = [1, 2, 4, 8, 16, 32].map((k) => k * state.rexmt);
    if (t.op === "RRQ") {
      const raw = isDirectory(this.#files, t.path!) ? undefined : readFile(this.#files, t.path!)!;
      const data = raw === undefined ? undefined : mode === "netascii" ? toNetascii(raw) : raw;
      return new HpaReadSession(this, t, sock, data, state.rollover as 0 | 1, waits);
    }
    return new HpaWriteSession(this, t, sock, this.#files, state.rollover as 0 | 1, waits);
  }

  #rawSize(path: string): number {
    return isDirectory(this.#files, path) ? 4096 : readFile(this.#files, path)?.length ?? 0;
  }

  /** tftpd-hpa's validate_access(): the path, or the error to send. */
  #hpaValidate(t: TftpServerTransfer): { code: number; message: string } | undefined {
    const o = this.#o;
    let path: string;
    if (o.secure) {
      path = chrootPath(o.dirs[0]!, t.filename);
    } else {
      if (!t.filename.startsWith("/")) {
        return { code: TftpErrorCode.ACCESS_VIOLATION, message: "Only absolute filenames allowed" };
      }
      if (t.filename.includes("/../")) {
        return { code: TftpErrorCode.ACCESS_VIOLATION, message: "Reverse path not allowed" };
      }
      if (o.dirs.length > 0 && !o.dirs.some((d) => t.filename.startsWith(d))) {
        return { code: TftpErrorCode.ACCESS_VIOLATION, message: "Forbidden directory" };
      }
      path = t.filename;
    }
    t.path = path;
    const dir = isDirectory(this.#files, path);
    const exists = dir || this.#files.has(path);
    if (t.op === "RRQ") {
      if (!exists) return { code: TftpErrorCode.FILE_NOT_FOUND, message: hpaErrorText(1) };
      return undefined;
    }
    if (dir) return { code: TftpErrorCode.NOT_DEFINED, message: "Is a directory" };
    if (!exists && !o.create) {
      return { code: TftpErrorCode.FILE_NOT_FOUND, message: hpaErrorText(1) };
    }
    this.#files.set(path, new Uint8Array(0)); // O_CREAT / ftruncate()
    return undefined;
  }

  /** One option as tftpd-hpa's do_opt() treats it: the OACK entry, nothing, or a refusal. */
  #hpaOption(
    name: string,
    value: string,
    st: HpaOptionState,
  ): TftpOption | undefined | "refuse" {
    if (name === "" || value === "" || !/^[0-9]+$/.test(value)) return undefined;
    const key = name.toLowerCase();
    if (this.#o.refuse.includes(key)) return undefined;
    let v = Number(value);
    switch (key) {
      case "blksize":
      case "blksize2":
        if (v < 8) return "refuse";
        if (v > this.#o.maxBlksize) v = this.#o.maxBlksize;
        else if (key === "blksize2") v = 2 ** Math.floor(Math.log2(v));
        st.blksize = v;
        break;
      case "tsize":
        if (!st.tsizeOk) return "refuse";
        if (v === 0) v = st.fileSize;
        break;
      case "timeout":
        if (v < 1 || v > 255) return "refuse";
        st.rexmt = v * SECOND;
        break;
      case "utimeout":
        if (v < 10000 || v > 255000000) return "refuse";
        st.rexmt = v * 1000;
        break;
      case "rollover":
        if (v > 65535) return "refuse";
        st.rollover = v;
        break;
      default:
        return undefined;
    }
    return { name, value: String(v) };
  }

  // ---- dnsmasq -------------------------------------------------------------

  #dnsmasqRequest(
    t: TftpServerTransfer,
    sock: UdpSocket,
    strings: string[],
    terminated: boolean,
    d: Datagram,
  ): Session | undefined {
    const client = formatIp4(t.client);
    const bad = TftpErrorCode.ILLEGAL_OPERATION;
    if (t.op === "WRQ") return this.#nak(t, sock, bad, `unsupported write request from ${client}`);
    const mode = (strings[1] ?? "").toLowerCase();
    t.mode = mode;
    if (!terminated || !strings[0] || (mode !== "octet" && mode !== "netascii")) {
      return this.#nak(t, sock, bad, `unsupported request from ${client}`);
    }
    // dnsmasq 2.90 knows blksize and tsize; other options are ignored.
    let blksize = TFTP_DEFAULT_BLKSIZE;
    const opts = { blksize: false, tsize: false };
    for (let i = 2; i + 1 < strings.length; i += 2) {
      const name = strings[i]!.toLowerCase();
      const val = Number.parseInt(strings[i + 1]!, 10) || 0; // atoi()
      if (name === "blksize") {
        blksize = Math.max(1, val);
        blksize = Math.min(blksize, d.iface.mtu - 32);
        opts.blksize = true;
      } else if (name === "tsize" && mode !== "netascii") {
        opts.tsize = true;
      }
    }
    // The file: the root, then the name (an absolute name inside the root is taken as it is).
    const root = this.#o.dirs[0]!;
    const prefix = root.endsWith("/") ? root : root + "/";
    let name = t.filename.replaceAll("\\", "/");
    let path: string;
    if (name.startsWith("/") && name.startsWith(prefix)) path = name;
    else {
      if (name.startsWith("/")) name = name.slice(1);
      path = prefix + name;
    }
    t.path = path;
    if (path.includes("/../")) {
      return this.#nak(
        t,
        sock,
        TftpErrorCode.ACCESS_VIOLATION,
        `cannot access ${path}: Permission denied`,
      );
    }
    if (isDirectory(this.#files, path)) {
      return this.#nak(t, sock, TftpErrorCode.NOT_DEFINED, `cannot read ${path}: Is a directory`);
    }
    const raw = readFile(this.#files, path);
    if (raw === undefined) {
      return this.#nak(
        t,
        sock,
        TftpErrorCode.FILE_NOT_FOUND,
        `file ${path} not found for ${client}`,
      );
    }
    const oack: TftpOption[] = [];
    if (opts.blksize) oack.push({ name: "blksize", value: String(blksize) });
    if (opts.tsize) oack.push({ name: "tsize", value: String(raw.length) });
    t.blksize = blksize;
    t.oack = oack.length > 0 ? oack : undefined;
    const data = mode === "netascii" ? dnsmasqNetascii(raw) : raw;
    return new DnsmasqReadSession(this, t, sock, data);
  }

  /** Called by a transfer when it ends. */
  finished(t: TftpServerTransfer): void {
    for (const s of this.#sessions) if (s.t === t) this.#sessions.delete(s);
    if (t.state === "complete") this.stats.completed++;
  }

  /** The simulator the server runs in. */
  get sim(): Simulator {
    return this.#ns.dev.sim;
  }
}

interface HpaOptionState {
  blksize: number;
  rexmt: number;
  rollover: number;
  tsizeOk: boolean;
  fileSize: number;
}

/**
 * What recv() on a connect()ed UDP socket returns after an ICMP error about
 * it (Linux's icmp_err_convert: only the "hard" destination-unreachable
 * codes; "fragmentation needed" and time exceeded are not reported), as
 * strerror() spells it; undefined when the error is not reported.
 */
function connectedSocketError(e: IcmpError): string | undefined {
  if (e.type !== 3 || e.code === 4) return undefined;
  if ([0, 6, 9, 11].includes(e.code)) return "Network is unreachable";
  if (e.code === 2) return "Protocol not available";
  if (e.code === 3) return "Connection refused";
  return "No route to host";
}

/** A running transfer on its own socket. */
abstract class Session {
  constructor(
    readonly server: TftpServer,
    readonly t: TftpServerTransfer,
    readonly sock: UdpSocket,
  ) {
    sock.onMessage = (d) => {
      sock.recv();
      if (d.from !== t.client || d.fromPort !== t.clientPort) {
        t.strays++;
        this.stray(d);
        return;
      }
      let m: TftpMessage;
      try {
        m = decodeTftp(d.data instanceof Uint8Array ? d.data : new Uint8Array(d.data));
      } catch (e) {
        if (e instanceof WireError) return; // garbage: keep waiting
        throw e;
      }
      this.receive(m);
    };
    sock.onError = (e) => this.icmpError(e);
  }

  /** Send a packet to the client. */
  send(m: TftpMessage): void {
    this.sendBytes(encodeTftp(m));
  }

  /** Send an encoded packet to the client. */
  sendBytes(b: Uint8Array): void {
    this.sock.sendTo(b, this.t.client, this.t.clientPort);
  }

  /** End the transfer: close the socket and record how it ended. */
  end(state: TftpTransferState): void {
    if (this.t.state !== "running") return;
    this.stopTimers();
    this.t.state = state;
    this.t.endedAt = this.server.sim.now;
    this.sock.close();
    this.server.finished(this.t);
  }

  /** A packet from the peer. */
  abstract receive(m: TftpMessage): void;
  /** Stop any timer. */
  abstract stopTimers(): void;
  /** A packet from another address or port. */
  stray(_d: Datagram): void {}
  /** An ICMP error about what this socket sent. */
  icmpError(_e: IcmpError): void {}
}

/** tftpd-hpa's tftp_sendfile(): OACK (if any), then DATA blocks in lockstep. */
class HpaReadSession extends Session {
  #cursor: BlockCursor;
  #data: Uint8Array | undefined;
  #packets: DataPackets | undefined;
  #timer: RetryTimer;
  #awaitingOack: boolean;

  constructor(
    server: TftpServer,
    t: TftpServerTransfer,
    sock: UdpSocket,
    data: Uint8Array | undefined,
    rollover: 0 | 1,
    waits: number[],
  ) {
    super(server, t, sock);
    this.#data = data;
    this.#cursor = new BlockCursor(data?.length ?? 0, t.blksize, rollover);
    this.#packets = data && new DataPackets(data, t.blksize, rollover);
    t.bytes = data?.length ?? 0;
    t.blocks = data === undefined ? 0 : this.#cursor.count;
    this.#timer = new RetryTimer(
      server.sim,
      waits,
      () => this.#resend(),
      () => this.end("timeout"),
    );
    this.#awaitingOack = t.oack !== undefined;
    if (this.#awaitingOack) {
      this.send({ op: "OACK", options: t.oack! });
      this.#timer.start();
    } else this.#sendBlock();
  }

  #resend(): void {
    this.t.retransmissions++;
    if (this.#awaitingOack) this.send({ op: "OACK", options: this.t.oack! });
    else this.#sendData();
  }

  #sendData(): void {
    this.t.sent++;
    this.sendBytes(this.#packets!.packet(this.#cursor.index));
  }

  #sendBlock(): void {
    if (this.#data === undefined) {
      // read() of a directory fails: nak(errno + 100).
      this.send({ op: "ERROR", code: TftpErrorCode.NOT_DEFINED, message: "Is a directory" });
      this.server.stats.errorsSent++;
      this.t.error = { code: 0, message: "Is a directory", received: false };
      this.end("error");
      return;
    }
    this.#sendData();
    this.#timer.start();
  }

  receive(m: TftpMessage): void {
    if (m.op === "ERROR") {
      this.t.error = { code: m.code, message: m.message, received: true };
      if (this.#awaitingOack) this.server.logLine("tftp: client does not accept options", this.t);
      this.end("aborted");
      return;
    }
    if (m.op !== "ACK") return;
    if (this.#awaitingOack) {
      if (m.block === 0) {
        this.#awaitingOack = false;
        this.#timer.stop();
        this.#sendBlock();
      } else this.#timer.resendNow(); // "goto oack"
      return;
    }
    if (m.block !== this.#cursor.block) return; // RFC 1123: never resend DATA on a wrong ACK
    this.#timer.stop();
    if (this.#cursor.last) {
      this.end("complete");
      return;
    }
    this.#cursor.index++;
    this.#sendBlock();
  }

  override icmpError(e: IcmpError): void {
    const text = connectedSocketError(e);
    if (text === undefined) return;
    this.server.logLine(`tftpd: read${this.#awaitingOack ? "" : "(ack)"}: ${text}`, this.t);
    this.end("aborted");
  }

  stopTimers(): void {
    this.#timer.stop();
  }
}

/** tftpd-hpa's tftp_recvfile(): ACK 0 (or OACK), DATA in, ACKs out, a dally after the last. */
class HpaWriteSession extends Session {
  #files: FileMap;
  #chunks: Uint8Array[] = [];
  #expected = 1;
  #timer: RetryTimer;
  #rollover: 0 | 1;
  #rexmt: number;
  #last: TftpMessage;
  #dally: { cancel(): void } | undefined;
  #finalBlock = -1;

  constructor(
    server: TftpServer,
    t: TftpServerTransfer,
    sock: UdpSocket,
    files: FileMap,
    rollover: 0 | 1,
    waits: number[],
  ) {
    super(server, t, sock);
    this.#files = files;
    this.#rollover = rollover;
    this.#rexmt = waits[0]!;
    this.#timer = new RetryTimer(server.sim, waits, () => {
      this.t.retransmissions++;
      this.#sendLast();
    }, () => this.#abortWrite("timeout"));
    this.#last = t.oack ? { op: "OACK", options: t.oack } : { op: "ACK", block: 0 };
    this.#sendLast();
    this.#timer.start();
  }

  #sendLast(): void {
    this.t.sent++;
    this.send(this.#last);
  }

  /** Write what arrived so far into the file (tftpd-hpa writes as it goes). */
  #flush(): void {
    const out = concatBytes(this.#chunks);
    this.#files.set(this.t.path!, this.t.mode === "netascii" ? fromNetascii(out) : out);
    this.t.bytes = out.length;
  }

  #abortWrite(state: TftpTransferState): void {
    this.#flush();
    this.end(state);
  }

  receive(m: TftpMessage): void {
    if (this.#finalBlock >= 0) {
      // Dallying after the final ACK: a repeated last DATA means that ACK was lost.
      if (m.op === "DATA" && m.block === this.#finalBlock) {
        this.t.sent++;
        this.send({ op: "ACK", block: this.#finalBlock });
      }
      this.end("complete");
      return;
    }
    if (m.op === "ERROR") {
      this.t.error = { code: m.code, message: m.message, received: true };
      this.#abortWrite("aborted");
      return;
    }
    if (m.op !== "DATA") return;
    if (m.block !== this.#expected) {
      if (m.block === ((this.#expected - 1) & 0xffff)) this.#timer.resendNow(); // duplicate: re-ACK
      return;
    }
    this.#timer.stop();
    this.#chunks.push(m.data.slice());
    this.t.blocks++;
    const block = m.block;
    this.#expected = block === 0xffff ? this.#rollover : block + 1;
    this.#last = { op: "ACK", block };
    if (m.data.length === this.t.blksize) {
      this.#sendLast();
      this.#timer.start();
      return;
    }
    // The final ACK, then one timeout ("timeout_quit") to catch a repeated last DATA.
    this.#flush();
    this.#sendLast();
    this.#finalBlock = block;
    this.#dally = this.server.sim.after(this.#rexmt, () => this.end("complete"));
  }

  override icmpError(e: IcmpError): void {
    const text = connectedSocketError(e);
    if (text === undefined) return;
    this.server.logLine(`tftpd: read: ${text}`, this.t);
    this.#abortWrite("aborted");
  }

  stopTimers(): void {
    this.#timer.stop();
    this.#dally?.cancel();
  }
}

/**
 * dnsmasq 2.90's transfer loop, in whole seconds (time_t): the request sends
 * the first packet (OACK or DATA 1) and sets the deadline 2 s on; whenever
 * the seconds counter reaches the deadline, it moves by 1 + (1 << backoff/2)
 * — 2, 3, 3, 5, 5, 9 s — and the current packet goes out (again), until the
 * backoff counter passes 7: then the transfer ends, "failed sending" when a
 * full DATA block was unanswered, "sent" otherwise (the OACK, or the last,
 * short block, whose ACK some clients never send). An ACK of the current
 * block makes the deadline "now": the next block goes out at once and the
 * backoff starts over; a duplicate ACK does nothing. An ERROR takes the same
 * path with the backoff forced past its limit.
 */
class DnsmasqReadSession extends Session {
  #packets: DataPackets;
  /** The packet in play: 0 for the OACK, else the file block (1-based). */
  #block: number;
  #deadline: number;
  #backoff = 1;
  #count: number;
  #timer: { cancel(): void } | undefined;

  constructor(server: TftpServer, t: TftpServerTransfer, sock: UdpSocket, data: Uint8Array) {
    super(server, t, sock);
    this.#packets = new DataPackets(data, t.blksize);
    this.#count = Math.floor(data.length / t.blksize) + 1;
    t.bytes = data.length;
    t.blocks = this.#count;
    this.#block = t.oack ? 0 : 1;
    this.#deadline = timeT(server.sim.now) + 2;
    this.#sendCurrent();
    this.#schedule();
  }

  /** The current packet: the OACK, or DATA `#block`. */
  #sendCurrent(): void {
    if (this.#block === 0) {
      this.send({ op: "OACK", options: this.t.oack! });
      return;
    }
    this.t.sent++;
    this.sendBytes(this.#packets.packet(this.#block));
  }

  /** Wake at the deadline's second. */
  #schedule(): void {
    this.#timer?.cancel();
    const sim = this.server.sim;
    this.#timer = sim.at(Math.max(this.#deadline * SECOND, sim.now), () => this.#check());
  }

  /** check_tftp_listeners(): the deadline has come. */
  #check(): void {
    this.#deadline += 1 + (1 << (this.#backoff >> 1));
    const finished = this.#block > this.#count; // get_block() returns 0
    if (!finished && ++this.#backoff > DNSMASQ_MAX_BACKOFF) {
      const fullBlock = this.#block > 0 && this.#block < this.#count;
      this.#finish(fullBlock ? "failed" : "sent");
      return;
    }
    if (finished) {
      this.#finish("sent");
      return;
    }
    if (this.#backoff > 1) this.t.retransmissions++;
    this.#sendCurrent();
    this.#schedule();
  }

  #finish(how: "sent" | "failed"): void {
    const client = formatIp4(this.t.client);
    this.server.logLine(
      how === "sent"
        ? `sent ${this.t.path} to ${client}`
        : `failed sending ${this.t.path} to ${client}`,
      this.t,
    );
    const state = this.t.error?.received
      ? "aborted"
      : how === "failed"
      ? "timeout"
      : this.#block > this.#count
      ? "complete"
      : "timeout";
    this.end(state);
  }

  receive(m: TftpMessage): void {
    const now = timeT(this.server.sim.now);
    if (m.op === "ERROR") {
      this.t.error = { code: m.code, message: m.message, received: true };
      this.server.logLine(
        `error ${m.code} ${m.message} received from ${formatIp4(this.t.client)}`,
        this.t,
      );
      this.#deadline = now;
      this.#backoff = 100;
      this.#check();
      return;
    }
    // Only an ACK of the block in play counts (16-bit compare); duplicates do nothing.
    if (m.op !== "ACK" || m.block !== (this.#block & 0xffff)) return;
    this.#deadline = now;
    this.#backoff = 0;
    this.#block++;
    this.#check();
  }

  override stray(d: Datagram): void {
    const text = `ignoring packet from ${formatIp4(d.from)} (TID mismatch)`;
    this.server.logLine(text, this.t);
    this.server.stats.errorsSent++;
    this.sock.sendTo(
      encodeTftp({ op: "ERROR", code: TftpErrorCode.UNKNOWN_TID, message: text }),
      d.from,
      d.fromPort,
    );
  }

  stopTimers(): void {
    this.#timer?.cancel();
  }
}
