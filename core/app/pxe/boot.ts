/**
 * A PXE network boot, from power-on to a loaded Linux kernel: the firmware's
 * PXE ROM gets an address by DHCP, takes the next server (siaddr) and the boot
 * file from the lease and fetches that file (the network bootstrap program,
 * pxelinux.0) by TFTP; PXELINUX then fetches ldlinux.c32, looks for its
 * configuration under pxelinux.cfg/ in PXELINUX's order (see
 * `pxelinux_config.ts`: UUID, 01-MAC, the hex address cut down one digit at a
 * time, default), and loads the kernel and initrds the default entry names.
 *
 * Every step is recorded: `console` holds what the screen shows (Intel PXE
 * ROM lines such as "CLIENT IP: …", "PXE-E3B: TFTP Error - File Not found";
 * PXELINUX's "Trying to load: …", "Loading vmlinuz... ok"), `fetches` every
 * TFTP transfer with its ports, block size, blocks, bytes and retransmissions,
 * and `files` the bytes received.
 *
 * What each stage does on the wire:
 * - PXE ROM (as Intel's): DHCP with vendor class
 *   "PXEClient:Arch:00000:UNDI:002001" and PXE's parameter request list, no ARP
 *   probe, no renewal after the ACK; the boot file is read from UDP port 2070
 *   with `tsize 0` only, to learn its size — answered with ERROR 0 "TFTP
 *   Aborted" after the OACK — and then from port 2071 with `blksize 1456`.
 * - PXELINUX 6 (`core/fs/pxe/tftp.c`): every file from the next port upwards
 *   from 49152, RRQ `octet tsize 0 blksize 1408`, an OACK with a block size
 *   outside 64–2048 or an unknown option refused with ERROR 8 "TFTP protocol
 *   error"; replies taken only from the server's address and, after the first,
 *   only from its port; any unexpected DATA answered with the last ACK again;
 *   retransmission after the waits of its TimeoutTable (2, 2, 3, 3, 4, 5, … 255
 *   BIOS timer ticks of 54.9 ms, 2382 ticks or 131 s in all) — a request that is never
 *   answered means "no such file", a transfer that stalls ends the boot.
 *
 * Simplified: the boot server is siaddr (or, when that is 0, the DHCP server);
 * option 66 and proxyDHCP/boot-server discovery (PXE's port 4011) are not
 * used; the PXE ROM's TFTP waits are taken to be PXELINUX's (the PXE
 * specification leaves them to the firmware); no file is executed — the boot
 * file is taken to be PXELINUX whatever its bytes; the UI module (menu.c32 and
 * its libraries) is not fetched, though its TIMEOUT is waited out; INCLUDE is
 * not followed; the kernel's own start (and its DHCP) is not modelled. CPU
 * time is zero: steps follow each other at once.
 *
 * @module
 */
import type { NetNs } from "../../node/netns.ts";
import type { Interface } from "../../net/interface.ts";
import type { Ip4 } from "../../wire/packet.ts";
import { formatIp4 } from "../../wire/addr.ts";
import { DhcpClient, type DhcpLease } from "../dhcp/client.ts";
import {
  type TftpClientProfile,
  type TftpClientState,
  TftpClientTransfer,
  type TftpResult,
} from "../tftp/client.ts";
import { type TftpOption, tftpOptionValues } from "../tftp/message.ts";
import {
  bootifString,
  defaultEntry,
  hexAddress,
  parsePxelinuxConfig,
  type PxelinuxBootEntry,
  pxelinuxConfigCandidates,
  tftpPrefix,
} from "./pxelinux_config.ts";

/** One BIOS timer tick (65536 / 1193182 s), in ns: PXELINUX's unit of time. */
export const BIOS_TICK = 54925494;

/** PXELINUX's TimeoutTable, in BIOS ticks (core/fs/pxe/tftp.c). */
export const PXELINUX_TIMEOUT_TABLE: readonly number[] = [
  2,
  2,
  3,
  3,
  4,
  5,
  6,
  7,
  9,
  10,
  12,
  15,
  18,
  21,
  26,
  31,
  37,
  44,
  53,
  64,
  77,
  92,
  110,
  132,
  159,
  191,
  229,
  255,
  255,
  255,
  255,
];

const TABLE_NS = PXELINUX_TIMEOUT_TABLE.map((t) => t * BIOS_TICK);

