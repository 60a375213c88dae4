/**
 * DHCP for IPv4, the wire format (RFC 2131, RFC 2132, RFC 3396).
 *
 * Contract: {@link encodeDhcp} and {@link decodeDhcp} turn a {@link DhcpMessage}
 * into the UDP payload a real client or server sends (ports 67/68) and back.
 * Decoding never throws anything but `WireError` (from `core/wire/errors.ts`),
 * whatever the bytes; a decoded message re-encodes to the same bytes (option
 * order included) unless the input held pads between options, bytes after the
 * end option or after a NUL in sname/file, reserved flag bits, or padding past
 * 300 bytes. Encoding throws `WireError` for values that do not fit their fields.
 *
 * Engines: {@link DhcpClient} (RFC 2131 §4.4, dhclient's behaviour; its
 * {@link DhcpLease} carries next-server and boot file for PXE) over a
 * {@link DhcpPacketSocket}; {@link DhcpServer} (RFC 2131 §4.3, deciding and
 * logging as dnsmasq 2.90); {@link DhcpRelay} (RFC 1542, as ISC dhcrelay).
 *
 * @module
 */
export * from "./message.ts";
export * from "./packet_socket.ts";
export * from "./client.ts";
export * from "./server.ts";
export * from "./relay.ts";
