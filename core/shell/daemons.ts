/**
 * Daemons: programs that detach from the shell and keep running in virtual
 * time (dnsmasq, dhclient after it gets a lease, dhcrelay), as fork() and
 * setsid() leave them on Linux. Each has a pid; `pkill NAME` and `kill PID`
 * stop it. What they log goes to the node's `/var/log/syslog` in rsyslog's
 * traditional layout ("Jan  1 00:00:03 host dnsmasq-dhcp[1000]: …"), with the
 * virtual clock starting at midnight, January 1st.
 *
 * @module
 */
import type { Node } from "../node/node.ts";
import type { NetNs } from "../node/netns.ts";

/** A running daemon. */
export interface Daemon {
  /** Program name, as `pkill` matches it. */
  readonly name: string;
  /** Process id. */
  readonly pid: number;
  /** The namespace it runs in. */
  readonly ns: NetNs;
  /** The command line it was started with. */
  readonly command: string;
  /** Stop it (SIGTERM). */
  stop(): void;
}

interface Registry {
  daemons: Daemon[];
  nextPid: number;
}

const registries = new WeakMap<Node, Registry>();

function registryOf(node: Node): Registry {
  let r = registries.get(node);
  if (!r) {
    r = { daemons: [], nextPid: 400 };
    registries.set(node, r);
  }
  return r;
}

/** A fresh pid for a program on this node. */
export function newPid(node: Node): number {
  return registryOf(node).nextPid++;
}

/** Record a daemon as running. */
export function addDaemon(node: Node, d: Daemon): void {
  registryOf(node).daemons.push(d);
}

/** Forget a daemon (it exited). */
export function removeDaemon(node: Node, d: Daemon): void {
  const r = registryOf(node);
  const i = r.daemons.indexOf(d);
  if (i >= 0) r.daemons.splice(i, 1);
}

/** Daemons running on a node, optionally only those with this program name. */
export function daemonsOf(node: Node, name?: string): Daemon[] {
  const all = registryOf(node).daemons;
  return name === undefined ? [...all] : all.filter((d) => d.name === name);
}

/**
 * Stop the daemons named `name` (`pkill NAME`) or with pid `pid` (`kill PID`);
 * returns how many were stopped.
 */
export function stopDaemons(node: Node, match: { name?: string; pid?: number }): number {
  const doomed = registryOf(node).daemons.filter((d) =>
    (match.name !== undefined && d.name === match.name) ||
    (match.pid !== undefined && d.pid === match.pid)
  );
  for (const d of doomed) d.stop();
  return doomed.length;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** rsyslog's timestamp for virtual time: "Jan  1 00:00:03" (the clock starts at midnight, January 1st). */
export function syslogTime(ns: number): string {
  const s = Math.floor(ns / 1e9);
  let day = Math.floor(s / 86400) % 365;
  let month = 0;
  while (day >= MONTH_DAYS[month]!) day -= MONTH_DAYS[month++]!;
  const hh = String(Math.floor(s / 3600) % 24).padStart(2, "0");
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${MONTHS[month]} ${String(day + 1).padStart(2, " ")} ${hh}:${mm}:${ss}`;
}

const enc = new TextEncoder();

/** The syslog text of each node, kept as a string and read through the file as bytes. */
const syslogs = new WeakMap<Node, { text: string; file: () => Uint8Array }>();

/** Append one line to the node's /var/log/syslog. */
export function syslog(node: Node, now: number, tag: string, pid: number, line: string): void {
  const path = "/var/log/syslog";
  let log = syslogs.get(node);
  const current = node.files.get(path);
  if (log === undefined || current !== log.file) {
    // First line, or someone else wrote the file: start from what it holds.
    const bytes = typeof current === "function" ? current() : current;
    const entry: { text: string; file: () => Uint8Array } = {
      text: bytes === undefined ? "" : new TextDecoder().decode(bytes),
      file: () => enc.encode(entry.text),
    };
    log = entry;
    syslogs.set(node, log);
    node.files.set(path, log.file);
  }
  log.text += `${syslogTime(now)} ${node.name} ${tag}[${pid}]: ${line}\n`;
}
