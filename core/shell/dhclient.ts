/**
 * `dhclient [-v] [-d] [-1] [-nw] [-r | -x] [-lf FILE] [-pf FILE] [IF …]`:
 * ISC dhclient 4.4.3 on Debian, with its timing (see `core/app/dhcp/client.ts`,
 * `timing: "dhclient"`), what its dhclient-script does on each transition
 * (address with prefix and broadcast, default route, resolv.conf) and its log
 * lines: "DHCPDISCOVER on eth0 to 255.255.255.255 port 67 interval 4",
 * "DHCPOFFER of … from …", "DHCPREQUEST for … on eth0 to … port 67",
 * "DHCPACK of … from …", "bound to … -- renewal in N seconds.", "DHCPNAK from …",
 * "DHCPRELEASE of … on eth0 to … port 67", "No DHCPOFFERS received.". They go
 * to `/var/log/syslog`, and with `-v` to standard error as well, after the
 * version banner and the "Listening on LPF/…" lines.
 *
 * It runs in the foreground until it is bound (or gives up after 60 s), then
 * detaches and keeps renewing as a daemon; `-d` keeps it in the foreground
 * (run it with `&`), `-nw` detaches at once, `-1` exits with status 2 when the
 * first attempt fails. `-r` stops the running client ("Killed old client
 * process") and releases the lease; `-x` stops it without a release (its
 * script's STOP still removes the address). The lease is remembered in the lease
 * file (`/var/lib/dhcp/dhclient.leases`, dhclient's format, dates counted from
 * 1970-01-01 as virtual time zero), so a later `dhclient` starts in INIT-REBOOT
 * and asks for it again.
 *
 * Simplified: a new `dhclient` on an interface replaces the one already running
 * there (the real one would run beside it); `-x` does not send the stray
 * REQUEST dhclient 4.4.3 sends; no DHCPv6 (`-6`), `-sf`, `-cf` or `-e`.
 *
 * @module
 */
import { formatIp4, formatMac } from "../wire/addr.ts";
import { DhcpClient, type DhcpLease, INFINITE_LEASE } from "../app/dhcp/client.ts";
import type { Node } from "../node/node.ts";
import type { NetNs } from "../node/netns.ts";
import type { CommandContext, Process } from "./context.ts";
import { ctime } from "./iptables.ts";
import { addDaemon, type Daemon, daemonsOf, newPid, removeDaemon, syslog } from "./daemons.ts";

const BANNER = "Internet Systems Consortium DHCP Client 4.4.3-P1\n" +
  "Copyright 2004-2022 Internet Systems Consortium.\n" +
  "All rights reserved.\n" +
  "For info, please visit https://www.isc.org/software/dhcp/\n";

/** The text ISC tools print before giving up ("… exiting."). */
export const ISC_BUG_TEXT = "\nIf you think you have received this message due to a bug rather\n" +
  "than a configuration issue please read the section on submitting\n" +
  "bugs on either our web page at www.isc.org or in the README file\n" +
  "before submitting a bug.  These pages explain the proper\n" +
  "process and the information we find helpful for debugging.\n\n" +
  "exiting.\n";

const USAGE = "Usage: dhclient [-4|-6] [-SNTPRI1dvrxi] [-nw] [-p <port>] [-D LL|LLT]\n" +
  "                [--dad-wait-time <seconds>] [--prefix-len-hint <length>]\n" +
  "                [--decline-wait-time <seconds>]\n" +
  "                [--address-prefix-len <length>]\n" +
  "                [-s server-addr] [-cf config-file]\n" +
  "                [-df duid-file] [-lf lease-file]\n" +
  "                [-pf pid-file] [--no-pid] [-e VAR=val]\n" +
  "                [-sf script-file] [interface]*\n" +
  "       dhclient {--version|--help|-h}\n";

const DEFAULT_LEASE_FILE = "/var/lib/dhcp/dhclient.leases";

/** A running dhclient: the daemon entry and its client. */
interface ClientDaemon extends Daemon {
  readonly client: DhcpClient;
  readonly iface: string;
}

