/**
 * HTTP/1.1 messages (RFC 9112, semantics from RFC 9110): the representation of
 * a request and a response, their serialisation into the bytes a client or
 * server writes to its TCP connection, the chunked transfer coding (RFC 9112
 * §7.1) for sending, the reason phrases of the status codes used here, and the
 * persistence rule of RFC 9112 §9.3 (HTTP/1.1 keeps the connection unless
 * `Connection: close`; HTTP/1.0 closes unless `Connection: keep-alive`).
 *
 * Header fields stay an ordered list of name/value pairs with the names'
 * case as sent, as they are on the wire; lookups ignore case (RFC 9110 §5.1).
 *
 * @module
 */

/** One header field as sent: name (case kept) and value (without surrounding whitespace). */
export interface HttpField {
  /** Field name, e.g. "Content-Length". */
  name: string;
  /** Field value, e.g. "6". */
  value: string;
}

/** A request: request line, header fields and body (RFC 9112 §3). */
export interface HttpRequest {
  /** Method token, e.g. "GET". */
  method: string;
  /** Request target as sent: origin form ("/d?dn=x"), absolute form, "*" or an authority. */
  target: string;
  /** Protocol version, e.g. "HTTP/1.1". */
  version: string;
  /** Header fields in order. */
  headers: HttpField[];
  /** Body bytes (decoded from the chunked coding when it was chunked). */
  body: Uint8Array;
}

/** A response: status line, header fields and body (RFC 9112 §4). */
export interface HttpResponse {
  /** Protocol version, e.g. "HTTP/1.1". */
  version: string;
  /** Status code, 100–999. */
  status: number;
  /** Reason phrase (may be empty). */
  reason: string;
  /** Header fields in order. */
  headers: HttpField[];
  /** Body bytes (decoded from the chunked coding when it was chunked). */
  body: Uint8Array;
}

/** Reason phrases of RFC 9110 §15 for the codes packetlab's server and tools use. */
export const HTTP_REASON: Readonly<Record<number, string>> = {
  100: "Continue",
  200: "OK",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  411: "Length Required",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Text as bytes (UTF-8). */
export function utf8(text: string): Uint8Array {
  return enc.encode(text);
}

/** Bytes as text (UTF-8, invalid sequences replaced). */
export function text(bytes: Uint8Array): string {
  return dec.decode(bytes);
}

/** Every value of the field `name` (case-insensitive), in order. */
export function fieldValues(headers: readonly HttpField[], name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const f of headers) if (f.name.toLowerCase() === want) out.push(f.value);
  return out;
}

/**
 * The field `name` as one value: repeated fields joined with ", " (RFC 9110
 * §5.3), or undefined when absent.
 */
export function fieldValue(headers: readonly HttpField[], name: string): string | undefined {
  const v = fieldValues(headers, name);
  return v.length === 0 ? undefined : v.join(", ");
}

/** The comma-separated list elements of a field (RFC 9110 §5.6.1), lower-cased, empty ones dropped. */
export function fieldTokens(headers: readonly HttpField[], name: string): string[] {
  const out: string[] = [];
  for (const v of fieldValues(headers, name)) {
    for (const t of v.split(",")) {
      const s = t.trim().toLowerCase();
      if (s !== "") out.push(s);
    }
  }
  return out;
}

/**
 * Whether the connection stays open after this message (RFC 9112 §9.3):
 * `Connection: close` ends it; HTTP/1.1 persists by default; HTTP/1.0 only
 * with `Connection: keep-alive`.
 */
export function keepsAlive(m: { version: string; headers: readonly HttpField[] }): boolean {
  const c = fieldTokens(m.headers, "connection");
  if (c.includes("close")) return false;
  if (m.version === "HTTP/1.1") return true;
  return c.includes("keep-alive");
}

function head(startLine: string, headers: readonly HttpField[]): string {
  let s = startLine + "\r\n";
  for (const f of headers) s += `${f.name}: ${f.value}\r\n`;
  return s + "\r\n";
}

/** Concatenate byte arrays (one array is returned as it is). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The bytes of a request: request line, fields, empty line, body as given (no fields added). */
export function encodeRequest(r: HttpRequest): Uint8Array {
  return concatBytes([utf8(head(`${r.method} ${r.target} ${r.version}`, r.headers)), r.body]);
}

/** The head of a response (status line, fields, empty line) as text. */
export function responseHead(r: Omit<HttpResponse, "body">): string {
  return head(`${r.version} ${r.status} ${r.reason}`, r.headers);
}

/** The bytes of a response: status line, fields, empty line, body as given (no fields added). */
export function encodeResponse(r: HttpResponse): Uint8Array {
  return concatBytes([utf8(responseHead(r)), r.body]);
}

/**
 * A body in the chunked transfer coding (RFC 9112 §7.1): chunks of at most
 * `chunkSize` bytes, each as hex size CRLF data CRLF, then the last chunk
 * "0" CRLF and the empty line that ends an empty trailer section.
 */
export function encodeChunked(body: Uint8Array, chunkSize = 4096): Uint8Array {
  if (!(chunkSize >= 1)) throw new RangeError("chunk size must be at least 1");
  const parts: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += chunkSize) {
    const piece = body.subarray(at, Math.min(body.length, at + chunkSize));
    parts.push(utf8(piece.length.toString(16) + "\r\n"), piece, utf8("\r\n"));
  }
  parts.push(utf8("0\r\n\r\n"));
  return concatBytes(parts);
}
