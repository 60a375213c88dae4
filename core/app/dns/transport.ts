/**
 * DNS over the simulated sockets: a server side that listens on UDP and TCP
 * port 53 of a namespace and hands every query to a handler, and a client
 * side that sends one query and waits for the answer, as resolvers and dig do
 * (RFC 1035 §4.2, RFC 7766).
 *
 * UDP: one datagram per message. A response larger than the client's limit
 * ({@link dnsPayloadLimit}: 512 bytes, or its EDNS size) is cut by
 * {@link truncateDns} and carries TC. The server answers from the address the
 * query was sent to. The client takes a fresh socket, so a fresh ephemeral
 * port from the namespace's seeded port stream, for every try (source-port
 * randomisation), accepts only an answer from the address and port it asked,
 * with the query's id and question (RFC 5452 §9.1), and learns of ICMP errors
 * (port unreachable = "connection refused", as a connected UDP socket does).
 *
 * TCP: each message is preceded by its length in two bytes (RFC 1035
 * §4.2.2). The server keeps a connection open for more queries until the
 * client closes it; the client sends one query, reads one answer and closes.
 *
 * Left out: pipelining and out-of-order answers on one TCP connection
 * (RFC 7766 §6.2.1.1: answered in order here), idle timeouts on server
 * connections, DNS cookies (RFC 7873: a COOKIE option is ignored, no server
 * cookie is returned), and ICMP errors other than unreachable.
 *
 * @module
 */
import type { Ip4, Payload } from "../../wire/packet.ts";
import { WireError } from "../../wire/errors.ts";
import type { NetNs } from "../../node/netns.ts";
import type { UdpSocket } from "../../transport/udp.ts";
import type { TcpSocket } from "../../transport/tcp/socket.ts";
import type { Timer } from "../../sim/simulator.ts";
import {
  decodeDns,
  type DnsMessage,
  dnsPayloadLimit,
  DnsRcode,
  encodeDns,
  truncateDns,
} from "./message.ts";
import { dnsNameEquals } from "./name.ts";

/** The well-known DNS port. */
export const DNS_PORT = 53;

/** One query as a server receives it. */
export interface DnsRequest {
  /** The decoded query. */
  message: DnsMessage;
  /** The client's (for a recursive server's upstream: the resolver's) source address. */
  client: Ip4;
  /** The client's source port. */
  clientPort: number;
  /** The local address the query was sent to. */
  local: Ip4;
  /** How it arrived. */
  transport: "udp" | "tcp";
  /** Its size in bytes. */
  size: number;
  /** Virtual time of arrival, ns. */
  time: number;
}

/**
 * A server's answer function: call `reply` once with the response (now or
 * later, in virtual time), or never to drop the query.
 */
export type DnsHandler = (req: DnsRequest, reply: (response: DnsMessage) => void) => void;

/** Where a listener binds. */
export interface ListenOptions {
  /** Local address (default 0: every address of the namespace). */
  address?: Ip4;
  /** Port (default 53). */
  port?: number;
  /** Also accept DNS over TCP (default true). */
  tcp?: boolean;
  /**
   * How a UDP response too big for the client is cut: whole RRsets (default,
   * Unbound) or, with "records", as many records of the last RRset as fit (BIND).
   */
  truncation?: "rrsets" | "records";
}

/** Counters of a listener. */
export interface ListenerStats {
  /** Queries received over UDP. */
  udpQueries: number;
  /** Queries received over TCP. */
  tcpQueries: number;
  /** Responses sent with TC set over UDP. */
  truncated: number;
  /** Messages that did not decode (answered FORMERR when the header was readable). */
  malformed: number;
}

/** A response to a query that could not be read: FORMERR with the query's id (RFC 1035 §4.1.1). */
function formerr(bytes: Uint8Array): DnsMessage | undefined {
  if (bytes.length < 12 || (bytes[2]! & 0x80) !== 0) return undefined;
  return {
    id: (bytes[0]! << 8) | bytes[1]!,
    qr: true,
    opcode: (bytes[2]! >> 3) & 15,
    aa: false,
    tc: false,
    rd: (bytes[2]! & 1) !== 0,
    ra: false,
    ad: false,
    cd: false,
    rcode: DnsRcode.FORMERR,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    edns: undefined,
  };
}

function bytesOf(p: Payload): Uint8Array {
  return typeof p === "number" ? new Uint8Array(p) : p;
}

