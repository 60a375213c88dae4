/**
 * GNU `getopt()` as the iputils tools parse their command lines: short options
 * from an option string ("c:" takes an argument, glued or as the next word),
 * clustered flags ("-nq"), options and operands in any order, `--` ending the
 * options. Errors carry the option character for glibc's messages
 * ("invalid option -- 'Z'", "option requires an argument -- 'c'").
 *
 * @module
 */

/** A parsed command line, or the first error. */
export type GetoptResult =
  | { ok: true; opts: Array<[string, string | undefined]>; operands: string[] }
  | { ok: false; error: "invalid" | "missing"; ch: string };

/** Parse `args` (without the program name) against an option string. */
export function getopt(args: string[], optstring: string): GetoptResult {
  const opts: Array<[string, string | undefined]> = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const ch = a[j]!;
      const at = optstring.indexOf(ch);
      if (ch === ":" || at < 0) return { ok: false, error: "invalid", ch };
      if (optstring[at + 1] !== ":") {
        opts.push([ch, undefined]);
        continue;
      }
      let value: string | undefined = a.slice(j + 1);
      if (value === "") value = args[++i];
      if (value === undefined) return { ok: false, error: "missing", ch };
      opts.push([ch, value]);
      break;
    }
  }
  return { ok: true, opts, operands };
}

/** glibc's message for a getopt error, with the program name. */
export function getoptMessage(
  prog: string,
  r: { error: "invalid" | "missing"; ch: string },
): string {
  return r.error === "invalid"
    ? `${prog}: invalid option -- '${r.ch}'\n`
    : `${prog}: option requires an argument -- '${r.ch}'\n`;
}
