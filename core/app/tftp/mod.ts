/**
 * TFTP, the wire format (RFC 1350, RFC 2347, RFC 2348, RFC 2349, RFC 7440).
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
 * Not here: the transfer state machines, timers and retransmission.
 *
 * @module
 */
export * from "./message.ts";
