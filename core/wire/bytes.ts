/**
 * Big-endian (network byte order) integer reads and writes on a Uint8Array.
 *
 * These do no bounds checking: callers check their span first (see
 * `checkSpan`/`checkRoom` in `errors.ts`). Values are written modulo their width,
 * and 32-bit reads return unsigned numbers.
 *
 * @module
 */

/** Read an unsigned 16-bit big-endian integer at `o`. */
export function readU16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Read an unsigned 32-bit big-endian integer at `o`. */
export function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Write the low 16 bits of `v` big-endian at `o`. */
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

/** Write the low 32 bits of `v` big-endian at `o`. */
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
