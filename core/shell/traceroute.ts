/**
 * `traceroute` (the Linux traceroute 2.x, UDP method): probes to ports from
 * 33434 upward with TTL 1, 2, …, three per hop by default; each router whose
 * TTL runs out answers with ICMP time exceeded, the destination with port
 * unreachable, which ends the trace. `*` marks a probe unanswered within the
 * wait time. Options: -n -q N -m N -f N -w S -p PORT, and a packet length.
 *
 * Simplified: probes are sent one after another (traceroute sends up to 16 at
 * once); the lines printed are the same, only the elapsed time differs.
 *
 * @module
 */
import { formatIp4, parseIp4 } from "../wire/addr.ts";
import { ERRNO_TEXT, type IcmpError } from "../ip/ipv4.ts";
import type { CommandContext, Process } from "./context.ts";
import { formatRttTraceroute } from "./format.ts";

const USAGE = `Usage:
  traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]
`;

/** The `traceroute` command. */
export function traceroute(ctx: CommandContext, argv: string[]): number | Process {
  let numeric = false;
  let queries = 3;
  let maxTtl = 30;
  let firstTtl = 1;
  let wait = 5;
  let port = 33434;
  let host: string | undefined;
  let packetLen = 60;
  const args = argv.slice(1);
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const val = (): string | undefined => a.length > 2 ? a.slice(2) : args[++k];
    if (a === "-n") numeric = true;
    else if (a.startsWith("-q")) queries = Number(val());
    else if (a.startsWith("-m")) maxTtl = Number(val());
    else if (a.startsWith("-f")) firstTtl = Number(val());
    else if (a.startsWith("-w")) wait = Number(val());
    else if (a.startsWith("-p")) port = Number(val());
    else if (a === "-U" || a === "-4") continue;
    else if (a.startsWith("-")) {
      ctx.err(`Bad option \`${a}' (argc ${k + 1})\n`);
      return 2;
    } else if (host === undefined) host = a;
    else packetLen = Number(a);
  }
  if (host === undefined) {
    ctx.err(USAGE);
    return 2;
  }
  if (!(maxTtl >= 1 && maxTtl <= 255)) {
    ctx.err("max hops cannot be more than 255\n");
    return 2;
  }
  if (!(firstTtl >= 1 && firstTtl <= maxTtl)) {
    ctx.err("first hop out of range\n");
    return 2;
  }
  if (!(queries >= 1 && queries <= 10)) {
    ctx.err("no more than 10 probes per hop\n");
    return 2;
  }
  const dst = parseIp4(host);
  if (dst === undefined) {
    ctx.err(
      `${host}: Name or service not known\nCannot handle "host" cmdline arg \`${host}' on position 1 (argc ${args.length})\n`,
    );
    return 2;
  }
  const ns = ctx.ns;
  const route = ns.ip.route(dst, {});
  if (typeof route === "string") {
    ctx.out(
      `traceroute to ${host} (${formatIp4(dst)}), ${maxTtl} hops max, ${packetLen} byte packets\n`,
    );
    ctx.err(`connect: ${ERRNO_TEXT[route]}\n`);
    return 1;
  }
  const sim = ctx.sim;
  const sock = ns.udp.socket();
  sock.bind(0, 0);
  const dataLen = Math.max(0, packetLen - 28);
  ctx.out(
    `traceroute to ${host} (${formatIp4(dst)}), ${maxTtl} hops max, ${packetLen} byte packets\n`,
  );
  let ttl = firstTtl;
  let q = 0;
  let probe = 0;
  let line = "";
  let lastAddr = -1;
  let reached = false;
  let finished = false;
  let sentAt = 0;
  let waitTimer: { cancel(): void } | undefined;
  let currentPort = 0;

  const endLine = () => {
    ctx.out(line + "\n");
    line = "";
    lastAddr = -1;
  };
  const next = () => {
    q++;
    if (q >= queries) {
      endLine();
      q = 0;
      ttl++;
      if (reached || ttl > maxTtl) {
        finished = true;
        sock.close();
        return;
      }
    }
    sendProbe();
  };
  const sendProbe = () => {
    if (q === 0) line = String(ttl).padStart(2);
    currentPort = port + probe++;
    sentAt = sim.now;
    const err = sock.sendTo(dataLen, dst, currentPort, { ttl, df: false });
    if (err) {
      line += ` send failed: ${ERRNO_TEXT[err]}`;
      waitTimer = sim.after(0, next);
      return;
    }
    waitTimer = sim.after(wait * 1e9, () => {
      line += " *";
      next();
    });
  };
  sock.onError = (e: IcmpError) => {
    if (finished || e.quoted.dstPort !== currentPort) return;
    waitTimer?.cancel();
    const rtt = sim.now - sentAt;
    if (e.from !== lastAddr) {
      const a = formatIp4(e.from);
      line += numeric ? `  ${a}` : `  ${a} (${a})`;
      lastAddr = e.from;
    }
    line += `  ${formatRttTraceroute(rtt)} ms`;
    if (e.type === 3) {
      const mark: Record<number, string> = { 0: " !N", 1: " !H", 2: " !P", 4: " !F", 13: " !X" };
      if (e.code !== 3) line += mark[e.code] ?? ` !<${e.code}>`;
      reached = true;
    } else if (e.type === 11 && e.from === dst) {
      reached = true;
    }
    next();
  };
  sendProbe();
  return {
    done: () => finished,
    status: () => 0,
    stop: () => {
      waitTimer?.cancel();
      finished = true;
      sock.close();
    },
  };
}
