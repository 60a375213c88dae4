/**
 * A machine: a host, router, VM or container host. It has a root network
 * namespace (with `lo` up and 127.0.0.1/8, as a booted machine has), may create
 * more (`ip netns add`), keeps a small in-memory file system (captures, config
 * files such as /etc/iproute2/rt_tables), and runs Linux command lines with
 * `sh()`.
 *
 * @module
 */
import type { NamespaceEnv } from "../net/namespace.ts";
import { formatMac } from "../wire/addr.ts";
import { NetNs } from "./netns.ts";
import { labHooks } from "../sim/hooks.ts";
import type { Interface } from "../net/interface.ts";

/** What `sh()` returns: the output of every command, in order. */
export interface ShellResult {
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** Both, interleaved as a terminal shows them. */
  out: string;
  /** Exit status of the last command. */
  status: number;
}

/** Runs command lines for a node (the shell module installs the implementation). */
export type ShellRunner = (node: Node, text: string) => ShellResult;

let runner: ShellRunner | undefined;

/** Install the shell implementation (done by core/shell at import). */
export function setShellRunner(r: ShellRunner): void {
  runner = r;
}

/** A simulated machine. */
export class Node {
  /** Node name. */
  readonly name: string;
  /** Shared services from the network. */
  readonly env: NamespaceEnv;
  /** The root namespace. */
  readonly root: NetNs;
  /** Named namespaces (`ip netns`), in creation order. */
  readonly netns: Map<string, NetNs> = new Map();
  /** In-memory files by absolute path. */
  readonly files: Map<string, Uint8Array | (() => Uint8Array)> = new Map();
  /** Background jobs started with `&` that are still running. */
  readonly jobs: Array<{ id: number; command: string; stop: () => void; done: () => boolean }> = [];
  #nextEth = 0;

  /** A node whose root namespace has `lo` up with 127.0.0.1/8. */
  constructor(env: NamespaceEnv, name: string) {
    this.env = env;
    this.name = name;
    this.root = new NetNs(env, name, "");
    this.root.bootLoopback();
    const enc = new TextEncoder();
    this.files.set(
      "/etc/iproute2/rt_tables",
      enc.encode(
        "#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n#\n# local\n#\n#1\tinr.ruhep\n",
      ),
    );
  }

  /** Create a named namespace; undefined if it exists. */
  addNetns(name: string): NetNs | undefined {
    if (this.netns.has(name)) return undefined;
    const ns = new NetNs(this.env, this.name, name);
    this.netns.set(name, ns);
    return ns;
  }

  /** The next free ethN name in the root namespace. */
  nextEthName(): string {
    while (this.root.dev.get(`eth${this.#nextEth}`)) this.#nextEth++;
    return `eth${this.#nextEth++}`;
  }

  /** An interface of the root namespace by name. */
  iface(name: string): Interface {
    return this.root.iface(name);
  }

  /** The MAC of a root-namespace interface, as text. */
  mac(ifname: string): string {
    return formatMac(this.iface(ifname).mac);
  }

  /**
   * Run Linux command lines (newline- or `;`-separated) in the root namespace.
   * Virtual time advances until foreground commands finish. Never throws for a
   * bad command line: the output says what Linux would.
   *
   * @example
   * ```ts ignore
   * r1.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 192.168.4.0/24 via 192.168.56.2");
   * const out = a.sh("ping -c 1 192.168.4.101").out;
   * ```
   */
  sh(text: string): ShellResult {
    if (!runner) throw new Error("the shell is not loaded: import core/shell/mod.ts");
    const r = runner(this, text);
    labHooks.onShell?.(this.name, text, r.out);
    return r;
  }

  /** Packets held in this node's namespaces. */
  get held(): number {
    let n = this.root.held;
    for (const ns of this.netns.values()) n += ns.held;
    return n;
  }

  /** Every namespace, root first. */
  namespaces(): NetNs[] {
    return [this.root, ...this.netns.values()];
  }
}
