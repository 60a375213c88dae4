/**
 * The per-namespace sysctl store: the kernel parameters packetlab models, with
 * Linux's defaults, per-interface `net.ipv4.conf.<if>.*` keys, and Linux's
 * coupling of `net.ipv4.ip_forward` with `conf.all.forwarding` and each
 * interface's `forwarding`.
 *
 * Per-interface neighbour parameters `net.ipv4.neigh.<if>.*` follow
 * `neigh.default` until written, as Linux's neigh_copy_dflt_parms does: a new
 * device copies the default, and writing the default changes every device
 * whose own value was never written. `base_reachable_time_ms` exists only as
 * the default (packetlab draws one reachable time per namespace). Linux has
 * `neigh.default` only in the initial namespace; packetlab has it in every one.
 *
 * @module
 */

const GLOBAL_DEFAULTS: Record<string, string> = {
  "net.ipv4.ip_forward": "0",
  "net.ipv4.ip_default_ttl": "64",
  "net.ipv4.icmp_echo_ignore_all": "0",
  "net.ipv4.icmp_echo_ignore_broadcasts": "1",
  "net.ipv4.icmp_ratelimit": "0",
  "net.ipv4.icmp_ratemask": "6168",
  "net.ipv4.ip_no_pmtu_disc": "0",
  "net.ipv4.ipfrag_time": "30",
  "net.ipv4.ip_local_port_range": "32768\t60999",
  "net.ipv4.neigh.default.base_reachable_time_ms": "30000",
  "net.ipv4.neigh.default.retrans_time_ms": "1000",
  "net.ipv4.neigh.default.mcast_solicit": "3",
  "net.ipv4.neigh.default.ucast_solicit": "3",
  "net.ipv4.neigh.default.delay_first_probe_time": "5",
  "net.ipv4.neigh.default.unres_qlen": "101",
  "net.ipv4.neigh.default.proxy_delay": "80",
  "net.ipv4.fib_multipath_hash_policy": "0",
  "net.ipv4.tcp_fin_timeout": "60",
  "net.ipv4.tcp_sack": "1",
  "net.ipv4.tcp_timestamps": "1",
  "net.ipv4.tcp_window_scaling": "1",
  "net.ipv4.tcp_congestion_control": "cubic",
  "net.ipv4.tcp_available_congestion_control": "newreno cubic bbr",
  "net.ipv4.tcp_syn_retries": "6",
  "net.ipv4.tcp_synack_retries": "5",
  "net.ipv4.tcp_retries2": "15",
  "net.ipv4.tcp_max_syn_backlog": "128",
  "net.ipv4.tcp_rmem": "4096\t131072\t6291456",
  "net.ipv4.tcp_wmem": "4096\t16384\t4194304",
  "net.core.somaxconn": "4096",
};

const CONF_DEFAULTS: Record<string, string> = {
  forwarding: "0",
  send_redirects: "1",
  accept_redirects: "1",
  rp_filter: "0",
  proxy_arp: "0",
  arp_ignore: "0",
  arp_announce: "0",
  arp_accept: "0",
};

/** The neighbour parameters each interface has its own copy of. */
const NEIGH_PER_INTERFACE = [
  "retrans_time_ms",
  "mcast_solicit",
  "ucast_solicit",
  "delay_first_probe_time",
  "unres_qlen",
  "proxy_delay",
];

/** Kernel parameters of one namespace. */
export class Sysctl {
  #values = new Map<string, string>();
  /** Per-interface neighbour keys written explicitly (they no longer follow the default). */
  #neighSet = new Set<string>();
  /** Bumped on every change, so hot paths can cache derived flags. */
  version = 0;

  /** Linux's defaults, with `all` and `default` conf sections. */
  constructor() {
    for (const [k, v] of Object.entries(GLOBAL_DEFAULTS)) this.#values.set(k, v);
    this.addInterface("all");
    this.addInterface("default");
  }

