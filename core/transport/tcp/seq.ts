/**
 * Sequence-number arithmetic: 32-bit wire sequence numbers to and from
 * absolute offsets, by the serial-number rule (RFC 1982): a wire value is
 * taken as the absolute offset nearest a known reference.
 *
 * @module
 */

/** The absolute offset for wire value `wire`, given initial sequence `isn` and a nearby absolute `ref`. */
export function unwrap(wire: number, isn: number, ref: number): number {
  const refWire = (isn + ref) >>> 0;
  return ref + ((wire - refWire) | 0);
}

/** The wire value of absolute offset `abs`. */
export function wrap(abs: number, isn: number): number {
  return (isn + abs) >>> 0;
}
