/**
 * The shell: Linux command lines run on a node's namespaces, with Linux's
 * output layout and error messages. `node.sh(text)` runs each command in turn;
 * commands that take time (ping, traceroute, sleep, tcpdump) advance virtual
 * time until they finish. A command ending in `&` runs in the background until
 * it finishes or is killed (`kill %1`). Output redirections (`>`, `>>`, `2>&1`,
 * `>/dev/null`) write into the node's in-memory files; `< FILE` must name one.
 * A command name that is none of these prints `bash: NAME: command not found`
 * (status 127). Everything due at the instant a command ends happens before
 * the next one starts.
 *
 * Commands: ip, sysctl, ping, traceroute, tracepath, tcpdump, iptables,
 * iptables-save, iptables-restore, conntrack, dmesg, curl, echo, cat, sleep,
 * true, false, kill, pkill, wait, hostname.
 *
 * TFTP: tftp (tftp-hpa's client) and in.tftpd (tftpd-hpa's server).
 *
 * DHCP: dnsmasq, dhclient, dhcrelay; as daemons they outlive the command line
 * that started them, and `pkill NAME` or `kill PID` stops them.
 *
 * DNS: dig (BIND 9.18) and getent hosts (glibc), over the node's
 * /etc/resolv.conf and /etc/hosts; unbound (a resolver daemon).
 *
 * @module
 */
import type { Node, ShellResult } from "../node/node.ts";
import { setShellRunner } from "../node/node.ts";
import type { NetNs } from "../node/netns.ts";
import type { Simulator } from "../sim/simulator.ts";
import { type Command, type CommandContext, exited, type Process } from "./context.ts";
import { parseCommands, ShellSyntaxError, type SimpleCommand } from "./parse.ts";
import { ipCommand, setNetnsExec } from "./ip.ts";
import { ping } from "./ping.ts";
import { traceroute } from "./traceroute.ts";
import { tracepath } from "./tracepath.ts";
import { sysctl } from "./sysctl.ts";
import { tcpdump } from "./tcpdump.ts";
import { dig } from "./dig.ts";
import { getent } from "./getent.ts";
import { unbound } from "./unbound.ts";
import { tftp } from "./tftp.ts";
import { tftpd } from "./tftpd.ts";
import { iptables, iptablesRestore, iptablesSave } from "./iptables.ts";
import { conntrack } from "./conntrack.ts";
import { dmesg } from "./dmesg.ts";
import { curl } from "./curl.ts";
import { dnsmasq } from "./dnsmasq.ts";
import { dhclient } from "./dhclient.ts";
import { dhcrelay } from "./dhcrelay.ts";
import { stopDaemons } from "./daemons.ts";

export type { Command, CommandContext, Process } from "./context.ts";
export { parseCommands } from "./parse.ts";

type Sink = (fd: 1 | 2, text: string) => void;

interface Job {
  id: number;
  pid: number;
  command: string;
  proc: Process;
}

interface ShellState {
  sink: Sink;
  jobs: Job[];
  nextJob: number;
  nextPid: number;
}

const states = new WeakMap<Node, ShellState>();

