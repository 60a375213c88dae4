/**
 * TFTP (RFC 1350, RFC 2347, RFC 2348, RFC 2349, RFC 7440): the wire format,
 * a server and a client.
 *
 * Contract: {@link encodeTftp} and {@link decodeTftp} turn a {@link TftpMessage}
 * (RRQ, WRQ, DATA, ACK, ERROR, OACK) into the UDP payload tftp-hpa and PXE
 * clients exchange and back; decoding throws nothing but `WireError` (from
 * `core/wire/errors.ts`), whatever the bytes, and a decoded packet re-encodes to
 * the same bytes unless it carried trailing padding. Options stay an ordered
 * name/value list; {@link tftpOptionValues} gives the negotiated numbers.
 * Block-number helpers ({@link nextBlock}, {@link blockNumber},
 * {@link blockDistance}) do the 16-bit wraparound, and {@link toNetascii} /
 * {@link fromNetascii} the netascii line endings.
 *
 * {@link TftpServer} serves a directory of a node's files as tftpd-hpa or
 * dnsmasq does; {@link TftpClientTransfer} reads or writes one file with the
 * timing of a given client ({@link TFTP_HPA_CLIENT}, or PXE's in core/app/pxe).
 * Both run in virtual time on the namespace's UDP sockets, and record what
 * they did (transfers, blocks, retransmissions, errors) for scenarios to check.
 *
 * @module
 */
export * from "./message.ts";
export * from "./lockstep.ts";
export * from "./server.ts";
export * from "./client.ts";
