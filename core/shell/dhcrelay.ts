/**
 * `dhcrelay [-4] [-d] [-q] [-c COUNT] [-i IF]… SERVER…`: ISC dhcrelay 4.4.3
 * (see `core/app/dhcp/relay.ts`). It prints "Requesting: IF as upstream: Y
 * downstream: Y" for each `-i`, its banner and the "Listening on LPF/…"
 * lines, then detaches (`pkill dhcrelay` stops it); with `-d` it stays in the
 * foreground (run it with `&`) and prints "Forwarded BOOTREQUEST for MAC to
 * SERVER" and "Forwarded BOOTREPLY for MAC to ADDRESS" as it relays. Without a
 * server it fails with "No servers specified.", an unknown interface with
 * "Error getting hardware address for \"IF\": No such device".
 *
 * Simplified: `-iu`/`-id`, `-a` (option 82) and `-p` are not taken.
 *
 * @module
 */
import { formatMac, parseIp4 } from "../wire/addr.ts";
import { DhcpRelay } from "../app/dhcp/relay.ts";
import type { CommandContext, Process } from "./context.ts";
import { ISC_BUG_TEXT } from "./dhclient.ts";
import { addDaemon, type Daemon, newPid, removeDaemon, syslog } from "./daemons.ts";

const BANNER = "Internet Systems Consortium DHCP Relay Agent 4.4.3-P1\n" +
  "Copyright 2004-2022 Internet Systems Consortium.\n" +
  "All rights reserved.\n" +
  "For info, please visit https://www.isc.org/software/dhcp/\n";

/** The `dhcrelay` command. */
export function dhcrelay(ctx: CommandContext, argv: string[]): number | Process {
  const ifaces: string[] = [];
  const servers: number[] = [];
  let foreground = false;
  let quiet = false;
  let maxHops = 10;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-4") continue;
    if (a === "-d") foreground = true;
    else if (a === "-q") quiet = true;
    else if (a === "-i" || a === "-c") {
      const v = argv[++i];
      if (v === undefined) {
        ctx.err(`${BANNER}${a === "-i" ? "-i" : "-c"} requires an argument\n${ISC_BUG_TEXT}`);
        return 1;
      }
      if (a === "-i") ifaces.push(v);
      else maxHops = Number(v);
    } else if (a.startsWith("-")) {
      ctx.err(`${BANNER}Unknown command: ${a}\n${ISC_BUG_TEXT}`);
      return 1;
    } else {
      const s = parseIp4(a);
      if (s === undefined) {
        ctx.err(`${BANNER}${a}: host unknown.\n${ISC_BUG_TEXT}`);
        return 1;
      }
      servers.push(s);
    }
  }
  for (const name of ifaces) ctx.err(`Requesting: ${name} as upstream: Y downstream: Y\n`);
  if (!quiet) ctx.err(BANNER);
  if (servers.length === 0) {
    ctx.err(`No servers specified.\n${ISC_BUG_TEXT}`);
    return 1;
  }
  const ns = ctx.ns;
  const used = ifaces.length > 0 ? ifaces : [...ns.dev.interfaces.values()]
    .filter((x) => x.kind !== "loopback" && ns.ip.addressesOf(x).length > 0)
    .map((x) => x.name);
  for (const name of used) {
    if (!ns.dev.get(name)) {
      ctx.err(`Error getting hardware address for "${name}": No such device\n${ISC_BUG_TEXT}`);
      return 1;
    }
  }
  if (!quiet) {
    // dhcrelay keeps its interface list newest first.
    for (const name of [...used].reverse()) {
      const mac = formatMac(ns.dev.get(name)!.mac);
      ctx.err(`Listening on LPF/${name}/${mac}\nSending on   LPF/${name}/${mac}\n`);
    }
    ctx.err("Sending on   Socket/fallback\n");
  }
  const relay = new DhcpRelay(ns, { servers, interfaces: ifaces, maxHops });
  if (relay.start() !== undefined) {
    ctx.err(`Can't bind to dhcp address: Address already in use\n${ISC_BUG_TEXT}`);
    return 1;
  }
  const node = ctx.node;
  const pid = newPid(node);
  relay.onLog = (line) => {
    if (foreground) ctx.err(line + "\n");
    if (line !== "") syslog(node, ctx.sim.now, "dhcrelay", pid, line);
  };
  let stopped = false;
  const daemon: Daemon = {
    name: "dhcrelay",
    pid,
    ns,
    command: argv.join(" "),
    stop: () => {
      if (stopped) return;
      stopped = true;
      relay.stop();
      removeDaemon(node, daemon);
    },
  };
  addDaemon(node, daemon);
  if (!foreground) return 0;
  return { done: () => stopped, status: () => 0, stop: () => daemon.stop() };
}