/** PXELINUX 6's TFTP client (see the module comment). */
export const PXELINUX_TFTP: TftpClientProfile = {
  name: "pxelinux",
  requestWaits: TABLE_NS,
  blockWaits: TABLE_NS,
  restartOnAnyPacket: false,
  reAck: "any",
  strictPeer: true,
  ackAfterError: false,
};

/** The PXE ROM's TFTP client: PXELINUX's waits (see the module comment), strict about its peer. */
export const PXE_ROM_TFTP: TftpClientProfile = { ...PXELINUX_TFTP, name: "pxe-rom" };

/** PXELINUX's request options ("octet\0tsize\00\0blksize\01408"). */
const PXELINUX_OPTIONS: TftpOption[] = [
  { name: "tsize", value: "0" },
  { name: "blksize", value: "1408" },
];

/** The PXE ROM's parameter request list (Intel PXE 2.1). */
const PXE_REQUEST_LIST = [
  1,
  2,
  3,
  4,
  5,
  6,
  11,
  12,
  13,
  15,
  16,
  17,
  18,
  22,
  23,
  28,
  40,
  41,
  42,
  43,
  50,
  51,
  54,
  58,
  59,
  60,
  66,
  67,
  97,
  128,
  129,
  130,
  131,
  132,
  133,
  134,
  135,
];

/** The vendor class a BIOS PXE ROM sends (option 60): arch 0 (x86 BIOS), UNDI 2.1. */
export const PXE_VENDOR_CLASS = "PXEClient:Arch:00000:UNDI:002001";

/** Where a boot stands. */
export type PxeState =
  | "off"
  | "dhcp"
  | "rom"
  | "pxelinux"
  | "prompt"
  | "booted"
  | "localboot"
  | "failed";

/** Why a file was fetched. */
export type PxeFetchPurpose = "size" | "bootfile" | "ldlinux" | "config" | "kernel" | "initrd";

/** One TFTP transfer of the boot. */
export interface PxeFetch {
  /** Who fetched it: the firmware or PXELINUX. */
  stage: "rom" | "pxelinux";
  /** What for. */
  purpose: PxeFetchPurpose;
  /** The file name as requested. */
  file: string;
  /** How the transfer ended. */
  state: TftpClientState;
  /** Bytes received. */
  bytes: number;
  /** DATA packets accepted. */
  blocks: number;
  /** Block size in use. */
  blksize: number;
  /** The size the server announced (tsize), if any. */
  tsize: number | undefined;
  /** The client's port. */
  localPort: number;
  /** The server's transfer port. */
  serverPort: number;
  /** Packets this side sent again on timeout. */
  retransmissions: number;
  /** Repeated DATA received (each answered with the last ACK). */
  duplicates: number;
  /** The ERROR received or sent. */
  error: { code: number; message: string; received: boolean } | undefined;
  /** When the request went out, ns. */
  startedAt: number;
  /** When it ended, ns. */
  endedAt: number;
}

/** How a machine boots. */
export interface PxeClientOptions {
  /** The namespace of the booting machine (its root namespace). */
  ns: NetNs;
  /** The boot interface (or its name). */
  iface: Interface | string;
  /** The SMBIOS UUID ("8a3f…-…"), which PXELINUX tries first; none by default. */
  uuid?: string;
  /** PXELINUX 5 and later load ldlinux.c32 before the configuration (default true). */
  ldlinux?: boolean;
  /** Seconds the ROM looks for a DHCP offer before giving up (default 60: 4+8+16+32 s). */
  dhcpTimeout?: number;
}

/** What the loaded configuration boots. */
export interface PxeKernel {
  /** The label booted, if any. */
  label: string | undefined;
  /** Kernel file name as requested. */
  kernel: string;
  /** Initrd file names as requested, in load order. */
  initrd: string[];
  /** The kernel command line, with IPAPPEND/SYSAPPEND additions. */
  cmdline: string;
}

type Op = { tftp: { file: string; purpose: PxeFetchPurpose; stage: "rom" | "pxelinux" } } | {
  sleep: number;
};

/**
 * A machine booting from the network.
 *
 * @example
 * ```ts ignore
 * const pxe = new PxeClient({ ns: pc.root, iface: "eth0" });
 * pxe.start();
 * net.sim.runUntil(() => pxe.done);
 * pxe.fetches.map((f) => f.file); // ["pxelinux.0", "pxelinux.0", "ldlinux.c32", …, "vmlinuz", "initrd.img"]
 * ```
 */
