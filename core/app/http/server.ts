/**
 * A minimal HTTP/1.1 origin server (RFC 9112, RFC 9110) on a namespace's TCP
 * stack: it listens on a port, parses each connection's requests with
 * {@link HttpParser}, dispatches them by path to registered handlers, and
 * writes the responses in request order (pipelined requests are answered one
 * after the other).
 *
 * Status codes it produces itself: 404 for a path with no route, 405 with an
 * `Allow` field for a method the route does not take (RFC 9110 §15.5.6), and
 * for a request that does not parse, the parser's status — 400 (malformed
 * request line, field, Host, Content-Length or framing), 431 (head over 16
 * KiB), 501 (a transfer coding other than chunked), 505 (an HTTP major
 * version other than 1) — after which the connection is closed, since the
 * stream can no longer be split into messages (RFC 9112 §9.3).
 *
 * Persistence (RFC 9112 §9.3): an HTTP/1.1 connection stays open unless the
 * request says `Connection: close` (the response then says so too, and the
 * server closes after it); HTTP/1.0 only with `Connection: keep-alive`. An
 * idle connection is closed after `keepAliveTimeout` (5 s, Apache's
 * KeepAliveTimeout), and when the client closes its side.
 *
 * HEAD runs the GET handler and sends the head only, Content-Length included.
 * Responses carry `Server`, `Content-Length` (or `Transfer-Encoding: chunked`
 * when the handler asks for it) and the handler's fields.
 *
 * Simplified: handlers answer at once (no deferred responses); no `Date`
 * field — RFC 9110 §6.6.1 forbids it to a server without a clock, and
 * packetlab has only virtual time; no Expect/100-continue, no request body
 * limit, no request timeout for a half-received request, no TLS.
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import type { NetNs } from "../../node/netns.ts";
import type { Timer } from "../../sim/simulator.ts";
import type { TcpSocket } from "../../transport/tcp/socket.ts";
import type { Errno } from "../../ip/ipv4.ts";
import { type HttpParseError, HttpParser } from "./parser.ts";
import {
  encodeChunked,
  HTTP_REASON,
  type HttpField,
  type HttpRequest,
  keepsAlive,
  responseHead,
  utf8,
} from "./message.ts";

/** What a handler sees of one request. */
export interface HttpExchange {
  /** The request, body decoded. */
  request: HttpRequest;
  /** The path of the target (without the query), e.g. "/d". */
  path: string;
  /** The query parameters of the target. */
  query: URLSearchParams;
  /** The client's address and port, as the TCP connection shows them. */
  remoteAddr: Ip4;
  /** The client's port. */
  remotePort: number;
  /** The address the client connected to. */
  localAddr: Ip4;
  /** The port the client connected to. */
  localPort: number;
  /** Which connection of this server (0 for the first accepted). */
  connection: number;
}

/** A handler's answer. */
export interface HttpReply {
  /** Status code (default 200). */
  status?: number;
  /** Extra header fields, in order (Server and the framing field are added). */
  headers?: HttpField[];
  /** Body; a string is sent as UTF-8. */
  body?: Uint8Array | string;
  /** Send the body in the chunked transfer coding, in chunks of this many bytes. */
  chunked?: number;
}

/** Handles the requests of one route. */
export type HttpHandler = (ex: HttpExchange) => HttpReply;

/** One line of the server's access log. */
export interface HttpLogEntry {
  /** Virtual time of the response, ns. */
  time: number;
  /** Which connection (0-based, in accept order). */
  connection: number;
  /** Client address. */
  remoteAddr: Ip4;
  /** Client port. */
  remotePort: number;
  /** Method, or "-" when the request did not parse. */
  method: string;
  /** Request target, or "-". */
  target: string;
  /** Status sent. */
  status: number;
  /** Body bytes sent. */
  bytes: number;
}

/** Server settings. */
export interface HttpServerOptions {
  /** TCP port (default 80). */
  port?: number;
  /** Local address to bind (default 0: every address). */
  address?: Ip4;
  /** Idle time after which a persistent connection is closed, ns (default 5 s). */
  keepAliveTimeout?: number;
  /** The `Server` field (default "packetlab"). */
  name?: string;
  /** listen() backlog (default 511, nginx's). */
  backlog?: number;
}

