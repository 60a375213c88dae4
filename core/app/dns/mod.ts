/**
 * DNS: the wire format and dig's text form (RFC 1035, RFC 3596, RFC 6891,
 * RFC 2181 §9, RFC 3597), zones, authoritative servers with GSLB policies,
 * a recursive resolver with its cache, and the stub resolver of a host.
 *
 * Contract: {@link encodeDns} and {@link decodeDns} turn a {@link DnsMessage}
 * into the UDP payload of port 53 and back, compressing names as BIND does;
 * decoding throws nothing but `WireError` (from `core/wire/errors.ts`),
 * whatever the bytes, and cannot loop on compression pointers. A decoded
 * message re-encodes to the same bytes when its sender compressed as this
 * encoder does (first occurrence of each suffix, exact case). {@link truncateDns} fits a
 * response into a UDP payload limit ({@link dnsPayloadLimit}) the way a server
 * does. Names are text in presentation form with a trailing dot
 * ({@link parseDnsName}, {@link dnsNameEquals} compares them ignoring ASCII
 * case); {@link formatRecord} and {@link formatDnsMessage} print what dig prints.
 *
 * Servers and resolvers run in virtual time on a namespace's sockets:
 * {@link AuthoritativeServer} answers from {@link Zone}s (and {@link Gslb}
 * policies), {@link RecursiveResolver} iterates from the root hints and
 * caches ({@link DnsCache}), {@link StubResolver} is glibc's resolver reading
 * /etc/resolv.conf and /etc/hosts. Their `answer` and `resolve` methods are the API
 * other protocols (HTTPDNS, CDN) build on; {@link dnsExchange} sends one query
 * over UDP or TCP.
 *
 * Not here: DNSSEC and TSIG beyond carrying their records as bytes.
 *
 * @module
 */
export * from "./message.ts";
export * from "./name.ts";
export * from "./format.ts";
export * from "./zone.ts";
export * from "./transport.ts";
export * from "./gslb.ts";
export * from "./authoritative.ts";
export * from "./cache.ts";
export * from "./resolver.ts";
export * from "./stub.ts";
