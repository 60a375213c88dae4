/**
 * A minimal HTTP/1.1 client connection (RFC 9112) over a namespace's TCP
 * stack: one TCP connection to one server, requests sent one at a time (the
 * next after the previous response, no pipelining), responses parsed with
 * {@link HttpParser} (Content-Length, chunked, or until the server closes),
 * and the connection kept for the next request while both sides keep it
 * alive (RFC 9112 §9.3) — what curl and the HTTP libraries of apps do.
 *
 * Failures come back as an {@link HttpClientError} whose kind says what
 * happened, in the terms curl reports: the TCP connect failed (refused, no
 * route, timed out), the optional connect timeout expired, the server closed
 * without a byte of response, closed in the middle of one, reset the
 * connection, or sent something that is not HTTP/1.x.
 *
 * Simplified: no pipelining, no 100-continue, no redirects, no proxies, no
 * TLS; the caller gives the server's address (name resolution is the
 * caller's: DNS, HTTPDNS, a hosts file).
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import type { NetNs } from "../../node/netns.ts";
import type { Timer } from "../../sim/simulator.ts";
import type { TcpError, TcpSocket } from "../../transport/tcp/socket.ts";
import { type HttpHead, type HttpParsed, type HttpParseError, HttpParser } from "./parser.ts";
import { encodeRequest, type HttpRequest, type HttpResponse, keepsAlive } from "./message.ts";

/** What went wrong with a request. */
export type HttpClientErrorKind =
  /** TCP connect failed with `errno` (refused, unreachable, timed out). */
  | "connect"
  /** The connect timeout expired before the handshake completed. */
  | "connect-timeout"
  /** The server closed the connection before sending any of the response. */
  | "empty"
  /** The server closed in the middle of the response. */
  | "partial"
  /** The connection was reset while waiting for or reading the response. */
  | "reset"
  /** The response is not HTTP/1.x or breaks its framing. */
  | "parse"
  /** The request was given to a connection that is closed. */
  | "closed";

/** A failed request. */
export interface HttpClientError {
  /** What happened. */
  kind: HttpClientErrorKind;
  /** The socket error, for "connect" and "reset". */
  errno?: TcpError;
  /** Whether `connect()` failed at once (no SYN sent: no route). */
  immediate?: boolean;
  /** The parse error, for "parse". */
  parse?: HttpParseError;
  /** Body bytes still expected when a Content-Length body was cut short ("partial"). */
  remaining?: number;
  /** Body bytes received before the cut ("partial"). */
  received?: number;
}

/** Callbacks for one request. */
export interface HttpRequestHandlers {
  /** The response's status line and fields arrived. */
  onHead?(head: HttpHead): void;
  /** Body bytes parsed from one TCP delivery: `wire` bytes on the connection, `data` decoded. */
  onBody?(wire: number, data: Uint8Array): void;
  /** The whole response. */
  onResponse(res: HttpResponse, parsed: HttpParsed<HttpResponse>): void;
  /** The request failed. */
  onError(e: HttpClientError): void;
}

/** Connection settings. */
export interface HttpConnectionOptions {
  /** Give up the TCP handshake after this long, ns (default: only TCP's own SYN retries). */
  connectTimeout?: number;
  /** Local address to connect from (default: the route's source). */
  localAddr?: Ip4;
}

interface Pending {
  req: HttpRequest;
  h: HttpRequestHandlers;
}

/**
 * One client connection to `addr:port`. The TCP handshake starts at once;
 * requests given before it completes wait for it.
 *
 * @example
 * ```ts ignore
 * const c = new HttpConnection(a.root, ip("10.0.0.2"), 80);
 * c.request(getRequest("/", "10.0.0.2"), {
 *   onResponse: (r) => console.log(r.status, text(r.body)),
 *   onError: (e) => console.log(e.kind),
 * });
 * net.run();
 * ```
 */
export class HttpConnection {
  /** The TCP socket underneath. */
  readonly socket: TcpSocket;
  /** Server address. */
  readonly addr: Ip4;
  /** Server port. */
  readonly port: number;
  /** "connecting" until the handshake completes, "open" while usable, then "closed". */
  state: "connecting" | "open" | "closed" = "connecting";
  /** Requests answered on this connection. */
  responses = 0;
  /** The handshake completed (for logs such as curl's "Connected to"). */
  onConnect: (() => void) | undefined;
  /** The connection is closed and cannot carry more requests. */
  onClose: (() => void) | undefined;
  /** The connection failed while no request was outstanding (a connect error, say). */
  onError: ((e: HttpClientError) => void) | undefined;
  #ns: NetNs;
  #parser: HttpParser<HttpResponse>;
  #queue: Pending[] = [];
  #current: Pending | undefined;
  #gotBytes = false;
  #connectTimer: Timer | undefined;
  #failure: HttpClientError | undefined;

