/**
 * `sysctl` (procps): read with `sysctl KEY`, write with `sysctl -w KEY=VALUE`
 * (or `KEY=VALUE` alone), list with `-a`; `-n` prints values only, `-q` is quiet.
 *
 * @module
 */
import type { CommandContext } from "./context.ts";

/** The `sysctl` command. */
export function sysctl(ctx: CommandContext, argv: string[]): number {
  const store = ctx.ns.dev.sysctl;
  let write = false;
  let valuesOnly = false;
  let quiet = false;
  let status = 0;
  const items: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === "-w" || a === "--write") write = true;
    else if (a === "-n" || a === "--values") valuesOnly = true;
    else if (a === "-q" || a === "--quiet") quiet = true;
    else if (a === "-a" || a === "--all" || a === "-A") {
      for (const [k, v] of store.entries()) ctx.out(valuesOnly ? `${v}\n` : `${k} = ${v}\n`);
      return 0;
    } else if (a.startsWith("-")) {
      ctx.err(`sysctl: invalid option -- '${a.replace(/^-+/, "")}'\n`);
      return 1;
    } else items.push(a);
  }
  if (items.length === 0) {
    ctx.err("sysctl: no variables specified\nTry `sysctl --help' for more information.\n");
    return 1;
  }
  for (const item of items) {
    const eq = item.indexOf("=");
    if (write || eq >= 0) {
      if (eq < 0) {
        ctx.err(`sysctl: "${item}" must be of the form name=value\n`);
        status = 1;
        continue;
      }
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (!store.set(key, value)) {
        ctx.err(
          `sysctl: cannot stat /proc/sys/${key.replaceAll(".", "/")}: No such file or directory\n`,
        );
        status = 255;
        continue;
      }
      if (!quiet) ctx.out(valuesOnly ? `${value}\n` : `${key.replaceAll("/", ".")} = ${value}\n`);
    } else {
      const v = store.get(item);
      if (v === undefined) {
        ctx.err(
          `sysctl: cannot stat /proc/sys/${item.replaceAll(".", "/")}: No such file or directory\n`,
        );
        status = 255;
        continue;
      }
      ctx.out(valuesOnly ? `${v}\n` : `${item.replaceAll("/", ".")} = ${v}\n`);
    }
  }
  return status;
}
