/**
 * HTTPDNS: name resolution over HTTP, bypassing the local DNS path. The
 * service ({@link HttpDnsServer}) answers DNSPod D+-style `GET /d?dn=NAME`
 * requests from a provider's authoritative data and GSLB policies, for the
 * client's own address; the client library an app embeds
 * ({@link HttpDnsClient}) reaches the service by IP address, caches answers
 * for their TTL and falls back to the system resolver when the service is
 * unreachable.
 *
 * Contract: both run in virtual time on a namespace's TCP sockets through
 * the HTTP/1.1 module; answers follow {@link formatHttpDnsAnswer}'s text form
 * and {@link parseHttpDnsAnswer} reads it back.
 *
 * @module
 */
export * from "./server.ts";
export * from "./client.ts";