  /** Open a connection from `ns` to `addr:port`. */
  constructor(ns: NetNs, addr: Ip4, port: number, o: HttpConnectionOptions = {}) {
    this.#ns = ns;
    this.addr = addr;
    this.port = port;
    const tcp = ns.tcp;
    const s = tcp.socket();
    this.socket = s;
    this.#parser = new HttpParser<HttpResponse>("response", {
      onHead: (h) => this.#current?.h.onHead?.(h),
      onBody: (w, d) => this.#current?.h.onBody?.(w, d),
      onMessage: (m) => this.#response(m),
      onError: (e) => this.#fail({ kind: "parse", parse: e }),
    });
    s.onConnect = () => {
      this.#connectTimer?.cancel();
      this.#connectTimer = undefined;
      this.state = "open";
      this.onConnect?.();
      this.#next();
    };
    s.onData = (d) => {
      this.#gotBytes = true;
      this.#parser.push(typeof d === "number" ? new Uint8Array(d) : d);
    };
    s.onEnd = () => this.#peerClosed();
    s.onError = (e) => {
      if (this.state === "connecting") this.#fail({ kind: "connect", errno: e });
      else this.#fail({ kind: "reset", errno: e });
    };
    if (o.localAddr !== undefined) tcp.bind(s, o.localAddr, 0);
    const e = tcp.connect(s, addr, port);
    if (e) {
      // No SYN left: the failure is reported once callbacks are in place.
      const errno: TcpError = e === "EADDRINUSE" ? "EADDRNOTAVAIL" : e;
      this.#failure = { kind: "connect", errno, immediate: true };
      this.state = "closed";
      ns.dev.sim.after(0, () => this.#fail(this.#failure!));
      return;
    }
    if (o.connectTimeout !== undefined) {
      this.#connectTimer = ns.dev.sim.after(o.connectTimeout, () => {
        this.#connectTimer = undefined;
        if (this.state !== "connecting") return;
        s.abort(); // close() in SYN-SENT: the SYN is forgotten, nothing is sent
        this.#fail({ kind: "connect-timeout" });
      });
    }
  }

  /** Whether the connection is open with no request outstanding. */
  get idle(): boolean {
    return this.state === "open" && !this.#current && this.#queue.length === 0;
  }

  /** Whether a new request can be given to this connection. */
  get usable(): boolean {
    return this.state !== "closed";
  }

  /** Send a request (after the handshake and any earlier request). */
  request(req: HttpRequest, h: HttpRequestHandlers): void {
    if (this.state === "closed") {
      const f = this.#failure ?? { kind: "closed" as const };
      this.#ns.dev.sim.after(0, () => h.onError(f));
      return;
    }
    this.#queue.push({ req, h });
    if (this.state === "open") this.#next();
  }

  /** Close the connection (FIN); outstanding requests fail as "closed". */
  close(): void {
    if (this.state === "closed") return;
    this.#connectTimer?.cancel();
    this.socket.close();
    this.#closed({ kind: "closed" });
  }

  #next(): void {
    if (this.#current || this.state !== "open") return;
    const p = this.#queue.shift();
    if (!p) return;
    this.#current = p;
    this.#gotBytes = false;
    this.#parser.expect(p.req.method);
    this.socket.send(encodeRequest(p.req));
  }

  #response(m: HttpParsed<HttpResponse>): void {
    const p = this.#current;
    if (!p) return;
    this.#current = undefined;
    this.responses++;
    const persist = keepsAlive(p.req) && keepsAlive(m.message) && m.head.framing !== "close";
    // A response that ends the connection: closed before the caller hears of it.
    if (!persist && this.state !== "closed") {
      this.socket.close();
      this.#closed({ kind: "closed" });
    }
    p.h.onResponse(m.message, m);
    if (persist) this.#next();
  }

  #peerClosed(): void {
    const end = this.#parser.end(); // a body delimited by the close completes here
    if (!this.#current) {
      // The server closed an idle connection (its keep-alive timeout).
      if (this.state !== "closed") {
        this.socket.close();
        this.#closed({ kind: "closed" });
      }
      return;
    }
    if (end.kind === "in-body") {
      this.#fail({ kind: "partial", remaining: end.remaining, received: end.received });
    } else if (end.kind === "in-head" || this.#gotBytes) {
      this.#fail({ kind: "partial", received: 0 });
    } else {
      this.#fail({ kind: "empty" });
    }
  }

  #fail(e: HttpClientError): void {
    this.#failure = e;
    if (this.state !== "closed" && this.socket.state !== "CLOSED") this.socket.close();
    const cur = this.#current;
    this.#current = undefined;
    if (cur) cur.h.onError(e);
    else this.onError?.(e);
    this.#closed(
      e.kind === "parse" || e.kind === "partial" || e.kind === "empty" ? { kind: "closed" } : e,
    );
  }

  #closed(e: HttpClientError): void {
    const wasOpen = this.state !== "closed";
    this.state = "closed";
    const rest = this.#queue;
    this.#queue = [];
    for (const p of rest) p.h.onError(e);
    if (wasOpen || rest.length > 0) this.onClose?.();
  }
}

/** A GET request with the fields curl sends (Host, User-Agent, Accept). */
export function getRequest(
  target: string,
  host: string,
  o: { userAgent?: string; accept?: string; close?: boolean; method?: string } = {},
): HttpRequest {
  const headers = [
    { name: "Host", value: host },
    { name: "User-Agent", value: o.userAgent ?? "packetlab" },
    { name: "Accept", value: o.accept ?? "*/*" },
  ];
  if (o.close) headers.push({ name: "Connection", value: "close" });
  return {
    method: o.method ?? "GET",
    target,
    version: "HTTP/1.1",
    headers,
    body: new Uint8Array(0),
  };
}