interface Route {
  methods: string[];
  handler: HttpHandler;
}

interface Conn {
  id: number;
  sock: TcpSocket;
  parser: HttpParser<HttpRequest>;
  idle: Timer | undefined;
  closing: boolean;
  pending: Uint8Array[];
}

/**
 * An HTTP/1.1 server on one namespace.
 *
 * @example
 * ```ts ignore
 * const web = new HttpServer(b.root, { port: 80 });
 * web.route("/", () => ({ body: "hello\n", headers: [{ name: "Content-Type", value: "text/plain" }] }));
 * web.start();
 * ```
 */
export class HttpServer {
  /** The namespace it runs in. */
  readonly ns: NetNs;
  /** The TCP port. */
  readonly port: number;
  /** The settings in force. */
  readonly options: Required<HttpServerOptions>;
  /** Every response sent, in order. */
  readonly log: HttpLogEntry[] = [];
  /** Connections accepted so far. */
  accepted = 0;
  #routes = new Map<string, Route>();
  #listener: TcpSocket | undefined;
  #conns = new Set<Conn>();

  /** A server for `ns`; call {@link route} and {@link start}. */
  constructor(ns: NetNs, options: HttpServerOptions = {}) {
    this.ns = ns;
    this.options = {
      port: options.port ?? 80,
      address: options.address ?? 0,
      keepAliveTimeout: options.keepAliveTimeout ?? 5e9,
      name: options.name ?? "packetlab",
      backlog: options.backlog ?? 511,
    };
    this.port = this.options.port;
  }

  /** Serve `path` (exact match on the target's path) with `handler` for `methods` (default GET and HEAD). */
  route(path: string, handler: HttpHandler, methods: string[] = ["GET", "HEAD"]): this {
    this.#routes.set(path, { methods, handler });
    return this;
  }

  /** Bind and listen; returns an errno when the port cannot be had. */
  start(): Errno | "EADDRINUSE" | undefined {
    const tcp = this.ns.tcp;
    const l = tcp.socket();
    const e = tcp.bind(l, this.options.address, this.port);
    if (e) return e;
    const le = tcp.listen(l, this.options.backlog);
    if (le) return le;
    l.onAccept = () => {
      for (let c = tcp.accept(l); c; c = tcp.accept(l)) this.#adopt(c);
    };
    this.#listener = l;
    return undefined;
  }

  /** Stop listening and close every connection. */
  stop(): void {
    this.#listener?.close();
    this.#listener = undefined;
    for (const c of [...this.#conns]) this.#close(c);
  }

  /** Connections open now. */
  get open(): number {
    return this.#conns.size;
  }

  #adopt(sock: TcpSocket): void {
    const id = this.accepted++;
    const conn: Conn = {
      id,
      sock,
      parser: undefined as unknown as HttpParser<HttpRequest>,
      idle: undefined,
      closing: false,
      pending: [],
    };
    conn.parser = new HttpParser<HttpRequest>("request", {
      onMessage: (m) => this.#serve(conn, m.message),
      onError: (e) => this.#reject(conn, e),
    });
    this.#conns.add(conn);
    sock.onData = (d) => {
      conn.idle?.cancel();
      conn.idle = undefined;
      if (conn.closing) return;
      conn.parser.push(typeof d === "number" ? new Uint8Array(d) : d);
      if (!conn.closing && !conn.parser.inMessage) this.#armIdle(conn);
    };
    sock.onEnd = () => {
      // The client is done sending: answer nothing more, close our side.
      if (!conn.closing) this.#close(conn);
    };
    sock.onError = () => this.#forget(conn);
    sock.onWritable = () => this.#flush(conn);
    sock.onConnect = () => this.#armIdle(conn);
  }

  #armIdle(c: Conn): void {
    c.idle?.cancel();
    c.idle = this.ns.dev.sim.after(this.options.keepAliveTimeout, () => {
      c.idle = undefined;
      this.#close(c);
    });
  }