function stateOf(node: Node): ShellState {
  let s = states.get(node);
  if (!s) {
    s = { sink: () => {}, jobs: [], nextJob: 1, nextPid: 1000 };
    states.set(node, s);
  }
  return s;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function readFile(node: Node, path: string): Uint8Array | undefined {
  const f = node.files.get(path);
  return typeof f === "function" ? f() : f;
}

function appendFile(node: Node, path: string, text: string, append: boolean): void {
  const old = append ? readFile(node, path) : undefined;
  const add = enc.encode(text);
  if (!old) {
    node.files.set(path, add);
    return;
  }
  const both = new Uint8Array(old.length + add.length);
  both.set(old);
  both.set(add, old.length);
  node.files.set(path, both);
}

const builtins: Record<string, Command> = {
  ip: ipCommand,
  sysctl,
  ping,
  traceroute,
  tracepath,
  tcpdump,
  dig,
  getent,
  unbound,
  tftp,
  "in.tftpd": tftpd,
  iptables,
  "iptables-save": iptablesSave,
  "iptables-restore": iptablesRestore,
  conntrack,
  dmesg,
  curl,
  dnsmasq,
  dhclient,
  dhcrelay,
  true: () => 0,
  false: () => 1,
  hostname: (ctx) => {
    ctx.out(ctx.node.name + "\n");
    return 0;
  },
  echo: (ctx, argv) => {
    let args = argv.slice(1);
    let newline = true;
    if (args[0] === "-n") {
      newline = false;
      args = args.slice(1);
    }
    ctx.out(args.join(" ") + (newline ? "\n" : ""));
    return 0;
  },
  cat: (ctx, argv) => {
    let status = 0;
    for (const path of argv.slice(1)) {
      const bytes = readFile(ctx.node, path);
      if (!bytes) {
        ctx.err(`cat: ${path}: No such file or directory\n`);
        status = 1;
        continue;
      }
      ctx.out(dec.decode(bytes));
    }
    return status;
  },
  sleep: (ctx, argv) => {
    const t = argv[1];
    if (t === undefined || !/^\d+(\.\d+)?[smh]?$/.test(t)) {
      ctx.err(
        t === undefined
          ? "sleep: missing operand\nTry 'sleep --help' for more information.\n"
          : `sleep: invalid time interval '${t}'\nTry 'sleep --help' for more information.\n`,
      );
      return 1;
    }
    const unit = t.endsWith("m") ? 60 : t.endsWith("h") ? 3600 : 1;
    const secs = parseFloat(t) * unit;
    let done = false;
    const timer = ctx.sim.after(secs * 1e9, () => {
      done = true;
    });
    return {
      done: () => done,
      status: () => 0,
      stop: () => {
        timer.cancel();
        done = true;
      },
    };
  },
  kill: (ctx, argv) => {
    const st = stateOf(ctx.node);
    let status = 0;
    for (const a of argv.slice(1)) {
      if (a.startsWith("-")) continue;
      const job = a.startsWith("%")
        ? st.jobs.find((j) => j.id === Number(a.slice(1)))
        : st.jobs.find((j) => j.pid === Number(a));
      if (!job && !a.startsWith("%") && stopDaemons(ctx.node, { pid: Number(a) }) > 0) continue;
      if (!job) {
        ctx.err(
          a.startsWith("%")
            ? `bash: kill: ${a}: no such job\n`
            : `bash: kill: (${a}) - No such process\n`,
        );
        status = 1;
        continue;
      }
      job.proc.stop();
    }
    reap(st);
    return status;
  },
  pkill: (ctx, argv) => {
    const st = stateOf(ctx.node);
    const name = argv.filter((a) => !a.startsWith("-"))[1];
    let n = 0;
    for (const j of st.jobs) {
      if (name !== undefined && j.command.split(/\s+/)[0] === name) {
        j.proc.stop();
        n++;
      }
    }
    if (name !== undefined) n += stopDaemons(ctx.node, { name });
    reap(st);
    return n > 0 ? 0 : 1;
  },
  wait: (ctx) => {
    const st = stateOf(ctx.node);
    ctx.sim.runUntil(() => st.jobs.every((j) => j.proc.done()));
    for (const j of st.jobs) if (!j.proc.done()) j.proc.stop();
    reap(st);
    return 0;
  },
};

function reap(st: ShellState): void {
  st.jobs = st.jobs.filter((j) => !j.proc.done());
}

/** Run one argv in a context: a builtin, or "command not found". */
function execute(ctx: CommandContext, argv: string[]): number | Process {
  const name = argv[0]!;
  const cmd = builtins[name];
  if (!cmd) {
    ctx.err(`bash: ${name}: command not found\n`);
    return 127;
  }
  return cmd(ctx, argv);
}

setNetnsExec(execute, (name) => Object.hasOwn(builtins, name));

function contextFor(node: Node, ns: NetNs, c: SimpleCommand, sink: Sink): CommandContext {
  // Resolve redirections into writers for fd 1 and 2.
  let w1: (t: string) => void = (t) => sink(1, t);
  let w2: (t: string) => void = (t) => sink(2, t);
  let stdin: string | undefined;
  for (const r of c.redirects) {
    if (r.op === "<") {
      const bytes = readFile(node, r.target);
      stdin = bytes && dec.decode(bytes);
      continue;
    }
    if (r.op === ">&1") {
      if (r.fd === 2) w2 = w1;
      continue;
    }
    if (r.op === ">&2") {
      if (r.fd === 1) w1 = w2;
      continue;
    }
    const path = r.target;
    let writer: (t: string) => void;
    if (path === "/dev/null") writer = () => {};
    else {
      if (r.op === ">") appendFile(node, path, "", false);
      writer = (t) => appendFile(node, path, t, true);
    }
    if (r.fd === 1) w1 = writer;
    else w2 = writer;
  }
  return { node, ns, sim: node.root.dev.sim, out: (t) => w1(t), err: (t) => w2(t), stdin };
}

/**
 * Run shell text on a node (what `node.sh` calls). Output from background jobs
 * that finish later comes back with the next call.
 */
export function runShell(node: Node, text: string, ns: NetNs = node.root): ShellResult {
  const st = stateOf(node);
  let stdout = "";
  let stderr = "";
  let out = "";
  const sink: Sink = (fd, t) => {
    if (fd === 1) stdout += t;
    else stderr += t;
    out += t;
  };
  st.sink = sink;
  let status = 0;
  let cmds: SimpleCommand[];
  try {
    cmds = parseCommands(text);
  } catch (e) {
    if (e instanceof ShellSyntaxError) {
      sink(2, `bash: ${e.message}\n`);
      return { stdout, stderr, out, status: 2 };
    }
    throw e;
  }
  for (const c of cmds) {
    if (c.after === "&&" && status !== 0) continue;
    if (c.after === "||" && status === 0) continue;
    status = runCommand(node, ns, c, st);
  }
  reap(st);
  return { stdout, stderr, out, status };
}

function runCommand(node: Node, ns: NetNs, c: SimpleCommand, st: ShellState): number {
  // Background jobs write to whatever sh() call is current when they print.
  const sink: Sink = c.background ? (fd, t) => st.sink(fd, t) : st.sink;
  for (const r of c.redirects) {
    if (r.op === "<" && readFile(node, r.target) === undefined) {
      sink(2, `bash: ${r.target}: No such file or directory\n`);
      return 1;
    }
  }
  const ctx = contextFor(node, ns, c, sink);
  const sim = node.root.dev.sim;
  const r = execute(ctx, c.argv);
  if (typeof r === "number") {
    settle(sim);
    return r;
  }
  if (c.background) {
    const job: Job = {
      id: st.nextJob++,
      pid: st.nextPid++,
      command: c.text.replace(/&\s*$/, "").trim(),
      proc: r,
    };
    st.jobs.push(job);
    return 0;
  }
  sim.runUntil(() => r.done());
  if (!r.done()) r.stop();
  settle(sim);
  return r.status();
}

/**
 * Let everything due at this instant happen before the next command starts:
 * a command that ends at time t ends with other events of time t still
 * pending (timers armed for the same moment), and on a real machine the next
 * command line starts after them.
 */
function settle(sim: Simulator): void {
  sim.run(sim.now);
}

setShellRunner((node, text) => runShell(node, text));

/** Run one parsed command on a node (the lab runner uses this for `--echo`). */
export function runOne(node: Node, c: SimpleCommand): number {
  return runCommand(node, node.root, c, stateOf(node));
}

/** Point a node's shell output at a sink (the lab runner prints as it goes). */
export function setSink(node: Node, sink: Sink): void {
  stateOf(node).sink = sink;
}

export { exited };