export class PxeClient {
  /** Where the boot stands. */
  state: PxeState = "off";
  /** The DHCP client the ROM uses. */
  readonly dhcp: DhcpClient;
  /** The lease, once bound. */
  lease: DhcpLease | undefined;
  /** The boot server used for TFTP. */
  server: Ip4 = 0;
  /** Every TFTP transfer, in order. */
  readonly fetches: PxeFetch[] = [];
  /** Lines as the screen shows them. */
  readonly console: string[] = [];
  /** Files received, by name as requested. */
  readonly files: Map<string, Uint8Array> = new Map();
  /** The configuration file PXELINUX used. */
  configFile: string | undefined;
  /** What it booted. */
  kernel: PxeKernel | undefined;
  /** Why the boot failed, when it did. */
  failure: string | undefined;
  #ns: NetNs;
  #iface: Interface;
  #o: { uuid: string | undefined; ldlinux: boolean };
  #romPort = 2070;
  #pxelinuxPort = 49152;
  #flow: Generator<Op, void, TftpResult | undefined> | undefined;

  /** A machine ready to boot; `start()` powers it on. */
  constructor(o: PxeClientOptions) {
    this.#ns = o.ns;
    this.#iface = typeof o.iface === "string" ? o.ns.iface(o.iface) : o.iface;
    this.#o = { uuid: o.uuid, ldlinux: o.ldlinux ?? true };
    this.dhcp = new DhcpClient({
      ns: o.ns,
      iface: this.#iface,
      vendorClassId: PXE_VENDOR_CLASS,
      parameterRequestList: PXE_REQUEST_LIST,
      arpProbe: false,
      timeout: o.dhcpTimeout ?? 60,
    });
  }

  /** Whether the boot has finished (booted, local boot, failed or waiting forever). */
  get done(): boolean {
    return this.state === "booted" || this.state === "localboot" || this.state === "failed" ||
      (this.state === "prompt" && this.#waitingForever);
  }

  #waitingForever = false;

  /** Power on: the ROM starts DHCP. */
  start(): void {
    if (this.state !== "off") return;
    this.state = "dhcp";
    this.dhcp.onBound = (lease) => this.#bound(lease);
    this.dhcp.onGiveUp = () => {
      this.dhcp.stop();
      this.#fail("PXE-E51: No DHCP or proxyDHCP offers were received.");
      this.console.push("PXE-M0F: Exiting Intel PXE ROM.");
    };
    this.dhcp.start();
  }

  #print(line: string): void {
    this.console.push(line);
  }

