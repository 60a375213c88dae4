/**
 * Small number formats shared by the shell's commands.
 *
 * @module
 */

/** traceroute's RTT: milliseconds with three decimals. */
export function formatRttTraceroute(ns: number): string {
  return (Math.floor(ns / 1000) / 1000).toFixed(3);
}
