/**
 * `tracepath` (iputils 20221126), following its loop: UDP probes to port
 * 44444 and up with rising TTL, sent with DF and no fragmentation
 * (IP_PMTUDISC_PROBE) at the size of the current MTU guess, which starts at
 * 65535. Each probe waits up to a second for an error:
 *
 * - too big for the route here: ` 1?: [LOCALHOST]   pmtu N` and the probe is
 *   resent smaller;
 * - frag needed from a router: that hop's line ends in `pmtu N`;
 * - time exceeded: the hop's line (`asymm N` when the reply took another
 *   number of hops back);
 * - port unreachable from the destination: `reached`, then the
 *   `Resume: pmtu N hops H back B` line;
 * - net, host or admin unreachable: `!N`, `!H`, `!A`, and the trace ends.
 *
 * A TTL is probed again whenever the MTU changed while probing it (so the
 * first hop usually appears twice, as with iputils); three silent probes give
 * `N:  no reply`; ten failed sends give `N:  send failed`. Hosts are printed as
 * addresses: packetlab has no resolver, so a reverse lookup finds no name and
 * tracepath falls back to the address (with `-b`, `addr (addr)`).
 *
 * Options: -4 -b -l LEN -m HOPS -n -p PORT -V.
 *
 * @module
 */
import { formatIp4 } from "../wire/addr.ts";
import type { IcmpError } from "../ip/ipv4.ts";
import {
  type CommandContext,
  type Coroutine,
  coroutine,
  type Process,
  type Wait,
} from "./context.ts";
import { getopt } from "./getopt.ts";
import { resolveHost, reverseName } from "./format.ts";

const USAGE = `
Usage
  tracepath [options] <destination>

Options:
  -4             use IPv4
  -6             use IPv6
  -b             print both name and ip
  -l <length>    use packet <length>
  -m <hops>      use maximum <hops>
  -n             no dns name resolution
  -p <port>      use destination <port>
  -V             print version and exit
  <destination>  dns name or ip address

For more details see tracepath(8).
`;

const VERSION = "tracepath from iputils 20221126\n" +
  "libcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n";

const HOST_COLUMN_SIZE = 52;
const OVERHEAD = 28;

/** An entry of the socket's error queue, as recvmsg(MSG_ERRQUEUE) reports it. */
interface QueuedError {
  local: boolean;
  errno: string;
  /** ee_info: the MTU of an EMSGSIZE. */
  info: number;
  from: number;
  type: number;
  code: number;
  /** Destination port of the datagram it is about. */
  port: number;
  /** TTL of the error packet as received. */
  ttl: number;
  /** Arrival time, ns. */
  time: number;
}

/** Linux's icmp_err_convert: the errno an ICMP error becomes on a socket. */
export function icmpErrno(type: number, code: number): string {
  if (type === 11) return "EHOSTUNREACH";
  if (type === 12) return "EPROTO";
  if (type !== 3) return "EHOSTUNREACH";
  const table: Record<number, string> = {
    0: "ENETUNREACH",
    1: "EHOSTUNREACH",
    2: "ENOPROTOOPT",
    3: "ECONNREFUSED",
    4: "EMSGSIZE",
    5: "EOPNOTSUPP",
    6: "ENETUNREACH",
    7: "EHOSTDOWN",
    8: "ENONET",
    9: "EACCES",
    10: "EACCES",
    11: "ENETUNREACH",
    12: "EHOSTUNREACH",
  };
  return table[code] ?? "EHOSTUNREACH";
}

const STRERROR: Record<string, string> = {
  ENOPROTOOPT: "Protocol not available",
  EOPNOTSUPP: "Operation not supported",
  EHOSTDOWN: "Host is down",
  ENONET: "Machine is not on the network",
};

