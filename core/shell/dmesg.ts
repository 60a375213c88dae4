/**
 * `dmesg`: the kernel log of a node, which in packetlab holds what the
 * iptables LOG target wrote, from every namespace of the node (the kernel log
 * is one per machine), in time order with dmesg's `[seconds.micros]` stamps.
 *
 * @module
 */
import type { Command } from "./context.ts";

/** `dmesg` (no options but `-c`, which clears after printing). */
export const dmesg: Command = (ctx, argv) => {
  const clear = argv.includes("-c") || argv.includes("--read-clear");
  const bad = argv.slice(1).find((a) => a !== "-c" && a !== "--read-clear");
  if (bad !== undefined) {
    ctx.err(`dmesg: unrecognized option '${bad}'\nTry 'dmesg --help' for more information.\n`);
    return 1;
  }
  const all = [ctx.node.root, ...ctx.node.netns.values()]
    .filter((n) => n.hasNetfilter)
    .flatMap((n) => n.netfilter.log);
  all.sort((a, b) => a.time - b.time);
  for (const l of all) {
    const us = Math.floor(l.time / 1000);
    const secs = Math.floor(us / 1e6);
    ctx.out(`[${String(secs).padStart(5)}.${String(us % 1e6).padStart(6, "0")}] ${l.text}\n`);
  }
  if (clear) {
    for (const n of [ctx.node.root, ...ctx.node.netns.values()]) {
      if (n.hasNetfilter) n.netfilter.log.length = 0;
    }
  }
  return 0;
};
