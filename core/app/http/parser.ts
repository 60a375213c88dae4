/**
 * An incremental HTTP/1.1 message parser (RFC 9112) for the bytes of one TCP
 * connection, in either direction: a server parses requests, a client parses
 * responses. Bytes arrive in whatever pieces TCP delivers them; the parser
 * keeps what it has not used yet, so a message split at any byte boundary, or
 * several messages in one segment (pipelining), parse exactly as one whole
 * buffer does.
 *
 * What it checks, with the status a server answers:
 * - the request line `method SP request-target SP HTTP-version` (§3): a token
 *   method, a target in origin form, absolute form, `*` (OPTIONS) or authority
 *   form (CONNECT), and a version `HTTP/d.d` — anything else is 400; a
 *   well-formed version other than 1.x is 505 (RFC 9110 §15.6.6);
 * - field lines `name: value` (§5): a token name with no whitespace before the
 *   colon, no control characters in the value; obsolete line folding is 400 in a
 *   request (§5.2) and unfolded into one space in a response;
 * - exactly one `Host` in an HTTP/1.1 request (§3.2), else 400;
 * - the body length (§6.3): no body for responses to HEAD and for 1xx, 204 and
 *   304; `Transfer-Encoding` ending in `chunked` (§7.1: sizes in hex, chunk
 *   extensions ignored, trailer fields read and dropped); else a valid
 *   `Content-Length` (a list of equal values counts as one); else a request
 *   has no body and a response runs until the connection closes. A request
 *   with both `Transfer-Encoding` and `Content-Length`, a transfer coding that
 *   is not chunked last, or `Transfer-Encoding` in HTTP/1.0 is rejected (400;
 *   501 for a coding this server does not know) — the request-smuggling cases
 *   of §6.1 and §11.2;
 * - the start line and fields together are at most 16 KiB (else 431).
 *
 * Empty lines before a start line are skipped (§2.2); a bare LF ends a line
 * as CRLF does (§2.2 allows it); a bare CR elsewhere is an error.
 *
 * Simplified: no 100-continue handling beyond skipping interim 1xx responses,
 * no decoding of transfer codings other than chunked (a response coded
 * `gzip, chunked` keeps its gzip bytes), trailer fields are not kept.
 *
 * @module
 */
import { concatBytes, type HttpField, type HttpRequest, type HttpResponse } from "./message.ts";

/** Which side's messages the parser reads. */
export type HttpParserMode = "request" | "response";

/** How a message's body was delimited. */
export type HttpFraming = "none" | "length" | "chunked" | "close";

/** Why a message could not be parsed. */
export type HttpErrorKind =
  | "request-line"
  | "status-line"
  | "http09"
  | "version"
  | "field"
  | "obs-fold"
  | "host"
  | "content-length"
  | "transfer-encoding"
  | "unknown-coding"
  | "chunk"
  | "too-large";

/** A message that breaks RFC 9112; `status` is what a server answers (400, 431, 501, 505). */
export class HttpParseError extends Error {
  /** What was wrong. */
  readonly kind: HttpErrorKind;
  /** The status code a server responds with. */
  readonly status: number;

  /** An error of `kind` with a human-readable `message`; `status` defaults to 400. */
  constructor(kind: HttpErrorKind, message: string, status = 400) {
    super(message);
    this.name = "HttpParseError";
    this.kind = kind;
    this.status = status;
  }
}

/** The start line and fields of a message, as soon as they are complete. */
export interface HttpHead {
  /** The request or response without its body (body empty). */
  message: HttpRequest | HttpResponse;
  /** The lines of the head exactly as received, each with its line ending, the empty line last. */
  rawLines: string[];
  /** How the body is delimited. */
  framing: HttpFraming;
  /** The Content-Length, when the body is delimited by it. */
  contentLength: number | undefined;
}

