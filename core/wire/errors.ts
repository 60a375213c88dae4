/**
 * The one error type of the byte codecs.
 *
 * Every decoder in this folder reports malformed, truncated or unsupported input
 * by throwing a {@link WireError}, and every encoder reports a representation it
 * cannot put on the wire (an over-long option list, a misaligned fragment offset,
 * a buffer that is too small) the same way. Code that feeds untrusted bytes to a
 * decoder therefore only has to catch this one class; any other exception out of
 * a codec is a bug in the codec.
 *
 * Messages have the form `"<layer>: <detail>"`, e.g. `"ipv4: bad header checksum"`.
 *
 * @module
 */

/** A wire-format error: bytes that do not decode, or a header that cannot be encoded. */
export class WireError extends Error {
  /** The protocol layer that raised the error, e.g. "ethernet", "ipv4", "tcp". */
  readonly layer: string;
  /** The message without the layer prefix, e.g. "truncated header". */
  readonly detail: string;

  /** Build the error; the message becomes `"<layer>: <detail>"`. */
  constructor(layer: string, detail: string) {
    super(`${layer}: ${detail}`);
    this.name = "WireError";
    this.layer = layer;
    this.detail = detail;
  }
}

/**
 * Validate a decode window `[offset, offset + length)` inside `bytes` and return
 * its exclusive end. `length` defaults to everything after `offset`. Throws a
 * {@link WireError} for the given layer when the window does not fit.
 */
export function checkSpan(
  layer: string,
  bytes: Uint8Array,
  offset: number,
  length: number | undefined,
): number {
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new WireError(layer, "offset out of range");
  }
  if (length === undefined) return bytes.length;
  if (!Number.isInteger(length) || length < 0 || offset + length > bytes.length) {
    throw new WireError(layer, "length out of range");
  }
  return offset + length;
}

/**
 * Check that `out` has room for `n` bytes at `offset` before an encoder writes
 * them (a typed array silently drops out-of-range writes, which would otherwise
 * produce a short, corrupt encoding). Throws a {@link WireError}.
 */
export function checkRoom(layer: string, out: Uint8Array, offset: number, n: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + n > out.length) {
    throw new WireError(layer, "output buffer too small");
  }
}
