/**
 * HTTP/1.1 (RFC 9112, semantics RFC 9110) over packetlab's TCP: the message
 * representation and its serialisation ({@link encodeRequest},
 * {@link encodeResponse}, {@link encodeChunked}), an incremental parser that
 * reads either direction of a connection however TCP segments it
 * ({@link HttpParser}), a server that routes requests by path
 * ({@link HttpServer}), and a client connection that keeps itself alive for
 * the next request ({@link HttpConnection}).
 *
 * Contract: the parser reports malformed input as {@link HttpParseError} with
 * the status a server answers (400, 431, 501, 505) and nothing else; bytes
 * split at any boundary parse exactly as the whole buffer does. Server and
 * client only act in virtual time through their namespace's sockets.
 *
 * Not here: HTTP/2, TLS, caching, redirects, proxies, content codings,
 * 100-continue.
 *
 * @module
 */
export * from "./message.ts";
export * from "./parser.ts";
export * from "./server.ts";
export * from "./client.ts";