/** The `tracepath` command. */
export function tracepath(ctx: CommandContext, argv: string[]): number | Process {
  const g = getopt(argv.slice(1), "46nbh?l:m:p:V");
  if (!g.ok) {
    ctx.err(
      (g.error === "invalid"
        ? `tracepath: invalid option -- '${g.ch}'\n`
        : `tracepath: option requires an argument -- '${g.ch}'\n`) + USAGE,
    );
    return 255;
  }
  let noResolve = false;
  let showBoth = false;
  let maxHops = 30;
  let mtu = 0;
  let basePort = 0;
  for (const [ch, v] of g.opts) {
    const val = v ?? "";
    const int = (min: number, max: number): number | undefined => {
      if (!/^\s*[-+]?\d+$/.test(val)) {
        ctx.err(`tracepath: invalid argument: '${val}'\n`);
        return undefined;
      }
      const n = Number(val);
      if (n < min || n > max) {
        ctx.err(`tracepath: invalid argument: '${val}': out of range: ${min} <= value <= ${max}\n`);
        return undefined;
      }
      return n;
    };
    switch (ch) {
      case "n":
        noResolve = true;
        break;
      case "b":
        showBoth = true;
        break;
      case "4":
        break;
      case "6":
        ctx.err("tracepath: IPv6 is not modelled by packetlab\n");
        return 1;
      case "l": {
        const n = int(0, 2147483647);
        if (n === undefined) return 1;
        mtu = n;
        break;
      }
      case "m": {
        const n = int(0, 255);
        if (n === undefined) return 1;
        maxHops = n;
        break;
      }
      case "p": {
        const n = int(0, 65535);
        if (n === undefined) return 1;
        basePort = n;
        break;
      }
      case "V":
        ctx.out(VERSION);
        return 0;
      default:
        ctx.err(USAGE);
        return 255;
    }
  }
  if (g.operands.length !== 1) {
    ctx.err(USAGE);
    return 255;
  }
  let host = g.operands[0]!;
  if (!basePort) {
    const slash = host.indexOf("/");
    if (slash >= 0) {
      basePort = Number(host.slice(slash + 1)) || 0;
      host = host.slice(0, slash);
    } else basePort = 44444;
  }
  const resolved = resolveHost(host);
  if (!resolved) {
    ctx.err(`tracepath: ${host}: Name or service not known\n`);
    return 1;
  }
  if (mtu === 0) mtu = 65535;
  if (mtu <= OVERHEAD) {
    ctx.err(`tracepath: pktlen must be within: ${OVERHEAD} < value <= 2147483647\n`);
    return 1;
  }
  const dst = resolved.addr;
  const ns = ctx.ns;
  const sim = ctx.sim;
  const sock = ns.udp.socket();
  sock.bind(0, 0);
  const queue: QueuedError[] = [];
  const his: Array<{ hops: number; sent: number }> = Array.from(
    { length: 64 },
    () => ({ hops: 0, sent: 0 }),
  );
  let hisptr = 0;
  let ttl = 1;
  let hopsTo = -1;
  let hopsFrom = -1;
  let out = "";
  const print = (t: string) => {
    out += t;
    if (t.includes("\n")) {
      ctx.out(out);
      out = "";
    }
  };

  const hostColumn = (addr: number) => {
    const a = formatIp4(addr);
    // No resolver: a reverse lookup finds nothing but the hosts table.
    const name = reverseName(addr) ?? a;
    const first = noResolve ? a : name;
    const text = showBoth ? `${first} (${noResolve ? name : a})` : first;
    const plen = Math.min(text.length, HOST_COLUMN_SIZE - 1);
    return text + " ".repeat(HOST_COLUMN_SIZE - plen);
  };

  const ms = (ns: number) => {
    const us = Math.floor(ns / 1000);
    return `${String(Math.floor(us / 1000)).padStart(3)}.${String(us % 1000).padStart(3, "0")}ms `;
  };

  /** recverr(): read every queued error; the MTU if any arrived, 0 to stop, -1 if none. */
  const recverr = (): number => {
    let progress = -1;
    for (;;) {
      const e = queue.shift();
      if (e === undefined) return progress;
      progress = mtu;
      let sndhops = -1;
      let sent: number | undefined;
      const slot = e.port - basePort;
      if (slot >= 0 && slot < 63 && his[slot]!.hops) {
        sndhops = his[slot]!.hops;
        sent = his[slot]!.sent;
        his[slot]!.hops = 0;
      }
      if (e.local) print(`${String(ttl).padStart(2)}?: ${"[LOCALHOST]".padEnd(32)} `);
      else {
        print(sndhops > 0 ? `${String(sndhops).padStart(2)}:  ` : `${String(ttl).padStart(2)}?: `);
        print(hostColumn(e.from));
      }
      if (sent !== undefined) print(ms(e.time - sent));
      let rethops = e.local ? -1 : e.ttl;
      if (rethops >= 0) {
        rethops = rethops <= 64 ? 65 - rethops : rethops <= 128 ? 129 - rethops : 256 - rethops;
      }
      switch (e.errno) {
        case "EMSGSIZE":
          print(`pmtu ${e.info}\n`);
          mtu = e.info;
          progress = mtu;
          break;
        case "ECONNREFUSED":
          print("reached\n");
          hopsTo = sndhops < 0 ? ttl : sndhops;
          hopsFrom = rethops;
          return 0;
        case "EPROTO":
          print("!P\n");
          return 0;
        case "EHOSTUNREACH":
          if (!e.local && e.type === 11 && e.code === 0) {
            if (rethops >= 0) {
              if ((sndhops >= 0 && rethops !== sndhops) || (sndhops < 0 && rethops !== ttl)) {
                print(`asymm ${String(rethops).padStart(2)} `);
              }
            }
            print("\n");
            break;
          }
          print("!H\n");
          return 0;
        case "ENETUNREACH":
          print("!N\n");
          return 0;
        case "EACCES":
          print("!A\n");
          return 0;
        default:
          print("\n");
          ctx.err(`tracepath: NET ERROR: ${STRERROR[e.errno] ?? e.errno}\n`);
          return 0;
      }
    }
  };

  const routeMtu = () => {
    const r = ns.ip.route(dst, {});
    return typeof r === "string" ? mtu : r.mtu;
  };

  sock.onError = (e: IcmpError) => {
    queue.push({
      local: false,
      errno: icmpErrno(e.type, e.code),
      info: e.type === 3 && e.code === 4 ? e.rest & 0xffff : 0,
      from: e.from,
      type: e.type,
      code: e.code,
      port: e.quoted.dstPort ?? -1,
      ttl: e.ttl,
      time: e.time,
    });
    self.proc?.poke();
  };

  /** probe_ttl(): send one probe (retrying failed sends), wait, read the errors. */
  function* probeTtl(): Generator<Wait, number, void> {
    restart: for (;;) {
      let i = 0;
      for (; i < 10; i++) {
        const port = basePort + hisptr;
        his[hisptr] = { hops: ttl, sent: sim.now };
        const err = sock.sendTo(Math.max(0, mtu - OVERHEAD), dst, port, {
          ttl,
          df: true,
          dontFragment: true,
        });
        if (err === undefined) break;
        if (err === "EMSGSIZE") {
          queue.push({
            local: true,
            errno: "EMSGSIZE",
            info: routeMtu(),
            from: 0,
            type: 0,
            code: 0,
            port: -1,
            ttl: 0,
            time: sim.now,
          });
        }
        const res = recverr();
        his[hisptr]!.hops = 0;
        if (res === 0) return 0;
        if (res > 0) continue restart;
      }
      hisptr = (hisptr + 1) & 63;
      if (i < 10) {
        yield { ready: () => queue.length > 0, timeout: 1e9 };
        return recverr();
      }
      print(`${String(ttl).padStart(2)}:  send failed\n`);
      return 0;
    }
  }

  function* main(): Generator<Wait, number, void> {
    let done = false;
    for (ttl = 1; ttl <= maxHops && !done; ttl++) {
      let res = -1;
      restart: for (;;) {
        for (let i = 0; i < 3; i++) {
          const old = mtu;
          res = yield* probeTtl();
          if (mtu !== old) continue restart;
          if (res === 0) {
            done = true;
            break restart;
          }
          if (res > 0) break restart;
        }
        break;
      }
      if (done) break;
      if (res < 0) print(`${String(ttl).padStart(2)}:  no reply\n`);
    }
    if (!done) print(`     Too many hops: pmtu ${mtu}\n`);
    finish();
    return 0;
  }

  const finish = () => {
    let line = `     Resume: pmtu ${mtu} `;
    if (hopsTo >= 0) line += `hops ${hopsTo} `;
    if (hopsFrom >= 0) line += `back ${hopsFrom} `;
    print(line + "\n");
    sock.close();
  };

  const self: { proc?: Coroutine } = {};
  const proc = coroutine(sim, main(), () => {
    if (out) ctx.out(out);
    sock.close();
    return 130;
  });
  self.proc = proc;
  return proc;
}
