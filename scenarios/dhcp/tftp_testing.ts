/**
 * Shared set-ups and tools for the TFTP and PXE scenarios: a boot LAN with a
 * server offering DHCP (dnsmasq with `--dhcp-boot=pxelinux.0`) and TFTP
 * (in.tftpd, or dnsmasq's own), a PXE-booting machine, the files a Debian
 * PXELINUX install serves (pxelinux.0 and ldlinux.c32 of Debian 12's sizes, a
 * configuration, a kernel, an initrd exactly 100 blocks of 1408 bytes long),
 * the TFTP packets on the wire decoded from what each node transmitted, and
 * one-shot packet drops and delays at a netfilter hook.
 *
 *   srv 192.168.1.1 (dnsmasq, in.tftpd) ── sw ── pc 52:54:00:a1:b2:c3 (PXE)
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import type { NetNs } from "../../core/node/netns.ts";
import type { Hook } from "../../core/ip/ipv4.ts";
import type { Packet } from "../../core/wire/packet.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { decodeTftp, type TftpMessage } from "../../core/app/tftp/message.ts";
import { PxeClient, type PxeClientOptions } from "../../core/app/pxe/boot.ts";

export { formatIp4, ip };

/** The booting machine's MAC (dnsmasq hashes it to 192.168.1.135 in .100–.200). */
export const PC_MAC = "52:54:00:a1:b2:c3";
/** The TFTP root. */
export const ROOT = "/srv/tftp";
/** dnsmasq as the DHCP half of a PXE server. */
export const DNSMASQ_DHCP =
  "dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-option=3,192.168.1.1 --dhcp-boot=pxelinux.0";

/** PXELINUX's configuration as a Debian netboot installer writes it (without the menu). */
export const DEFAULT_CFG = [
  "DEFAULT install",
  "LABEL install",
  "  KERNEL debian-installer/amd64/linux",
  "  INITRD debian-installer/amd64/initrd.gz",
  "  APPEND vga=788 --- quiet",
  "  IPAPPEND 2",
  "",
].join("\n");