/** A complete message with how it was framed. */
export interface HttpParsed<M> {
  /** The message, body decoded. */
  message: M;
  /** The head as received. */
  head: HttpHead;
  /** Bytes the message took on the wire (head and body with its framing). */
  wireLength: number;
}

/** Where the connection's end left the parser (see {@link HttpParser.end}). */
export type HttpEnd =
  | { kind: "idle" }
  | { kind: "complete" }
  | { kind: "in-head"; received: number }
  | { kind: "in-body"; remaining: number | undefined; received: number };

/** Callbacks of a parser. */
export interface HttpParserEvents<M> {
  /** Start line and fields complete. */
  onHead?(head: HttpHead): void;
  /** Body bytes parsed from one `push`: `wire` bytes of the stream (framing included), `data` decoded. */
  onBody?(wire: number, data: Uint8Array): void;
  /** A whole message. */
  onMessage(parsed: HttpParsed<M>): void;
  /** The stream is unusable from here on. */
  onError?(e: HttpParseError): void;
}

/** Start line plus fields, at most (Node's default maximum header size). */
export const MAX_HEAD_BYTES = 16384;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
/** Control characters other than HTAB, which a field value may not hold (RFC 9110 §5.5). */
function hasBadFieldChar(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

type State =
  | "start"
  | "fields"
  | "length"
  | "chunk-size"
  | "chunk-data"
  | "chunk-end"
  | "trailer"
  | "close"
  | "dead";

/** Latin-1: each byte one char, so obs-text survives as it came. */
function latin1(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * Parses the messages of one direction of a connection.
 *
 * @example
 * ```ts
 * import { HttpParser } from "./parser.ts";
 * import { utf8 } from "./message.ts";
 * const got: string[] = [];
 * const p = new HttpParser("request", { onMessage: (m) => got.push(m.message.target) });
 * p.push(utf8("GET /a HTTP/1.1\r\nHost: x\r\n"));
 * p.push(utf8("\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
 * console.assert(got.join() === "/a,/b");
 * ```
 */
export class HttpParser<M extends HttpRequest | HttpResponse = HttpRequest | HttpResponse> {
  /** Which side's messages. */
  readonly mode: HttpParserMode;
  #ev: HttpParserEvents<M>;
  #buf = new Uint8Array(0);
  #len = 0;
  #pos = 0;
  /** Where to resume the search for LF (bytes before it hold none). */
  #scan = 0;
  #state: State = "start";
  #error: HttpParseError | undefined;
  // The message being parsed.
  #startLine = "";
  #rawLines: string[] = [];
  #fields: HttpField[] = [];
  #headBytes = 0;
  #head: HttpHead | undefined;
  #body: Uint8Array[] = [];
  #bodyLen = 0;
  #remaining = 0;
  #wire = 0;
  #wireThisPush = 0;
  #bodyThisPush: Uint8Array[] = [];
  /** Methods of the requests whose responses are awaited (response mode). */
  #methods: string[] = [];

  /** A parser for `mode`'s messages, reporting through `events`. */
  constructor(mode: HttpParserMode, events: HttpParserEvents<M>) {
    this.mode = mode;
    this.#ev = events;
  }

  /** The error that stopped the parser, if any. */
  get error(): HttpParseError | undefined {
    return this.#error;
  }

  /** Bytes held that belong to no complete message yet. */
  get buffered(): number {
    return this.#len - this.#pos;
  }

  /** Whether a message is partly received (its start line or more). */
  get inMessage(): boolean {
    return this.#state !== "start" || this.buffered > 0 && this.#hasNonEmpty();
  }

  /**
   * Response mode: the method of the next request sent, so that the response
   * to a HEAD is known to have no body. Call once per request, in order.
   */
  expect(method: string): void {
    this.#methods.push(method);
  }

  /** Feed the next bytes of the stream. */
  push(bytes: Uint8Array): void {
    if (this.#state === "dead") return;
    this.#append(bytes);
    this.#wireThisPush = 0;
    this.#bodyThisPush = [];
    try {
      while (this.#step());
    } catch (e) {
      if (!(e instanceof HttpParseError)) throw e;
      this.#flushBodyEvent();
      this.#fail(e);
      return;
    }
    this.#flushBodyEvent();
  }

  /**
   * The peer closed its direction: a response delimited by the close is
   * complete now; tell where the stream stopped.
   */
  end(): HttpEnd {
    if (this.#state === "dead") return { kind: "idle" };
    if (this.#state === "close") {
      this.#finish();
      this.#state = "dead";
      return { kind: "complete" };
    }
    if (this.#state === "start" && !this.#hasNonEmpty()) return { kind: "idle" };
    if (this.#state === "start" || this.#state === "fields") {
      return { kind: "in-head", received: this.#headBytes + this.buffered };
    }
    return {
      kind: "in-body",
      remaining: this.#state === "length" ? this.#remaining : undefined,
      received: this.#bodyLen,
    };
  }

  #hasNonEmpty(): boolean {
    for (let i = this.#pos; i < this.#len; i++) {
      const c = this.#buf[i]!;
      if (c !== 0x0d && c !== 0x0a) return true;
    }
    return false;
  }

  #fail(e: HttpParseError): void {
    this.#error = e;
    this.#state = "dead";
    this.#ev.onError?.(e);
  }

  #append(bytes: Uint8Array): void {
    if (this.#pos > 0 && this.#pos === this.#len) {
      this.#scan -= this.#pos;
      this.#pos = this.#len = 0;
    }
    const need = this.#len + bytes.length;
    if (need > this.#buf.length) {
      const keep = this.#len - this.#pos;
      const next = new Uint8Array(Math.max(need - this.#pos, keep * 2, 1024));
      next.set(this.#buf.subarray(this.#pos, this.#len));
      this.#scan -= this.#pos;
      this.#len = keep;
      this.#pos = 0;
      this.#buf = next;
    }
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /**
   * The next line without its ending, or undefined when no LF has arrived.
   * `limit` bounds the line (with what the head already used).
   */
  #line(limit: number): { text: string; raw: string; size: number } | undefined {
    const b = this.#buf;
    let i = Math.max(this.#scan, this.#pos);
    while (i < this.#len && b[i] !== 0x0a) i++;
    if (i >= this.#len) {
      this.#scan = this.#len;
      if (this.#len - this.#pos > limit) {
        throw new HttpParseError("too-large", "header section too large", 431);
      }
      return undefined;
    }
    const size = i + 1 - this.#pos;
    if (size > limit) throw new HttpParseError("too-large", "header section too large", 431);
    let end = i;
    if (end > this.#pos && b[end - 1] === 0x0d) end--;
    for (let k = this.#pos; k < end; k++) {
      if (b[k] === 0x0d) throw new HttpParseError("field", "bare CR in a line");
    }
    const text = latin1(b, this.#pos, end);
    const raw = latin1(b, this.#pos, i + 1);
    this.#pos = i + 1;
    this.#scan = this.#pos;
    return { text, raw, size };
  }

  /** One step; false when more bytes are needed. */
  #step(): boolean {
    switch (this.#state) {
      case "start":
        return this.#stepStart();
      case "fields":
        return this.#stepFields();
      case "length":
        return this.#stepLength();
      case "chunk-size":
        return this.#stepChunkSize();
      case "chunk-data":
        return this.#stepChunkData();
      case "chunk-end":
        return this.#stepChunkEnd();
      case "trailer":
        return this.#stepTrailer();
      case "close":
        return this.#stepClose();
      case "dead":
        return false;
    }
  }

  #stepStart(): boolean {
    // A response that does not begin like a status line is HTTP/0.9, which
    // curl refuses; decided on the first bytes, however few have arrived.
    if (this.mode === "response") this.#checkStatusPrefix();
    const l = this.#line(MAX_HEAD_BYTES);
    if (!l) return false;
    if (l.text === "") {
      this.#wire += l.size;
      return true; // RFC 9112 §2.2: ignore empty lines before the start line
    }
    this.#startLine = l.text;
    this.#rawLines = [l.raw];
    this.#fields = [];
    this.#headBytes = l.size;
    this.#wire += l.size;
    this.#state = "fields";
    return true;
  }

  #checkStatusPrefix(): void {
    const first = this.#buf[this.#pos];
    if (this.#pos >= this.#len || first === 0x0d || first === 0x0a) return;
    const n = Math.min(5, this.#len - this.#pos);
    if (latin1(this.#buf, this.#pos, this.#pos + n) !== "HTTP/".slice(0, n)) {
      throw new HttpParseError("http09", "Received HTTP/0.9 when not allowed");
    }
  }

  #stepFields(): boolean {
    const l = this.#line(MAX_HEAD_BYTES - this.#headBytes);
    if (!l) return false;
    this.#headBytes += l.size;
    this.#wire += l.size;
    this.#rawLines.push(l.raw);
    if (l.text === "") {
      this.#endOfHead();
      return true;
    }
    const c0 = l.text.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      // obs-fold (RFC 9112 §5.2): a server rejects it; a client unfolds it.
      const last = this.#fields[this.#fields.length - 1];
      if (this.mode === "request" || !last) {
        throw new HttpParseError("obs-fold", "obsolete line folding");
      }
      last.value = (last.value + " " + l.text.trim()).trim();
      return true;
    }
    const colon = l.text.indexOf(":");
    const name = colon < 0 ? "" : l.text.slice(0, colon);
    if (!TOKEN.test(name)) {
      throw new HttpParseError("field", `bad field line: ${JSON.stringify(l.text.slice(0, 40))}`);
    }
    const value = l.text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (hasBadFieldChar(value)) {
      throw new HttpParseError("field", `bad value in field ${name}`);
    }
    this.#fields.push({ name, value });
    return true;
  }

  #endOfHead(): void {
    const message = this.mode === "request" ? this.#requestHead() : this.#responseHead();
    const { framing, length } = this.#framing(message);
    const head: HttpHead = {
      message,
      rawLines: this.#rawLines,
      framing,
      contentLength: framing === "length" ? length : undefined,
    };
    this.#head = head;
    this.#body = [];
    this.#bodyLen = 0;
    // Interim responses (1xx) carry no body and precede the final one.
    if (this.mode === "response" && (message as HttpResponse).status < 200) {
      this.#ev.onHead?.(head);
      this.#reset();
      return;
    }
    this.#ev.onHead?.(head);
    switch (framing) {
      case "none":
        this.#finish();
        return;
      case "length":
        this.#remaining = length;
        this.#state = "length";
        if (length === 0) this.#finish();
        return;
      case "chunked":
        this.#state = "chunk-size";
        return;
      case "close":
        this.#state = "close";
        return;
    }
  }

  #requestHead(): HttpRequest {
    const parts = this.#startLine.split(" ");
    if (parts.length !== 3) {
      throw new HttpParseError("request-line", "malformed request line");
    }
    const [method, target, version] = parts as [string, string, string];
    if (!TOKEN.test(method)) throw new HttpParseError("request-line", "bad method");
    if (!/^[\x21-\x7e]+$/.test(target)) throw new HttpParseError("request-line", "bad target");
    const v = VERSION.exec(version);
    if (!v) throw new HttpParseError("version", "bad HTTP version");
    if (v[1] !== "1") {
      throw new HttpParseError("version", `unsupported version ${version}`, 505);
    }
    const form = target.startsWith("/")
      ? "origin"
      : /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target)
      ? "absolute"
      : target === "*"
      ? "asterisk"
      : "authority";
    if (
      (form === "asterisk" && method !== "OPTIONS") ||
      (form === "authority" && (method !== "CONNECT" || !/^[^/?#@]+:\d+$/.test(target))) ||
      (method === "CONNECT" && form !== "authority")
    ) {
      throw new HttpParseError("request-line", "bad request target");
    }
    const hosts = this.#fields.filter((f) => f.name.toLowerCase() === "host");
    if (hosts.length > 1 || (hosts.length === 0 && version !== "HTTP/1.0")) {
      throw new HttpParseError("host", hosts.length > 1 ? "several Host fields" : "no Host field");
    }
    if (hosts[0] && /[\s/@?#]/.test(hosts[0].value)) {
      throw new HttpParseError("host", "bad Host field");
    }
    // A 1.x version above 1.1 is answered as 1.1 (RFC 9112 §2.3).
    const normal = version === "HTTP/1.0" ? version : "HTTP/1.1";
    return {
      method,
      target,
      version: version === normal ? version : normal,
      headers: this.#fields,
      body: new Uint8Array(0),
    };
  }

  #responseHead(): HttpResponse {
    const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(this.#startLine);
    if (!m) throw new HttpParseError("status-line", "Unsupported HTTP version in response");
    if (!m[1]!.startsWith("HTTP/1.")) {
      throw new HttpParseError("version", "Unsupported HTTP version in response", 505);
    }
    return {
      version: m[1]!,
      status: Number(m[2]),
      reason: m[3] ?? "",
      headers: this.#fields,
      body: new Uint8Array(0),
    };
  }

  #framing(m: HttpRequest | HttpResponse): { framing: HttpFraming; length: number } {
    const isReq = this.mode === "request";
    if (!isReq) {
      const status = (m as HttpResponse).status;
      const method = status >= 200 ? this.#methods.shift() : this.#methods[0];
      if (method === "HEAD" || status < 200 || status === 204 || status === 304) {
        return { framing: "none", length: 0 };
      }
    }
    const te: string[] = [];
    const cl: string[] = [];
    for (const f of m.headers) {
      const n = f.name.toLowerCase();
      if (n === "transfer-encoding") {
        for (const t of f.value.split(",")) if (t.trim() !== "") te.push(t.trim().toLowerCase());
      } else if (n === "content-length") {
        for (const t of f.value.split(",")) cl.push(t.trim());
      }
    }
    const hasTe = m.headers.some((f) => f.name.toLowerCase() === "transfer-encoding");
    if (hasTe) {
      if (isReq) {
        if (cl.length > 0) {
          throw new HttpParseError("transfer-encoding", "Transfer-Encoding with Content-Length");
        }
        if (m.version === "HTTP/1.0") {
          throw new HttpParseError("transfer-encoding", "Transfer-Encoding in HTTP/1.0");
        }
        if (te[te.length - 1] !== "chunked") {
          throw new HttpParseError("transfer-encoding", "chunked is not the final coding");
        }
        if (te.length > 1) {
          throw new HttpParseError("unknown-coding", `transfer coding ${te[0]}`, 501);
        }
        return { framing: "chunked", length: 0 };
      }
      return te[te.length - 1] === "chunked"
        ? { framing: "chunked", length: 0 }
        : { framing: "close", length: 0 };
    }
    if (cl.length > 0) {
      if (!cl.every((v) => /^\d+$/.test(v)) || new Set(cl.map((v) => Number(v))).size !== 1) {
        throw new HttpParseError("content-length", "bad Content-Length");
      }
      const n = Number(cl[0]);
      if (!Number.isSafeInteger(n)) {
        throw new HttpParseError("content-length", "bad Content-Length");
      }
      return { framing: "length", length: n };
    }
    return isReq ? { framing: "none", length: 0 } : { framing: "close", length: 0 };
  }

  #take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    this.#scan = Math.max(this.#scan, this.#pos);
    return out;
  }

  #bodyBytes(data: Uint8Array, wire: number): void {
    this.#wire += wire;
    this.#wireThisPush += wire;
    if (data.length > 0) {
      this.#body.push(data);
      this.#bodyLen += data.length;
      this.#bodyThisPush.push(data);
    }
  }

  #flushBodyEvent(): void {
    if (this.#wireThisPush === 0 || !this.#ev.onBody) {
      this.#wireThisPush = 0;
      this.#bodyThisPush = [];
      return;
    }
    const wire = this.#wireThisPush;
    const data = concatBytes(this.#bodyThisPush);
    this.#wireThisPush = 0;
    this.#bodyThisPush = [];
    this.#ev.onBody(wire, data);
  }

  #stepLength(): boolean {
    const n = Math.min(this.#remaining, this.#len - this.#pos);
    if (n === 0) return false;
    this.#bodyBytes(this.#take(n), n);
    this.#remaining -= n;
    if (this.#remaining === 0) this.#finish();
    return true;
  }

  #stepChunkSize(): boolean {
    const l = this.#line(MAX_HEAD_BYTES);
    if (!l) {
      const held = latin1(this.#buf, this.#pos, this.#len);
      if (held !== "" && !/^[0-9A-Fa-f]/.test(held)) throw badChunk();
      return false;
    }
    const m = /^([0-9A-Fa-f]{1,13})[ \t]*(;.*)?$/.exec(l.text);
    if (!m) throw badChunk();
    const size = parseInt(m[1]!, 16);
    this.#bodyBytes(new Uint8Array(0), l.size);
    if (size === 0) {
      this.#state = "trailer";
      return true;
    }
    this.#remaining = size;
    this.#state = "chunk-data";
    return true;
  }

  #stepChunkData(): boolean {
    const n = Math.min(this.#remaining, this.#len - this.#pos);
    if (n === 0) return false;
    this.#bodyBytes(this.#take(n), n);
    this.#remaining -= n;
    if (this.#remaining === 0) this.#state = "chunk-end";
    return true;
  }

  #stepChunkEnd(): boolean {
    // The CRLF after a chunk's data (a bare LF accepted as elsewhere).
    const held = this.#len - this.#pos;
    if (held === 0) return false;
    const c = this.#buf[this.#pos];
    let size = 1;
    if (c === 0x0d) {
      if (held < 2) return false;
      if (this.#buf[this.#pos + 1] !== 0x0a) throw badChunk();
      size = 2;
    } else if (c !== 0x0a) throw badChunk();
    this.#pos += size;
    this.#scan = Math.max(this.#scan, this.#pos);
    this.#bodyBytes(new Uint8Array(0), size);
    this.#state = "chunk-size";
    return true;
  }

  #stepTrailer(): boolean {
    const l = this.#line(MAX_HEAD_BYTES);
    if (!l) return false;
    this.#bodyBytes(new Uint8Array(0), l.size);
    if (l.text === "") {
      this.#finish();
      return true;
    }
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:/.test(l.text)) throw badChunk();
    return true;
  }

  #stepClose(): boolean {
    const n = this.#len - this.#pos;
    if (n === 0) return false;
    this.#bodyBytes(this.#take(n), n);
    return true;
  }

  #finish(): void {
    const head = this.#head!;
    const body = concatBytes(this.#body);
    const message = { ...head.message, body } as M;
    const wireLength = this.#wire;
    this.#reset();
    // The body event of this push goes before the message it completes.
    this.#flushBodyEvent();
    this.#ev.onMessage({ message, head, wireLength });
  }

  #reset(): void {
    this.#state = "start";
    this.#head = undefined;
    this.#body = [];
    this.#bodyLen = 0;
    this.#remaining = 0;
    this.#wire = 0;
    this.#headBytes = 0;
  }
}

function badChunk(): HttpParseError {
  return new HttpParseError("chunk", "Illegal or missing hexadecimal sequence in chunked-encoding");
}