/** Per node and lease file, per interface: remembered leases and their lease-file blocks. */
interface LeaseFileState {
  leases: Map<string, DhcpLease>;
  blocks: Map<string, string>;
}

const leaseFiles = new WeakMap<Node, Map<string, LeaseFileState>>();

function leaseFileOf(node: Node, file: string): LeaseFileState {
  let byFile = leaseFiles.get(node);
  if (!byFile) {
    byFile = new Map();
    leaseFiles.set(node, byFile);
  }
  let st = byFile.get(file);
  if (!st) {
    st = { leases: new Map(), blocks: new Map() };
    byFile.set(file, st);
  }
  return st;
}

function key(ns: NetNs, iface: string): string {
  return `${ns.name}/${iface}`;
}

/** The running client on an interface, if any. */
export function dhclientOn(node: Node, ns: NetNs, iface: string): DhcpClient | undefined {
  const d = daemonsOf(node, "dhclient").find((x) =>
    (x as ClientDaemon).iface === iface && x.ns === ns
  ) as ClientDaemon | undefined;
  return d?.client;
}

const DHCLIENT_OPTION_NAMES: Record<number, string> = {
  1: "subnet-mask",
  2: "time-offset",
  3: "routers",
  6: "domain-name-servers",
  12: "host-name",
  15: "domain-name",
  26: "interface-mtu",
  28: "broadcast-address",
  42: "ntp-servers",
  51: "dhcp-lease-time",
  53: "dhcp-message-type",
  54: "dhcp-server-identifier",
  58: "dhcp-renewal-time",
  59: "dhcp-rebinding-time",
  66: "tftp-server-name",
  67: "bootfile-name",
};
/** The order dhclient 4.4 writes the options of a lease in. */
const WRITE_ORDER = [1, 3, 51, 53, 6, 54, 58, 28, 59, 12, 15, 2, 26, 42, 66, 67];

function rank(code: number): number {
  const i = WRITE_ORDER.indexOf(code);
  return i < 0 ? 1000 + code : i;
}

