/**
 * TCP (RFC 9293): sockets, the per-namespace stack, the SACK scoreboard and
 * the byte buffers. Congestion control lives in `../cc`.
 *
 * @module
 */
export * from "./socket.ts";
export * from "./stack.ts";
export * from "./scoreboard.ts";
export * from "./buffers.ts";
export * from "./seq.ts";
