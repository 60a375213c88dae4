/**
 * `getent hosts [KEY…]` as glibc 2.36's getent runs it: for each key,
 * `gethostbyname2(KEY, AF_INET6)` and, when that finds nothing,
 * `gethostbyname2(KEY, AF_INET)`, each through /etc/hosts and DNS as
 * /etc/nsswitch.conf says (see core/app/dns/stub.ts), in virtual time. Each
 * address is printed as `%-15s %s` with the canonical name, then the aliases.
 * Without a key it lists /etc/hosts. Exit status 0, or 2 when a key was not
 * found; an unknown database or no arguments print glibc's messages and exit 1.
 *
 * Simplified: only the `hosts` database; a key that is an address is looked
 * up in /etc/hosts only (no PTR queries).
 *
 * @module
 */
import type { CommandContext, Process } from "./context.ts";
import { parseIp4 } from "../wire/addr.ts";
import { formatIp6, parseIp6 } from "../app/dns/name.ts";
import { type HostEnt, StubResolver } from "../app/dns/stub.ts";

const TRY = "Try `getent --help' or `getent --usage' for more information.\n";

const USAGE = "Usage: getent [-Ai?V] [-s CONFIG] [--no-addrconfig] [--no-idn]\n" +
  "            [--service=CONFIG] [--help] [--usage] [--version]\n" +
  "            database [key ...]\n";

function line(address: string, names: string[]): string {
  return `${address.padEnd(15)} ${names.join(" ")}\n`;
}

/** The `getent` command. */
export function getent(ctx: CommandContext, argv: string[]): number | Process {
  const args = argv.slice(1);
  if (args[0] === "--usage") {
    ctx.out(USAGE);
    return 0;
  }
  const bad = args.find((a) => a.startsWith("-") && a !== "--");
  if (bad !== undefined) {
    ctx.err(`getent: unrecognized option '${bad}'\n`);
    ctx.out(TRY);
    return 64;
  }
  const [db, ...keys] = args.filter((a) => a !== "--");
  if (db === undefined) {
    ctx.err("getent: wrong number of arguments\n");
    ctx.out(TRY);
    return 1;
  }
  if (db !== "hosts") {
    ctx.err(`Unknown database: ${db}\n`);
    ctx.out(TRY);
    return 1;
  }
  const stub = new StubResolver(ctx.node, ctx.ns);
  if (keys.length === 0) {
    for (const h of stub.hosts()) ctx.out(line(h.address, h.names));
    return 0;
  }
  let status = 0;
  let finished = false;
  const print = (h: HostEnt) => {
    for (const a of h.addresses) ctx.out(line(a, [h.name, ...h.aliases]));
  };
  const next = (i: number) => {
    const key = keys[i];
    if (key === undefined) {
      finished = true;
      return;
    }
    // An address as key: glibc calls gethostbyaddr, answered here from /etc/hosts.
    const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(key) ? parseIp4(key) : undefined;
    const v6 = v4 === undefined && key.includes(":") ? parseIp6(key) : undefined;
    if (v4 !== undefined || v6 !== undefined) {
      const text = v6 ? formatIp6(v6) : key;
      const hit = stub.hosts().find((h) => h.address === text);
      if (hit) ctx.out(line(text, hit.names));
      else status = 2;
      return next(i + 1);
    }
    stub.gethostbyname2(key, 6, (r6) => {
      if (typeof r6 !== "string" && r6.addresses.length > 0) {
        print(r6);
        return next(i + 1);
      }
      stub.gethostbyname2(key, 4, (r4) => {
        if (typeof r4 !== "string" && r4.addresses.length > 0) print(r4);
        else status = 2;
        next(i + 1);
      });
    });
  };
  next(0);
  return {
    done: () => finished,
    status: () => status,
    stop: () => {
      finished = true;
      status = 130;
    },
  };
}