  /**
   * Add the `net.ipv4.conf.<name>.*` keys (copied from `default`, as Linux does)
   * and, for a device, its `net.ipv4.neigh.<name>.*` keys.
   */
  addInterface(name: string): void {
    this.version++;
    for (const [k, v] of Object.entries(CONF_DEFAULTS)) {
      const fromDefault = this.#values.get(`net.ipv4.conf.default.${k}`);
      this.#values.set(`net.ipv4.conf.${name}.${k}`, fromDefault ?? v);
    }
    if (name === "all" || name === "default") return;
    for (const k of NEIGH_PER_INTERFACE) {
      this.#values.set(
        `net.ipv4.neigh.${name}.${k}`,
        this.#values.get(`net.ipv4.neigh.default.${k}`)!,
      );
    }
  }

  /** Remove an interface's keys. */
  removeInterface(name: string): void {
    for (const k of Object.keys(CONF_DEFAULTS)) this.#values.delete(`net.ipv4.conf.${name}.${k}`);
    for (const k of NEIGH_PER_INTERFACE) {
      this.#values.delete(`net.ipv4.neigh.${name}.${k}`);
      this.#neighSet.delete(`net.ipv4.neigh.${name}.${k}`);
    }
  }

  /** A neighbour parameter of interface `ifname` (`net.ipv4.neigh.<if>.<param>`), as a number. */
  neigh(ifname: string, param: string): number {
    return Number(
      this.#values.get(`net.ipv4.neigh.${ifname}.${param}`) ??
        this.#values.get(`net.ipv4.neigh.default.${param}`) ?? 0,
    );
  }

  /** Whether a key exists. */
  has(key: string): boolean {
    return this.#values.has(normalize(key));
  }

  /** A value, or undefined for an unknown key. */
  get(key: string): string | undefined {
    return this.#values.get(normalize(key));
  }

  /** A numeric value (0 for unknown keys). */
  num(key: string): number {
    return Number(this.#values.get(normalize(key)) ?? 0);
  }

  /** Set an existing key; returns false for an unknown key. */
  set(key: string, value: string): boolean {
    const k = normalize(key);
    if (!this.#values.has(k)) return false;
    this.#values.set(k, value);
    this.version++;
    if (k.startsWith("net.ipv4.neigh.")) this.#neighWritten(k, value);
    // Linux: ip_forward and conf.all.forwarding are one switch, and flipping it
    // sets every interface's forwarding too.
    if (k === "net.ipv4.ip_forward" || k === "net.ipv4.conf.all.forwarding") {
      const on = value.trim() === "0" ? "0" : "1";
      this.#values.set("net.ipv4.ip_forward", on);
      for (const key of this.#values.keys()) {
        if (/^net\.ipv4\.conf\.[^.]+\.forwarding$/.test(key)) this.#values.set(key, on);
      }
    }
    return true;
  }

  /** Linux's neigh_proc_update: a device's own value sticks; the default reaches the rest. */
  #neighWritten(key: string, value: string): void {
    const param = key.slice(key.lastIndexOf(".") + 1);
    if (!NEIGH_PER_INTERFACE.includes(param)) return;
    if (key !== `net.ipv4.neigh.default.${param}`) {
      this.#neighSet.add(key);
      return;
    }
    for (const other of this.#values.keys()) {
      if (
        other.startsWith("net.ipv4.neigh.") && other.endsWith(`.${param}`) && other !== key &&
        !this.#neighSet.has(other)
      ) {
        this.#values.set(other, value);
      }
    }
  }

  /** Every key and value, sorted by key (`sysctl -a`). */
  entries(): Array<[string, string]> {
    return [...this.#values.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  }
}

/** `net/ipv4/ip_forward` and `net.ipv4.ip_forward` are the same key. */
function normalize(key: string): string {
  return key.indexOf("/") < 0 ? key : key.replaceAll("/", ".");
}