/** Prefix a message with its two-byte length (RFC 1035 §4.2.2). */
export function frameTcp(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >> 8;
  out[1] = message.length & 255;
  out.set(message, 2);
  return out;
}

/** Collects a TCP byte stream and cuts it into length-prefixed messages. */
export class TcpFramer {
  #buf = new Uint8Array(0);

  /** Add received bytes; returns the messages now complete. */
  push(data: Payload): Uint8Array[] {
    const add = bytesOf(data);
    const b = new Uint8Array(this.#buf.length + add.length);
    b.set(this.#buf);
    b.set(add, this.#buf.length);
    const out: Uint8Array[] = [];
    let at = 0;
    while (b.length - at >= 2) {
      const len = (b[at]! << 8) | b[at + 1]!;
      if (b.length - at - 2 < len) break;
      out.push(b.slice(at + 2, at + 2 + len));
      at += 2 + len;
    }
    this.#buf = b.slice(at);
    return out;
  }
}

/**
 * A DNS server's sockets on one namespace: UDP and (by default) TCP on port
 * 53, every query passed to the handler.
 *
 * @example
 * ```ts ignore
 * const listener = new DnsListener(node.root, (req, reply) => reply(server.answer(req.message, req.client)));
 * ```
 */
export class DnsListener {
  /** Counters. */
  readonly stats: ListenerStats = { udpQueries: 0, tcpQueries: 0, truncated: 0, malformed: 0 };
  /** The namespace it listens in. */
  readonly ns: NetNs;
  #udp: UdpSocket;
  #tcp: TcpSocket | undefined;
  #handler: DnsHandler;
  #partial: boolean;

  /** Bind and listen now; throws if the port is taken. */
  constructor(ns: NetNs, handler: DnsHandler, options: ListenOptions = {}) {
    this.ns = ns;
    this.#handler = handler;
    this.#partial = options.truncation === "records";
    const address = options.address ?? 0;
    const port = options.port ?? DNS_PORT;
    this.#udp = ns.udp.socket();
    const e = this.#udp.bind(address, port);
    if (e) throw new Error(`dns: cannot bind UDP port ${port}: ${e}`);
    this.#udp.onMessage = () => this.#drainUdp();
    if (options.tcp ?? true) {
      const l = ns.tcp.socket({ nodelay: true });
      const te = ns.tcp.bind(l, address, port);
      if (te) {
        this.#udp.close();
        throw new Error(`dns: cannot bind TCP port ${port}: ${te}`);
      }
      ns.tcp.listen(l, 64);
      l.onAccept = () => {
        for (let c = ns.tcp.accept(l); c; c = ns.tcp.accept(l)) this.#serveTcp(c);
      };
      this.#tcp = l;
    }
  }

  /** Stop listening (open TCP connections finish their queries). */
  close(): void {
    this.#udp.close();
    this.#tcp?.close();
  }

  #drainUdp(): void {
    for (let d = this.#udp.recv(); d; d = this.#udp.recv()) {
      const bytes = bytesOf(d.data);
      const from = d.from, fromPort = d.fromPort, to = d.to;
      const send = (m: DnsMessage, query: DnsMessage | undefined) => {
        const limit = query === undefined ? 512 : dnsPayloadLimit(query);
        const t = truncateDns(m, limit, { partialRRsets: this.#partial });
        if (t.truncated) this.stats.truncated++;
        this.#udp.sendTo(t.bytes, from, fromPort, { src: to });
      };
      let message: DnsMessage;
      try {
        message = decodeDns(bytes);
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        this.stats.malformed++;
        const r = formerr(bytes);
        if (r) send(r, undefined);
        continue;
      }
      if (message.qr) continue; // a response sent to a server is ignored
      this.stats.udpQueries++;
      const req: DnsRequest = {
        message,
        client: from,
        clientPort: fromPort,
        local: to,
        transport: "udp",
        size: bytes.length,
        time: d.time,
      };
      let replied = false;
      this.#handler(req, (resp) => {
        if (replied) return;
        replied = true;
        send(resp, message);
      });
    }
  }

  #serveTcp(c: TcpSocket): void {
    const framer = new TcpFramer();
    c.onData = (data) => {
      for (const bytes of framer.push(data)) {
        let message: DnsMessage;
        try {
          message = decodeDns(bytes);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          this.stats.malformed++;
          const r = formerr(bytes);
          if (r) c.send(frameTcp(encodeDns(r)));
          continue;
        }
        if (message.qr) continue;
        this.stats.tcpQueries++;
        const req: DnsRequest = {
          message,
          client: c.remoteAddr,
          clientPort: c.remotePort,
          local: c.localAddr,
          transport: "tcp",
          size: bytes.length,
          time: this.ns.dev.sim.now,
        };
        let replied = false;
        this.#handler(req, (resp) => {
          if (replied || c.state === "CLOSED") return;
          replied = true;
          c.send(frameTcp(encodeDns(resp)));
        });
      }
    };
    c.onEnd = () => c.close();
  }
}