const ADDRESS_LISTS = new Set([1, 3, 6, 28, 42, 54]);
const TEXTS = new Set([12, 15, 66, 67]);

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** dhclient's date, "W YYYY/MM/DD HH:MM:SS" (weekday 0 = Sunday), from ctime's fields. */
function leaseDate(ns: number): string {
  const [wd, mon, day, time, year] = ctime(ns).split(/\s+/) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${WEEKDAYS.indexOf(wd)} ${year}/${p(MONTHS.indexOf(mon) + 1)}/${p(Number(day))} ${time}`;
}

/** One `lease { … }` block as dhclient writes it. */
function leaseBlock(iface: string, l: DhcpLease, released: number | undefined): string {
  const o = l.ack.options;
  let t = `lease {\n  interface "${iface}";\n  fixed-address ${formatIp4(l.address)};\n`;
  if (l.ack.file !== "") t += `  filename "${l.ack.file}";\n`;
  if (l.ack.sname !== "") t += `  server-name "${l.ack.sname}";\n`;
  // dhclient writes options in the order of its option hash, not the wire's.
  const codes = [...(o.order ?? [])].sort((x, y) => rank(x) - rank(y));
  for (const code of codes) {
    const name = DHCLIENT_OPTION_NAMES[code];
    if (name === undefined) continue;
    let value: string;
    if (code === 53) value = String(o.messageType);
    else if (code === 51) value = String(o.leaseTime);
    else if (code === 58) value = String(o.renewalTime);
    else if (code === 59) value = String(o.rebindingTime);
    else if (TEXTS.has(code)) {
      const text = code === 12
        ? o.hostName
        : code === 15
        ? o.domainName
        : code === 66
        ? o.tftpServerName
        : o.bootfileName;
      value = `"${(text ?? "").replace(/\0+$/, "")}"`;
    } else if (ADDRESS_LISTS.has(code)) {
      const list = code === 1
        ? [l.subnetMask]
        : code === 3
        ? l.routers
        : code === 6
        ? l.dnsServers
        : code === 28
        ? [l.broadcast]
        : code === 54
        ? [l.serverId]
        : [];
      if (list.length === 0) continue;
      value = list.map(formatIp4).join(",");
    } else continue;
    t += `  option ${name} ${value};\n`;
  }
  const renew = released ?? l.renewAt,
    rebind = released ?? l.rebindAt,
    expire = released ?? l.expiresAt;
  if (l.leaseTime !== INFINITE_LEASE || released !== undefined) {
    t += `  renew ${leaseDate(renew)};\n  rebind ${leaseDate(rebind)};\n  expire ${
      leaseDate(expire)
    };\n`;
  } else t += "  renew never;\n  rebind never;\n  expire never;\n";
  return t + "}\n";
}

function writeLeaseFile(node: Node, file: string, blocks: Map<string, string>): void {
  node.files.set(file, new TextEncoder().encode([...blocks.values()].join("")));
}

interface Args {
  verbose: boolean;
  foreground: boolean;
  once: boolean;
  noWait: boolean;
  release: boolean;
  exit: boolean;
  leaseFile: string;
  ifaces: string[];
}

function parseArgs(argv: string[]): Args | { bad: string } {
  const a: Args = {
    verbose: false,
    foreground: false,
    once: false,
    noWait: false,
    release: false,
    exit: false,
    leaseFile: DEFAULT_LEASE_FILE,
    ifaces: [],
  };
  for (let i = 1; i < argv.length; i++) {
    const x = argv[i]!;
    switch (x) {
      case "-4":
      case "-q":
      case "--no-pid":
      case "-w":
        break;
      case "-v":
        a.verbose = true;
        break;
      case "-d":
        a.foreground = true;
        break;
      case "-1":
        a.once = true;
        break;
      case "-nw":
        a.noWait = true;
        break;
      case "-r":
        a.release = true;
        break;
      case "-x":
        a.exit = true;
        break;
      case "-lf":
      case "-pf":
      case "-cf":
      case "-sf": {
        const v = argv[++i];
        if (v === undefined) return { bad: `${x} requires an argument` };
        if (x === "-lf") a.leaseFile = v;
        break;
      }
      default:
        if (x.startsWith("-")) return { bad: `Unknown command: ${x}` };
        a.ifaces.push(x);
    }
  }
  return a;
}

/** The `dhclient` command. */
export function dhclient(ctx: CommandContext, argv: string[]): number | Process {
  const node = ctx.node;
  const ns = ctx.ns;
  const sim = ctx.sim;
  const parsed = parseArgs(argv);
  if ("bad" in parsed) {
    ctx.err(`${BANNER}${parsed.bad}\n${USAGE}${ISC_BUG_TEXT}`);
    return 1;
  }
  const a = parsed;
  const names = a.ifaces.length > 0
    ? a.ifaces
    : [...ns.dev.interfaces.values()].filter((i) => i.kind !== "loopback").map((i) => i.name);
  const pid = newPid(node);
  const log = (line: string) => {
    syslog(node, sim.now, "dhclient", pid, line);
    if (a.verbose) ctx.err(line + "\n");
  };

  if (a.release || a.exit) {
    let pending = 0;
    let killed = false;
    for (const d of daemonsOf(node, "dhclient") as ClientDaemon[]) {
      if (d.ns !== ns || !names.includes(d.iface)) continue;
      d.stop();
      killed = true;
    }
    if (killed) ctx.err("Killed old client process\n");
    for (const name of names) {
      const iface = ns.dev.get(name);
      if (!iface) {
        ctx.err(`Cannot find device "${name}"\n`);
        return 1;
      }
      if (a.verbose) {
        ctx.err(`${BANNER}\n${lpfLines(name, iface.mac)}Sending on   Socket/fallback\n`);
      }
      const mem = leaseFileOf(node, a.leaseFile).leases;
      const lease = mem.get(key(ns, name));
      if (lease === undefined) continue;
      const c = new DhcpClient({
        ns,
        iface,
        files: node.files,
        hostName: node.name,
        timing: "dhclient",
        arpProbe: false,
        previousLease: lease,
      });
      c.onLog = log;
      if (a.release) {
        const configured = ns.ip.addressesOf(iface).some((x) => x.addr === lease.address);
        c.lease = lease;
        if (configured) {
          pending++;
          c.release(() => pending--);
        } else {
          // No address to send from: dhclient logs the attempt, and the send fails.
          log(
            `DHCPRELEASE of ${formatIp4(lease.address)} on ${name} to ${
              formatIp4(lease.serverId)
            } port 67`,
          );
        }
      } else {
        // -x: the script's STOP removes the address, nothing is sent.
        for (const x of ns.ip.addressesOf(iface).filter((x) => x.label === name)) {
          ns.ip.delAddress(iface, x.addr, x.len);
        }
      }
      if (!a.release) continue;
      // A released lease stays in the file, run out: the next start does a DISCOVER.
      mem.delete(key(ns, name));
      const blocks = leaseFileOf(node, a.leaseFile).blocks;
      blocks.set(key(ns, name), leaseBlock(name, lease, sim.now));
      writeLeaseFile(node, a.leaseFile, blocks);
    }
    // dhclient exits once its script has run, after the RELEASE went out.
    return pending === 0 ? 0 : { done: () => pending === 0, status: () => 0, stop: () => {} };
  }

  for (const name of names) {
    if (!ns.dev.get(name)) {
      ctx.err(`Cannot find device "${name}"\n`);
      if (a.verbose) {
        ctx.err(`${BANNER}\nFailed to get interface index: No such device\n${ISC_BUG_TEXT}`);
      }
      return 1;
    }
  }
  if (a.verbose) {
    ctx.err(BANNER + "\n");
    for (const name of names) ctx.err(lpfLines(name, ns.dev.get(name)!.mac));
    ctx.err("Sending on   Socket/fallback\n");
  }
  let settled = 0;
  let failed = false;
  const clients: DhcpClient[] = [];
  for (const name of names) {
    for (const old of daemonsOf(node, "dhclient") as ClientDaemon[]) {
      if (old.ns === ns && old.iface === name) old.stop();
    }
    const mem = leaseFileOf(node, a.leaseFile).leases;
    const blocks = leaseFileOf(node, a.leaseFile).blocks;
    const client = new DhcpClient({
      ns,
      iface: name,
      files: node.files,
      hostName: node.name,
      timing: "dhclient",
      arpProbe: false,
      previousLease: mem.get(key(ns, name)),
    });
    let first = true;
    client.onLog = log;
    client.onBound = (lease) => {
      mem.set(key(ns, name), lease);
      blocks.set(key(ns, name), leaseBlock(name, lease, undefined));
      writeLeaseFile(node, a.leaseFile, blocks);
      if (first) settled++;
      first = false;
    };
    client.onLost = () => {
      mem.delete(key(ns, name));
    };
    client.onGiveUp = () => {
      if (first) {
        settled++;
        failed = true;
      }
      first = false;
    };
    const daemon: ClientDaemon = {
      name: "dhclient",
      pid,
      ns,
      command: argv.join(" "),
      client,
      iface: name,
      stop: () => {
        client.stop();
        removeDaemon(node, daemon);
      },
    };
    addDaemon(node, daemon);
    clients.push(client);
    client.start();
  }
  if (a.noWait) return 0;
  let status = 0;
  let finished = false;
  return {
    done: () => {
      if (finished) return true;
      if (settled < clients.length || a.foreground) return false;
      finished = true;
      if (failed && a.once) {
        for (const d of daemonsOf(node, "dhclient") as ClientDaemon[]) {
          if (clients.includes(d.client)) d.stop();
        }
        log("Unable to obtain a lease on first try.  Exiting.");
        status = 2;
      }
      return true;
    },
    status: () => status,
    stop: () => {
      finished = true;
      for (const d of daemonsOf(node, "dhclient") as ClientDaemon[]) {
        if (clients.includes(d.client)) d.stop();
      }
    },
  };
}

/** The "Listening on"/"Sending on" lines of one interface. */
function lpfLines(name: string, mac: number): string {
  return `Listening on LPF/${name}/${formatMac(mac)}\n` +
    `Sending on   LPF/${name}/${formatMac(mac)}\n`;
}