/** Deterministic file contents: every byte differs from its neighbours' pattern. */
export function patterned(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

/** The files of the boot, by path below the root, with their sizes. */
export const BOOT_FILES: Record<string, number> = {
  "pxelinux.0": 42430,
  "ldlinux.c32": 119524,
  "debian-installer/amd64/linux": 1_000_000,
  "debian-installer/amd64/initrd.gz": 1408 * 100,
};

/** Put the boot files (and the default configuration) below /srv/tftp of `srv`. */
export function installBootFiles(srv: Node, cfg = DEFAULT_CFG): void {
  let seed = 1;
  for (const [name, size] of Object.entries(BOOT_FILES)) {
    srv.files.set(`${ROOT}/${name}`, patterned(size, seed++));
  }
  srv.files.set(`${ROOT}/pxelinux.cfg/default`, new TextEncoder().encode(cfg));
}

/** The bytes of a file of `srv`'s root. */
export function served(srv: Node, name: string): Uint8Array {
  const f = srv.files.get(`${ROOT}/${name}`);
  return typeof f === "function" ? f() : f!;
}

/**
 * The boot LAN: `srv` 192.168.1.1 with the boot files, the booting machine
 * `pc` (MAC {@link PC_MAC}, no address yet) and a switch between them.
 */
export function bootLan(net: Network): { srv: Node; pc: Node } {
  const [srv, pc] = net.nodes("srv", "pc");
  const sw = net.switch("sw");
  net.connect(srv, sw);
  net.connect(pc, sw);
  srv.sh("ip addr add 192.168.1.1/24 dev eth0");
  pc.sh(`ip link set eth0 address ${PC_MAC}`);
  installBootFiles(srv);
  return { srv, pc };
}

/** Power `pc` on and run until the boot ends; returns the client. */
export function boot(
  net: Network,
  pc: Node,
  o: Partial<PxeClientOptions> = {},
): PxeClient {
  const pxe = new PxeClient({ ns: pc.root, iface: "eth0", ...o });
  pxe.start();
  net.sim.runUntil(() => pxe.done);
  return pxe;
}

/** One TFTP packet as a node transmitted it. */
export interface WireTftp {
  /** Virtual time, ns. */
  time: number;
  /** The node that sent it. */
  node: string;
  /** Addresses and ports. */
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** The decoded packet. */
  message: TftpMessage;
}

/**
 * The TFTP packets nodes (not switches) transmitted, in order: every UDP
 * datagram off the DHCP ports that decodes as TFTP between the given hosts.
 */
export function tftpOnWire(net: Network, o: { node?: string; op?: string } = {}): WireTftp[] {
  const out: WireTftp[] = [];
  for (const e of net.trace.events) {
    if (e.kind !== "tx" || !net.nodeMap.has(e.node)) continue;
    if (o.node !== undefined && e.node !== o.node) continue;
    const m = tftpOf(e.packet);
    if (m === undefined || (o.op !== undefined && m.op !== o.op)) continue;
    const p = e.packet;
    out.push({
      time: e.time,
      node: e.node,
      src: formatIp4(p.ip!.src),
      srcPort: p.udp!.srcPort,
      dst: formatIp4(p.ip!.dst),
      dstPort: p.udp!.dstPort,
      message: m,
    });
  }
  return out;
}

/** The TFTP packet a UDP packet carries, if it is one (DHCP's ports excluded). */
export function tftpOf(p: Packet): TftpMessage | undefined {
  const u = p.udp;
  if (u === undefined || typeof u.payload === "number") return undefined;
  if ([67, 68].includes(u.srcPort) || [67, 68].includes(u.dstPort)) return undefined;
  try {
    return decodeTftp(u.payload);
  } catch {
    return undefined;
  }
}

/**
 * Drop the first `count` packets that match at a hook of a namespace, as a
 * one-shot netfilter rule would; returns how many it dropped so far.
 */
export function dropAt(
  ns: NetNs,
  hook: Hook,
  match: (m: TftpMessage, p: Packet) => boolean,
  count = 1,
): { dropped: number } {
  const state = { dropped: 0 };
  const prev = ns.ip.filter;
  let mine = false;
  ns.ip.filter = {
    run(h, p, inIf, outIf) {
      mine = false;
      if (h === hook && state.dropped < count) {
        const m = tftpOf(p);
        if (m !== undefined && match(m, p)) {
          state.dropped++;
          mine = true;
          return "drop";
        }
      }
      return prev ? prev.run(h, p, inIf, outIf) : "accept";
    },
    get dropDetail() {
      return mine ? `one-shot ${hook.toUpperCase()} drop` : prev?.dropDetail ?? "";
    },
  };
  return state;
}

/**
 * Hold the first packet a namespace sends that matches, and send it `delay`
 * ns later (a queue that stalled once); returns when it was held and sent.
 */
export function delayOnce(
  ns: NetNs,
  match: (m: TftpMessage) => boolean,
  delay: number,
): { heldAt: number | undefined; sentAt: number | undefined } {
  const state: { heldAt: number | undefined; sentAt: number | undefined } = {
    heldAt: undefined,
    sentAt: undefined,
  };
  const prev = ns.ip.filter;
  const sim = ns.dev.sim;
  ns.ip.filter = {
    run(h, p, inIf, outIf) {
      if (h === "output" && state.heldAt === undefined) {
        const m = tftpOf(p);
        if (m !== undefined && match(m)) {
          state.heldAt = sim.now;
          sim.after(delay, () => {
            state.sentAt = sim.now;
            ns.ip.output(p);
          });
          return "stolen";
        }
      }
      return prev ? prev.run(h, p, inIf, outIf) : "accept";
    },
    get dropDetail() {
      return prev?.dropDetail ?? "";
    },
  };
  return state;
}

/** Seconds, for readable timelines. */
export function secs(ns: number): number {
  return ns / 1e9;
}

/** The lines a daemon logged to the node's /var/log/syslog, without timestamp, host and pid. */
export function syslogOf(node: Node, tag: string): string[] {
  const f = node.files.get("/var/log/syslog");
  const text = f === undefined ? "" : new TextDecoder().decode(typeof f === "function" ? f() : f);
  return text.split("\n").filter((l) => new RegExp(` ${tag}\\[\\d+\\]: `).test(l))
    .map((l) => l.replace(/^.*?\[\d+\]: /, ""));
}