// ------------------------------------------------------------------ client

/** Why an exchange failed, in the words dig prints after "communications error to …:". */
export type DnsExchangeError =
  /** No answer before the timeout. */
  | "timed out"
  /** ICMP port unreachable (UDP) or RST (TCP). */
  | "connection refused"
  /** ICMP host unreachable, or a neighbour that never answered. */
  | "host unreachable"
  /** No route to the server, or ICMP net unreachable. */
  | "network unreachable"
  /** The source address is not local. */
  | "address not available"
  /** The server closed the TCP connection before answering. */
  | "end of file";

/** The outcome of one query. */
export type DnsExchangeResult =
  | {
    ok: true;
    /** The decoded response. */
    message: DnsMessage;
    /** Its size in bytes. */
    size: number;
    /** Virtual time from sending to the answer, ns. */
    rtt: number;
    /** The transport used. */
    transport: "udp" | "tcp";
    /** The local port the query left from. */
    localPort: number;
  }
  | { ok: false; error: DnsExchangeError; transport: "udp" | "tcp"; localPort: number };

/** One query to send. */
export interface DnsExchangeOptions {
  /** The server's address. */
  server: Ip4;
  /** The server's port (default 53). */
  port?: number;
  /** UDP (default) or TCP. */
  transport?: "udp" | "tcp";
  /** How long to wait for the answer, ns. */
  timeout: number;
  /** Source address (default: chosen by the route). */
  source?: Ip4;
  /** Source port (default: ephemeral). */
  sourcePort?: number;
}

function errnoText(e: string): DnsExchangeError {
  switch (e) {
    case "EADDRNOTAVAIL":
      return "address not available";
    case "EHOSTUNREACH":
      return "host unreachable";
    default:
      return "network unreachable";
  }
}

/**
 * Send one query and call `done` once with the answer or the failure. A UDP
 * answer must come from the server's address and port and match the query's
 * id and question; anything else arriving on the socket is ignored (and a
 * late answer after the timeout finds the socket closed: the stack answers
 * it with an ICMP port unreachable, as Linux does).
 * Returns a function that cancels the exchange without calling `done`.
 */
export function dnsExchange(
  ns: NetNs,
  query: DnsMessage,
  options: DnsExchangeOptions,
  done: (r: DnsExchangeResult) => void,
): () => void {
  return options.transport === "tcp"
    ? tcpExchange(ns, query, options, done)
    : udpExchange(ns, query, options, done);
}

/** Whether a response answers a query: same id and the same question (RFC 5452 §9.1). */
export function answersQuery(resp: DnsMessage, query: DnsMessage): boolean {
  if (!resp.qr || resp.id !== query.id) return false;
  const q = query.questions[0];
  const r = resp.questions[0];
  if (q === undefined) return resp.questions.length === 0;
  // A FORMERR or NOTIMP answer may come without the question.
  if (r === undefined) return resp.rcode !== DnsRcode.NOERROR;
  return r.type === q.type && r.class === q.class && dnsNameEquals(r.name, q.name);
}

/** The message in `bytes` if it decodes and answers the query, else undefined. */
function answerIn(bytes: Uint8Array, query: DnsMessage): DnsMessage | undefined {
  let m: DnsMessage;
  try {
    m = decodeDns(bytes);
  } catch (e) {
    if (e instanceof WireError) return undefined;
    throw e;
  }
  return answersQuery(m, query) ? m : undefined;
}