  #fail(line: string): void {
    this.#print(line);
    this.failure = line;
    this.state = "failed";
  }

  #bound(lease: DhcpLease): void {
    this.dhcp.stop(); // the ROM does not renew; the address stays configured
    this.lease = lease;
    this.server = lease.nextServer !== 0 ? lease.nextServer : lease.serverId;
    const mac = this.#iface.mac;
    const macText = bootifString(mac).slice(3).replaceAll("-", " ").toUpperCase();
    const guid = (this.#o.uuid ?? "00000000-0000-0000-0000-000000000000").toUpperCase();
    this.#print(`CLIENT MAC ADDR: ${macText}  GUID: ${guid}`);
    this.#print(
      `CLIENT IP: ${formatIp4(lease.address)}  MASK: ${formatIp4(lease.subnetMask)}  DHCP IP: ${
        formatIp4(lease.serverId)
      }`,
    );
    if (lease.routers.length > 0) this.#print(`GATEWAY IP: ${formatIp4(lease.routers[0]!)}`);
    if (lease.bootFile === "") {
      this.#fail("PXE-E53: No boot filename received");
      this.#print("PXE-M0F: Exiting Intel PXE ROM.");
      return;
    }
    this.state = "rom";
    this.#flow = this.#boot(lease);
    this.#resume(undefined);
  }

  /** Drive the boot script: run what it asks for, then resume it with the result. */
  #resume(value: TftpResult | undefined): void {
    const r = this.#flow!.next(value);
    if (r.done) return;
    const op = r.value;
    if ("sleep" in op) {
      this.#ns.dev.sim.after(op.sleep, () => this.#resume(undefined));
      return;
    }
    const { file, purpose, stage } = op.tftp;
    const rom = stage === "rom";
    const localPort = rom ? this.#romPort++ : this.#pxelinuxPort++;
    const options: TftpOption[] = rom
      ? purpose === "size" ? [{ name: "tsize", value: "0" }] : [{ name: "blksize", value: "1456" }]
      : PXELINUX_OPTIONS;
    new TftpClientTransfer(this.#ns, {
      server: this.server,
      filename: file,
      mode: "octet",
      options,
      localPort,
      profile: rom ? PXE_ROM_TFTP : PXELINUX_TFTP,
      onOack: (opts) => this.#judgeOack(stage, purpose, opts),
      onDone: (res) => {
        this.#record(stage, purpose, file, res);
        this.#resume(res);
      },
    });
  }

  #judgeOack(
    stage: "rom" | "pxelinux",
    purpose: PxeFetchPurpose,
    opts: TftpOption[],
  ): { code: number; message: string } | undefined {
    // The ROM asked only for the size: it has it, and stops there.
    if (stage === "rom" && purpose === "size") return { code: 0, message: "TFTP Aborted" };
    if (stage === "rom") return undefined;
    const known = opts.every((o) => /^(tsize|blksize)$/i.test(o.name));
    const blksize = tftpOptionValues(opts).blksize ?? 512;
    if (!known || blksize < 64 || blksize > 2048) {
      return { code: 8, message: "TFTP protocol error" };
    }
    return undefined;
  }

  #record(
    stage: "rom" | "pxelinux",
    purpose: PxeFetchPurpose,
    file: string,
    r: TftpResult,
  ): void {
    this.fetches.push({
      stage,
      purpose,
      file,
      state: r.state,
      bytes: r.data.length,
      blocks: r.blocks,
      blksize: r.blksize,
      tsize: r.tsize,
      localPort: r.localPort,
      serverPort: r.serverPort,
      retransmissions: r.retransmissions,
      duplicates: r.duplicates,
      error: r.error,
      startedAt: r.startedAt,
      endedAt: r.endedAt!,
    });
    if (r.state === "complete") this.files.set(file, r.data);
  }

  /** The boot, step by step; yields the transfers and waits it needs. */
  *#boot(lease: DhcpLease): Generator<Op, void, TftpResult | undefined> {
    const bootFile = lease.bootFile;
    // --- PXE ROM: the size, then the file.
    this.#print("TFTP.");
    const probe = (yield { tftp: { file: bootFile, purpose: "size", stage: "rom" } })!;
    if (probe.state === "error" || probe.state === "timeout") {
      this.#romFailure(probe);
      return;
    }
    if (probe.state === "complete") {
      // A server without options sent the whole file in answer to the size request.
      this.files.set(bootFile, probe.data);
    } else {
      const nbp = (yield { tftp: { file: bootFile, purpose: "bootfile", stage: "rom" } })!;
      if (nbp.state !== "complete") {
        this.#romFailure(nbp);
        return;
      }
    }
    // --- PXELINUX runs.
    this.state = "pxelinux";
    const l = lease;
    const gateway = l.routers[0] ?? 0;
    this.#print("PXELINUX 6.04 PXE 20200816 Copyright (C) 1994-2015 H. Peter Anvin et al");
    this.#print(`My IP address seems to be ${hexAddress(l.address)} ${formatIp4(l.address)}`);
    const ipOption = `ip=${formatIp4(l.address)}:${formatIp4(this.server)}:${formatIp4(gateway)}:${
      formatIp4(l.subnetMask)
    }`;
    const bootif = `BOOTIF=${bootifString(this.#iface.mac)}`;
    const sysuuid = this.#o.uuid ? `SYSUUID=${this.#o.uuid.toLowerCase()}` : undefined;
    this.#print(ipOption);
    this.#print(bootif);
    if (sysuuid) this.#print(sysuuid);
    const prefix = tftpPrefix(bootFile);
    this.#print(`TFTP prefix: ${prefix}`);
    if (this.#o.ldlinux) {
      const ld =
        (yield { tftp: { file: `${prefix}ldlinux.c32`, purpose: "ldlinux", stage: "pxelinux" } })!;
      if (this.#stalled(ld)) return;
      if (ld.state !== "complete") {
        this.#print("Failed to load ldlinux.c32");
        this.#fail("Boot failed: press a key to retry, or wait for reset...");
        return;
      }
    }
    // --- The configuration, in PXELINUX's order.
    const opt209 = l.ack.options.raw?.get(209);
    const candidates = pxelinuxConfigCandidates({
      prefix,
      mac: this.#iface.mac,
      address: l.address,
      uuid: this.#o.uuid,
      configFile: opt209 ? String.fromCharCode(...opt209).replace(/\0.*$/s, "") : undefined,
    });
    let config: Uint8Array | undefined;
    for (const name of candidates) {
      const r = (yield { tftp: { file: name, purpose: "config", stage: "pxelinux" } })!;
      if (this.#stalled(r)) return;
      if (r.state === "complete") {
        this.#print(`Trying to load: ${name.padEnd(50)}  ok`);
        this.configFile = name;
        config = r.data;
        break;
      }
      this.#print(`Trying to load: ${name}`);
    }
    if (config === undefined) {
      this.#print("Unable to locate configuration file");
      this.#fail("Boot failed: press a key to retry, or wait for reset...");
      return;
    }
    const cfg = parsePxelinuxConfig(new TextDecoder("latin1").decode(config));
    if (cfg.prompt || cfg.ui !== undefined) {
      this.state = "prompt";
      if (cfg.timeout === 0) {
        this.#waitingForever = true;
        this.#print("boot:");
        return;
      }
      yield { sleep: cfg.timeout * 100_000_000 };
      this.state = "pxelinux";
    }
    const entry = defaultEntry(cfg);
    yield* this.#load(entry, { ipOption, bootif, sysuuid }, prefix);
  }

  #romFailure(r: TftpResult): void {
    if (r.state === "timeout") {
      this.#fail(r.serverPort === 0 ? "PXE-E32: TFTP open timeout" : "PXE-E35: TFTP read timeout");
    } else if (r.error?.code === 1) {
      this.#print("PXE-T01: File not found");
      this.#fail("PXE-E3B: TFTP Error - File Not found");
    } else {
      this.#print(`PXE-T0${r.error?.code ?? 0}: ${r.error?.message ?? ""}`);
      this.#fail("PXE-E3B: TFTP Error");
    }
    this.#print("PXE-M0F: Exiting Intel PXE ROM.");
  }

  /**
   * A PXELINUX transfer that stalled after the server answered: tftp_get_packet()
   * ran out of its TimeoutTable and called kaboom().
   */
  #stalled(r: TftpResult): boolean {
    if (r.state !== "timeout" || r.serverPort === 0) return false;
    this.#fail("Boot failed: press a key to retry, or wait for reset...");
    return true;
  }

  /** PXELINUX path rules: relative names get the prefix; "::name" and "/name" are from the root. */
  #path(prefix: string, name: string): string {
    if (name.startsWith("::")) return name.slice(2);
    if (name.startsWith("/")) return name;
    return prefix + name;
  }

  *#load(
    entry: PxelinuxBootEntry,
    sys: { ipOption: string; bootif: string; sysuuid: string | undefined },
    prefix: string,
  ): Generator<Op, void, TftpResult | undefined> {
    if (entry.kind === "none") {
      this.#print("No DEFAULT or UI configuration directive found!");
      this.#print("boot:");
      this.state = "prompt";
      this.#waitingForever = true;
      return;
    }
    if (entry.kind === "localboot") {
      this.#print("Booting from local disk...");
      this.state = "localboot";
      return;
    }
    if (entry.kind === "unsupported") {
      this.#fail(`Failed to load COM32 file ${entry.kernel}`);
      return;
    }
    const kernelPath = this.#path(prefix, entry.kernel);
    const k = (yield { tftp: { file: kernelPath, purpose: "kernel", stage: "pxelinux" } })!;
    if (this.#stalled(k)) return;
    if (k.state !== "complete") {
      this.#print(`Could not find kernel image: ${entry.kernel}`);
      this.#print("boot:");
      this.state = "prompt";
      this.#waitingForever = true;
      return;
    }
    this.#print(`Loading ${entry.kernel}... ok`);
    for (const name of entry.initrd) {
      const r = (yield {
        tftp: { file: this.#path(prefix, name), purpose: "initrd", stage: "pxelinux" },
      })!;
      if (this.#stalled(r)) return;
      if (r.state !== "complete") {
        this.#print(`Loading ${name}...failed!`);
        this.#print("boot:");
        this.state = "prompt";
        this.#waitingForever = true;
        return;
      }
      this.#print(`Loading ${name}...ok`);
    }
    const extra: string[] = [];
    if (entry.sysappend & 1) extra.push(sys.ipOption);
    if (entry.sysappend & 2) extra.push(sys.bootif);
    if (entry.sysappend & 4 && sys.sysuuid) extra.push(sys.sysuuid);
    const cmdline = [entry.append, ...extra].filter((s) => s !== "").join(" ");
    this.kernel = { label: entry.label, kernel: entry.kernel, initrd: entry.initrd, cmdline };
    this.state = "booted";
  }
}
