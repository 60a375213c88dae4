/**
 * Transcripts of shell scripts run on one simulated machine, in the layout of
 * the Linux reference recordings the `*.expected` files come from: each
 * command as `$ <command>`, then what it printed (stdout and stderr
 * interleaved, as a terminal shows them), then `[exit N]`. Output that does not
 * end in a newline is followed by a newline and `[no trailing newline]`.
 *
 * Script conventions: one command per line; `#` lines are comments; a command
 * line ending in `# (not compared)` runs but leaves no trace in the transcript
 * (quiet pauses the recordings made between commands, and commands whose Linux
 * output packetlab knowingly does not reproduce: they still run, so that the
 * state and the clock move on as they did on Linux).
 *
 * `mask()` replaces what legitimately differs between a Linux machine and
 * packetlab by placeholders. It is applied to both sides before comparing.
 *
 * @module
 */
import { Network } from "../../core/lab/network.ts";
import { parseCommands, runOne, setSink } from "../../core/shell/mod.ts";

/** Marker of a command that runs without being recorded. */
export const NOT_COMPARED = /#\s*\(not compared\)\s*$/;

/** Run a script on a fresh machine (seed 1) and return its transcript. */
export function runTranscript(script: string): string {
  const net = new Network({ seed: 1 });
  const node = net.node("lab");
  let out = "";
  let current = "";
  setSink(node, (_fd, text) => {
    current += text;
  });
  for (const line of script.split("\n")) {
    const text = line.trim();
    if (text === "" || text.startsWith("#")) continue;
    const recorded = !NOT_COMPARED.test(text);
    let status = 0;
    current = "";
    for (const c of parseCommands(text)) {
      if (c.after === "&&" && status !== 0) continue;
      if (c.after === "||" && status === 0) continue;
      status = runOne(node, c);
    }
    if (!recorded) continue;
    out += `$ ${text}\n${current}`;
    if (current !== "" && !current.endsWith("\n")) out += "\n[no trailing newline]\n";
    out += `[exit ${status}]\n`;
  }
  return out;
}

const MAC = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/g;

/**
 * Replace what legitimately differs between two runs of one script on Linux
 * and on packetlab, so that what remains must match exactly:
 *
 * - MAC addresses (random on Linux): `<mac1>`, `<mac2>`, … numbered in order of
 *   first appearance, so that a neighbour's lladdr must still equal its peer's
 *   link address. 00:00:00:00:00:00 and ff:ff:ff:ff:ff:ff stay.
 * - Round-trip times: ping's `time=0.114 ms` → `time=<ms> ms`, its
 *   `rtt min/avg/max/mdev = …` → `rtt min/avg/max/mdev = <ms>`, traceroute's
 *   `0.093 ms` → `<ms> ms`, tracepath's `0.064ms` → `<ms>ms` (column
 *   alignment stays checked: the placeholder keeps the text before it).
 * - ping's `time 408ms` summary: Linux adds a few ms of scheduling per
 *   interval; the value is truncated to whole tenths of a second, `time ~400ms`.
 * - `ip neigh` listings: Linux prints its neighbour hash table, whose order is
 *   random per boot; the lines of each listing are sorted.
 * - tcpdump's time stamps (wall clock on Linux, virtual time here) become
 *   `<time>`, and the identifier ping puts in its echo requests (random per
 *   run) becomes `id <id>`.
 * - The remaining lifetime of a learned path MTU (`ip route get`'s `expires
 *   597sec`) counts down in real time, which runs a little ahead of virtual
 *   time: it is truncated to tens of seconds, `expires ~590sec`.
 * - IPv6 (packetlab models IPv4 only): `inet6` address lines with their
 *   `valid_lft` line, IPv6 routes, IPv6 prefixes of `ip -br addr`, and `inet6`
 *   objects of `ip -j addr`.
 */
export function mask(text: string): string {
  // IPv6 in JSON (one-line and pretty) and in brief listings.
  text = text.replace(/,\{"family":"inet6"[^{}]*\}/g, "");
  text = text.replace(/\{"family":"inet6"[^{}]*\},?/g, "");
  text = text.replace(/\},\{\n\s+"family": "inet6",[^{}]*?\n\s+\}/g, "}");
  const lines: string[] = [];
  const src = text.split("\n");
  for (let i = 0; i < src.length; i++) {
    let line = src[i]!;
    if (/^\s+inet6 /.test(line)) {
      if (/^\s+valid_lft /.test(src[i + 1] ?? "")) i++;
      continue;
    }
    if (/^\d+: \S+\s+inet6 /.test(line)) continue;
    // Brief listings: drop IPv6 prefixes from the address column.
    if (/^\S+\s+[A-Z]+\s+/.test(line) && line.includes("::")) {
      line = line.replace(/ [0-9a-f:]*::[0-9a-f:]*\/\d+/g, "");
    }
    // Any other line naming an IPv6 address (routes of `table all`, `-6`).
    if (/(^|\s)[0-9a-f:]*::[0-9a-f:]*(\/\d+)?(\s|$)/.test(line)) continue;
    lines.push(line);
  }
  // `ip neigh` lists the kernel's neighbour hash table, whose order is random per boot.
  for (let i = 0; i < lines.length; i++) {
    if (!/^\$ .*\bip (-\S+ )*neigh(bour|bor)?( show| list)?( |$)/.test(lines[i]!)) continue;
    if (/ -j /.test(lines[i]!)) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith("[exit ")) end++;
    lines.splice(i + 1, end - i - 1, ...lines.slice(i + 1, end).sort());
    i = end;
  }
  text = lines.join("\n");
  const macs = new Map<string, string>();
  text = text.replace(MAC, (m) => {
    if (m === "00:00:00:00:00:00" || m === "ff:ff:ff:ff:ff:ff") return m;
    let name = macs.get(m);
    if (name === undefined) {
      name = `<mac${macs.size + 1}>`;
      macs.set(m, name);
    }
    return name;
  });
  text = text.replace(/ time=\d+(\.\d+)? ms/g, " time=<ms> ms");
  text = text.replace(/rtt min\/avg\/max\/mdev = [\d./]+ ms/g, "rtt min/avg/max/mdev = <ms>");
  text = text.replace(
    /, time (\d+)ms/g,
    (_m, n) => `, time ~${Math.floor(Number(n) / 100) * 100}ms`,
  );
  text = text.replace(/^\d\d:\d\d:\d\d\.\d{6} /gm, "<time> ");
  text = text.replace(/, id \d+, seq /g, ", id <id>, seq ");
  text = text.replace(
    / expires (\d+)sec/g,
    (_m, n) => ` expires ~${Math.floor(Number(n) / 10) * 10}sec`,
  );
  text = text.replace(/(?<= )\d+\.\d{3} ms\b/g, "<ms> ms");
  text = text.replace(/(?<= )\d+\.\d{3}ms\b/g, "<ms>ms");
  return text;
}