function udpExchange(
  ns: NetNs,
  query: DnsMessage,
  o: DnsExchangeOptions,
  done: (r: DnsExchangeResult) => void,
): () => void {
  const sim = ns.dev.sim;
  const port = o.port ?? DNS_PORT;
  const sock = ns.udp.socket();
  let finished = false;
  let timer: Timer | undefined;
  const finish = (r: DnsExchangeResult) => {
    if (finished) return;
    finished = true;
    timer?.cancel();
    sock.close();
    done(r);
  };
  const bound = sock.bind(o.source ?? 0, o.sourcePort ?? 0);
  if (bound) {
    sim.after(
      0,
      () => finish({ ok: false, error: errnoText(bound), transport: "udp", localPort: 0 }),
    );
    return () => (finished = true, sock.close());
  }
  const start = sim.now;
  const localPort = sock.localPort;
  sock.onMessage = () => {
    for (let d = sock.recv(); d; d = sock.recv()) {
      if (d.from !== o.server || d.fromPort !== port) continue;
      const bytes = bytesOf(d.data);
      const m = answerIn(bytes, query);
      if (m === undefined) continue;
      const rtt = sim.now - start;
      finish({ ok: true, message: m, size: bytes.length, rtt, transport: "udp", localPort });
      return;
    }
  };
  sock.onError = (e) => {
    if (e.type !== 3 || e.quoted.ip.dst !== o.server || e.quoted.dstPort !== port) return;
    const error: DnsExchangeError = e.code === 3
      ? "connection refused"
      : e.code === 0 || e.code === 6 || e.code === 9
      ? "network unreachable"
      : "host unreachable";
    finish({ ok: false, error, transport: "udp", localPort: sock.localPort });
  };
  const err = sock.sendTo(encodeDns(query), o.server, port);
  if (err) {
    sim.after(0, () => finish({ ok: false, error: errnoText(err), transport: "udp", localPort }));
  } else {
    timer = sim.after(
      o.timeout,
      () => finish({ ok: false, error: "timed out", transport: "udp", localPort }),
    );
  }
  return () => {
    finished = true;
    timer?.cancel();
    sock.close();
  };
}

function tcpExchange(
  ns: NetNs,
  query: DnsMessage,
  o: DnsExchangeOptions,
  done: (r: DnsExchangeResult) => void,
): () => void {
  const sim = ns.dev.sim;
  const port = o.port ?? DNS_PORT;
  const sock = ns.tcp.socket({ nodelay: true });
  let finished = false;
  let timer: Timer | undefined;
  const finish = (r: DnsExchangeResult) => {
    if (finished) return;
    finished = true;
    timer?.cancel();
    if (r.ok) sock.close();
    else sock.abort();
    done(r);
  };
  if (o.source !== undefined || o.sourcePort !== undefined) {
    const e = ns.tcp.bind(sock, o.source ?? 0, o.sourcePort ?? 0);
    if (e) {
      sim.after(
        0,
        () => finish({ ok: false, error: errnoText(e), transport: "tcp", localPort: 0 }),
      );
      return () => (finished = true);
    }
  }
  const start = sim.now;
  const framer = new TcpFramer();
  sock.onConnect = () => {
    sock.send(frameTcp(encodeDns(query)));
  };
  sock.onData = (data) => {
    for (const bytes of framer.push(data)) {
      const m = answerIn(bytes, query);
      if (m === undefined) continue;
      const rtt = sim.now - start;
      const localPort = sock.localPort;
      finish({ ok: true, message: m, size: bytes.length, rtt, transport: "tcp", localPort });
      return;
    }
  };
  sock.onEnd = () =>
    finish({ ok: false, error: "end of file", transport: "tcp", localPort: sock.localPort });
  sock.onError = (e) => {
    const error: DnsExchangeError = e === "ECONNREFUSED" || e === "ECONNRESET"
      ? "connection refused"
      : e === "ETIMEDOUT"
      ? "timed out"
      : errnoText(e);
    finish({ ok: false, error, transport: "tcp", localPort: sock.localPort });
  };
  const err = ns.tcp.connect(sock, o.server, port);
  if (err) {
    sim.after(
      0,
      () => finish({ ok: false, error: errnoText(err), transport: "tcp", localPort: 0 }),
    );
  } else {
    timer = sim.after(
      o.timeout,
      () => finish({ ok: false, error: "timed out", transport: "tcp", localPort: sock.localPort }),
    );
  }
  return () => {
    finished = true;
    timer?.cancel();
    sock.abort();
  };
}
