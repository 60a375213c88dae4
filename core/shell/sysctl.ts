/**
 * `sysctl` (procps-ng 4.0.2): read with `sysctl KEY` (a directory prefix lists
 * its keys), write with `-w KEY=VALUE` (or `KEY=VALUE` alone), list with `-a`
 * (`-r REGEX` / `--pattern` filters names); `-n` prints values only, `-N`
 * names only, `-q` is quiet, `-e` ignores unknown keys, `-p FILE` loads
 * settings from a file. Keys may be written with dots or slashes. A value the
 * kernel would refuse (not a number for a numeric key, a TTL of 0) is
 * refused the same way: `sysctl: setting key "K": Invalid argument`.
 *
 * The keys are those packetlab models (its sysctl store), with Linux's
 * defaults; other Linux keys do not exist here.
 *
 * @module
 */
import type { CommandContext } from "./context.ts";

/** procps-ng's help text (`--help`, or no arguments). */
export const SYSCTL_USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).
`;

/** Ranges the kernel enforces on some keys, beyond being integers. */
const RANGES: Record<string, [number, number]> = {
  "net.ipv4.ip_default_ttl": [1, 255],
  "net.ipv4.icmp_ratelimit": [0, 2147483647],
};

/** Whether the kernel would take `value` for a key whose current value is `current`. */
function acceptable(key: string, current: string, value: string): boolean {
  const cur = current.trim().split(/\s+/);
  if (!cur.every((x) => /^-?\d+$/.test(x))) return true;
  const vals = value.trim().split(/\s+/);
  if (vals.length !== cur.length || !vals.every((x) => /^[-+]?\d+$/.test(x))) return false;
  const range = RANGES[key];
  if (range) return vals.every((x) => Number(x) >= range[0] && Number(x) <= range[1]);
  return true;
}

/** The `sysctl` command. */
export function sysctl(ctx: CommandContext, argv: string[]): number {
  const store = ctx.ns.dev.sysctl;
  let write = false;
  let valuesOnly = false;
  let namesOnly = false;
  let quiet = false;
  let ignore = false;
  let all = false;
  let pattern: RegExp | undefined;
  let load: string | undefined;
  const items: string[] = [];
  // Clustered short flags (`-qw`) are split as getopt does.
  const args: string[] = [];
  for (const a of argv.slice(1)) {
    if (/^-[a-zA-Z]{2,}$/.test(a) && !/[rpf]/.test(a.slice(1, -1))) {
      for (const ch of a.slice(1)) args.push(`-${ch}`);
    } else args.push(a);
  }
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "-w" || a === "--write") write = true;
    else if (a === "-n" || a === "--values") valuesOnly = true;
    else if (a === "-N" || a === "--names") namesOnly = true;
    else if (a === "-q" || a === "--quiet") quiet = true;
    else if (a === "-e" || a === "--ignore") ignore = true;
    else if (a === "-a" || a === "--all" || a === "-A" || a === "-X") all = true;
    else if (a === "-b" || a === "--binary" || a === "-o" || a === "-x") continue;
    else if (a === "--deprecated" || a === "--dry-run") continue;
    else if (a === "-r" || a === "--pattern" || a.startsWith("--pattern=")) {
      const p = a.startsWith("--pattern=") ? a.slice(10) : args[++k];
      if (p === undefined) return optionNeedsArgument(ctx, a);
      try {
        pattern = new RegExp(p);
      } catch {
        ctx.err(`sysctl: unable to parse pattern: ${p}\n`);
        return 1;
      }
    } else if (a === "-p" || a === "-f" || a.startsWith("--load")) {
      load = a.startsWith("--load=") ? a.slice(7) : "/etc/sysctl.conf";
      if (args[k + 1] !== undefined && !args[k + 1]!.startsWith("-") && a !== "--load") {
        load = args[++k]!;
      }
    } else if (a === "-h" || a === "-d" || a === "--help") {
      ctx.out(SYSCTL_USAGE);
      return 0;
    } else if (a === "-V" || a === "--version") {
      ctx.out("sysctl from procps-ng 4.0.2\n");
      return 0;
    } else if (a.startsWith("-") && a.length > 1) {
      ctx.err(
        a.startsWith("--")
          ? `sysctl: unrecognized option '${a}'\n`
          : `sysctl: invalid option -- '${a[1]}'\n`,
      );
      ctx.out(SYSCTL_USAGE);
      return 0;
    } else items.push(a);
  }
  const show = (key: string, value: string) => {
    if (namesOnly) ctx.out(`${key}\n`);
    else if (valuesOnly) ctx.out(`${value}\n`);
    else ctx.out(`${key} = ${value}\n`);
  };
  if (all) {
    for (const [k, v] of store.entries()) if (!pattern || pattern.test(k)) show(k, v);
    return 0;
  }
  if (load !== undefined) {
    const f = ctx.node.files.get(load);
    const bytes = typeof f === "function" ? f() : f;
    if (!bytes) {
      ctx.err(`sysctl: cannot open "${load}": No such file or directory\n`);
      return 1;
    }
    for (const line of new TextDecoder().decode(bytes).split("\n")) {
      const t = line.trim();
      if (t === "" || t.startsWith("#") || t.startsWith(";")) continue;
      items.push(t.replace(/\s*=\s*/, "="));
    }
    write = true;
  }
  if (items.length === 0) {
    ctx.err(SYSCTL_USAGE);
    return 1;
  }
  let status = 0;
  const cannotStat = (key: string) => {
    if (ignore) return;
    ctx.err(
      `sysctl: cannot stat /proc/sys/${key.replaceAll(".", "/")}: No such file or directory\n`,
    );
    status = 1;
  };
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq >= 0 || write) {
      if (eq < 0) {
        ctx.err("sysctl: command line(0): invalid syntax, continuing...\n");
        status = 1;
        continue;
      }
      const key = item.slice(0, eq).trim().replaceAll("/", ".");
      const value = item.slice(eq + 1).trim();
      const current = store.get(key);
      if (current === undefined) {
        cannotStat(key);
        continue;
      }
      if (!acceptable(key, current, value) || !store.set(key, value)) {
        ctx.err(`sysctl: setting key "${key}": Invalid argument\n`);
        status = 1;
        continue;
      }
      if (!quiet) show(key, value);
      continue;
    }
    const key = item.replaceAll("/", ".");
    const v = store.get(key);
    if (v !== undefined) {
      show(key, v);
      continue;
    }
    // A directory: every key below it.
    const below = store.entries().filter(([k]) => k.startsWith(key + "."));
    if (below.length === 0) cannotStat(key);
    for (const [k, x] of below) show(k, x);
  }
  return status;
}

function optionNeedsArgument(ctx: CommandContext, a: string): number {
  ctx.err(
    a.startsWith("--")
      ? `sysctl: option '${a}' requires an argument\n`
      : `sysctl: option requires an argument -- '${a[1]}'\n`,
  );
  ctx.out(SYSCTL_USAGE);
  return 0;
}