  #serve(c: Conn, req: HttpRequest): void {
    if (c.closing) return;
    const { path, query } = splitTarget(req.target);
    const route = this.#routes.get(path);
    const persist = keepsAlive(req);
    const ex: HttpExchange = {
      request: req,
      path,
      query,
      remoteAddr: c.sock.remoteAddr,
      remotePort: c.sock.remotePort,
      localAddr: c.sock.localAddr,
      localPort: c.sock.localPort,
      connection: c.id,
    };
    let reply: HttpReply;
    if (!route) {
      reply = errorReply(404);
    } else if (!route.methods.includes(req.method)) {
      reply = errorReply(405);
      reply.headers = [{ name: "Allow", value: route.methods.join(", ") }, ...reply.headers!];
    } else {
      const asGet = req.method === "HEAD" ? { ...ex, request: { ...req, method: "GET" } } : ex;
      reply = route.handler(req.method === "HEAD" ? asGet : ex);
    }
    this.#send(c, req.method, req.target, req.version, reply, persist);
  }

  #reject(c: Conn, e: HttpParseError): void {
    this.#send(c, "-", "-", "HTTP/1.1", errorReply(e.status), false);
  }

  #send(
    c: Conn,
    method: string,
    target: string,
    version: string,
    reply: HttpReply,
    persist: boolean,
  ): void {
    const status = reply.status ?? 200;
    const body = typeof reply.body === "string" ? utf8(reply.body) : reply.body ?? new Uint8Array();
    const headers: HttpField[] = [{ name: "Server", value: this.options.name }];
    headers.push(...(reply.headers ?? []));
    const noBody = status < 200 || status === 204 || status === 304;
    if (!noBody) {
      if (reply.chunked) headers.push({ name: "Transfer-Encoding", value: "chunked" });
      else headers.push({ name: "Content-Length", value: String(body.length) });
    }
    if (!persist) headers.push({ name: "Connection", value: "close" });
    else if (version === "HTTP/1.0") headers.push({ name: "Connection", value: "keep-alive" });
    const reason = HTTP_REASON[status] ?? "Unknown";
    const head = utf8(responseHead({ version: "HTTP/1.1", status, reason, headers }));
    const sendBody = method !== "HEAD" && !noBody;
    const wireBody = !sendBody
      ? new Uint8Array()
      : reply.chunked
      ? encodeChunked(body, reply.chunked)
      : body;
    // Head and body in one write, as a server's writev() does.
    const out = new Uint8Array(head.length + wireBody.length);
    out.set(head);
    out.set(wireBody, head.length);
    this.log.push({
      time: this.ns.dev.sim.now,
      connection: c.id,
      remoteAddr: c.sock.remoteAddr,
      remotePort: c.sock.remotePort,
      method,
      target,
      status,
      bytes: sendBody ? body.length : 0,
    });
    c.pending.push(out);
    this.#flush(c);
    if (!persist) this.#close(c);
  }

  #flush(c: Conn): void {
    while (c.pending.length > 0) {
      const p = c.pending[0]!;
      const n = c.sock.send(p);
      if (n < p.length) {
        c.pending[0] = p.subarray(n);
        return;
      }
      c.pending.shift();
    }
    if (c.closing) c.sock.close();
  }

  /** Close after what is queued has been handed to TCP (FIN follows the data). */
  #close(c: Conn): void {
    c.closing = true;
    c.idle?.cancel();
    c.idle = undefined;
    if (c.pending.length === 0) c.sock.close();
    this.#conns.delete(c);
  }

  #forget(c: Conn): void {
    c.closing = true;
    c.idle?.cancel();
    c.idle = undefined;
    this.#conns.delete(c);
  }
}

/** The path and query of a request target (origin or absolute form). */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  let t = target;
  const abs = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(t);
  if (abs) t = t.slice(abs[0].length) || "/";
  const hash = t.indexOf("#");
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf("?");
  const path = q < 0 ? t : t.slice(0, q);
  return { path, query: new URLSearchParams(q < 0 ? "" : t.slice(q + 1)) };
}

/** A plain-text error reply: "404 Not Found\n". */
function errorReply(status: number): HttpReply {
  return {
    status,
    headers: [{ name: "Content-Type", value: "text/plain" }],
    body: `${status} ${HTTP_REASON[status] ?? "Error"}\n`,
  };
}
