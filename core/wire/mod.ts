/**
 * The wire layer of packetlab: the in-memory packet representation and the byte
 * codecs that turn it into Ethernet frames and back.
 *
 * Contract: every function here is a deterministic function of its arguments.
 * Nothing here reads the clock, random streams or global state, and nothing
 * keeps state between calls except the objects a caller creates (a
 * `PcapWriter`). Decoders throw only `WireError` on bad input, whatever the
 * bytes; encoders fill in every length and checksum.
 *
 * - `packet.ts`: the header representations and `Packet`
 * - `addr.ts`: IPv4/MAC/CIDR text forms
 * - `errors.ts`, `bytes.ts`, `checksum.ts`: `WireError`, byte helpers, the
 *   Internet checksum (RFC 1071, 1624)
 * - `ethernet.ts`, `arp.ts`, `ipv4.ts`, `icmp.ts`, `udp.ts`, `tcp.ts`: one codec
 *   per protocol
 * - `frame.ts`: whole frames, fragmentation helpers, `clonePacket`
 * - `pcap.ts`: capture files
 *
 * @module
 */
export * from "./packet.ts";
export * from "./addr.ts";
export * from "./errors.ts";
export * from "./bytes.ts";
export * from "./checksum.ts";
export * from "./ethernet.ts";
export * from "./arp.ts";
export * from "./ipv4.ts";
export * from "./icmp.ts";
export * from "./udp.ts";
export * from "./tcp.ts";
export * from "./frame.ts";
export * from "./pcap.ts";
