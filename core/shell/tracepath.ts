/**
 * `tracepath` (iputils): discovers the path and its MTU with UDP probes of
 * rising TTL, starting at the interface MTU; a frag-needed answer lowers the
 * probe size ("pmtu N"), time exceeded names each hop, and port unreachable
 * from the destination ends it with "reached" and the Resume line.
 *
 * Simplified: one probe per hop (tracepath retries twice on silence).
 *
 * @module
 */
import { formatIp4, parseIp4 } from "../wire/addr.ts";
import { ERRNO_TEXT, type IcmpError } from "../ip/ipv4.ts";
import type { CommandContext, Process } from "./context.ts";

function ms(ns: number): string {
  return (Math.floor(ns / 1000) / 1000).toFixed(3) + "ms";
}

/** The `tracepath` command. */
export function tracepath(ctx: CommandContext, argv: string[]): number | Process {
  let numeric = false;
  let maxHops = 30;
  let host: string | undefined;
  const args = argv.slice(1);
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "-n") numeric = true;
    else if (a === "-m") maxHops = Number(args[++k]);
    else if (a === "-4" || a === "-b") continue;
    else if (a.startsWith("-")) {
      ctx.err(`tracepath: invalid option -- '${a.slice(1)}'\n`);
      return 2;
    } else host = a;
  }
  if (host === undefined) {
    ctx.err("\nUsage\n  tracepath [options] <destination>\n");
    return 2;
  }
  const dst = parseIp4(host);
  if (dst === undefined) {
    ctx.err(`tracepath: ${host}: Name or service not known\n`);
    return 2;
  }
  const ns = ctx.ns;
  const r = ns.ip.route(dst, {});
  if (typeof r === "string") {
    ctx.err(`tracepath: connect: ${ERRNO_TEXT[r]}\n`);
    return 1;
  }
  const sim = ctx.sim;
  const sock = ns.udp.socket();
  sock.bind(0, 0);
  let mtu = r.mtu;
  let ttl = 1;
  let port = 44444;
  let finished = false;
  let sentAt = 0;
  let timer: { cancel(): void } | undefined;
  let hops = 0;
  let back = 0;
  const name = (a: number) => numeric ? formatIp4(a) : formatIp4(a);
  ctx.out(` 1?: [LOCALHOST]${" ".repeat(22)}pmtu ${mtu}\n`);
  const finish = (text: string) => {
    ctx.out(text);
    finished = true;
    sock.close();
  };
  const send = () => {
    port++;
    sentAt = sim.now;
    const err = sock.sendTo(Math.max(0, mtu - 28), dst, port, {
      ttl,
      df: true,
      dontFragment: true,
    });
    if (err === "EMSGSIZE") {
      mtu = ns.ip.route(dst, {}) === undefined ? mtu : (() => {
        const rr = ns.ip.route(dst, {});
        return typeof rr === "string" ? mtu : rr.mtu;
      })();
      ctx.out(`${String(ttl).padStart(2)}:  pmtu ${mtu}\n`);
      timer = sim.after(0, send);
      return;
    }
    timer = sim.after(1e9, () => {
      ctx.out(`${String(ttl).padStart(2)}:  no reply\n`);
      ttl++;
      if (ttl > maxHops) finish(`     Too many hops: pmtu ${mtu}\n     Resume: pmtu ${mtu} \n`);
      else send();
    });
  };
  sock.onError = (e: IcmpError) => {
    if (finished || e.quoted.dstPort !== port) return;
    timer?.cancel();
    const rtt = sim.now - sentAt;
    const label = `${String(ttl).padStart(2)}:  ${name(e.from)}`.padEnd(52);
    if (e.type === 3 && e.code === 4) {
      mtu = e.rest & 0xffff;
      ctx.out(`${String(ttl).padStart(2)}:  ${name(e.from).padEnd(48)}${ms(rtt).padStart(9)} \n`);
      ctx.out(`${String(ttl).padStart(2)}:  pmtu ${mtu}\n`);
      send();
      return;
    }
    hops = ttl;
    back = 64 - e.ttl + 1;
    if (e.type === 3) {
      ctx.out(`${label}${ms(rtt).padStart(9)} reached\n`);
      finish(`     Resume: pmtu ${mtu} hops ${hops} back ${back} \n`);
      return;
    }
    ctx.out(`${label}${ms(rtt).padStart(9)} \n`);
    ttl++;
    if (ttl > maxHops) finish(`     Too many hops: pmtu ${mtu}\n     Resume: pmtu ${mtu} \n`);
    else send();
  };
  send();
  return {
    done: () => finished,
    status: () => 0,
    stop: () => {
      timer?.cancel();
      if (!finished) {
        finished = true;
        sock.close();
      }
    },
  };
}
