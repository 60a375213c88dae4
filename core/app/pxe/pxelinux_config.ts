/**
 * PXELINUX's configuration: which files it tries, in which order, and what a
 * configuration file says to boot.
 *
 * The lookup order is PXELINUX 6's `pxe_load_config()`: the file named by
 * DHCP option 209 (pxelinux.configfile) when the server sent one; then, below
 * `pxelinux.cfg/` in the TFTP prefix (the boot file's directory, or option
 * 210), the machine's UUID in lower-case hex with dashes; the `BOOTIF` string
 * without its `BOOTIF=` (ARP hardware type 01, then the MAC in lower-case hex,
 * dash-separated: `01-88-99-aa-bb-cc-dd`); the client's IPv4 address as eight
 * upper-case hex digits, then the same with one digit fewer each time, down to
 * one digit (`C000025B`, `C000025`, …, `C`); and finally `default`.
 *
 * The parser reads the keywords a PXE boot menu needs, case-insensitively:
 * DEFAULT (a label, or else a kernel and its options), LABEL with KERNEL or
 * LINUX, INITRD, APPEND (`-` for none), IPAPPEND/SYSAPPEND and LOCALBOOT, and
 * the global PROMPT, TIMEOUT, ONTIMEOUT, UI and APPEND. `initrd=` in the
 * command line names initrds as INITRD does, comma-separated.
 *
 * Left out: INCLUDE and MENU INCLUDE (not followed), the menu system's MENU
 * keywords and TEXT HELP blocks (skipped), COM32 modules and other kernel
 * types than Linux (`.c32`, `.0`, `.bs` … are reported as unsupported), and
 * CONFIG/PATH directives.
 *
 * @module
 */
import type { Ip4, Mac } from "../../wire/packet.ts";

/** What PXELINUX knows about the machine when it looks for its configuration. */
export interface PxelinuxIdentity {
  /** The TFTP prefix ("" or a directory with its trailing slash, e.g. "boot/"). */
  prefix: string;
  /** The boot interface's MAC. */
  mac: Mac;
  /** The client's address. */
  address: Ip4;
  /** The machine UUID (SMBIOS), lower-case with dashes; none when absent. */
  uuid?: string;
  /** DHCP option 209 (pxelinux.configfile), when the server sent it. */
  configFile?: string;
}

/** The MAC as PXELINUX's BOOTIF string writes it: "01-52-54-00-12-34-56". */
export function bootifString(mac: Mac): string {
  const bytes: string[] = [];
  for (let i = 5; i >= 0; i--) {
    bytes.push((Math.floor(mac / 2 ** (8 * i)) % 256).toString(16).padStart(2, "0"));
  }
  return `01-${bytes.join("-")}`;
}

/** An address as PXELINUX's eight upper-case hex digits ("C0A8380A"). */
export function hexAddress(a: Ip4): string {
  return (a >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

/**
 * The configuration files PXELINUX tries, in order (see the module comment);
 * the first one the server has wins.
 *
 * @example
 * ```ts
 * import { ip, parseMac } from "../../wire/addr.ts";
 * import { pxelinuxConfigCandidates } from "./pxelinux_config.ts";
 * pxelinuxConfigCandidates({ prefix: "", mac: parseMac("88:99:aa:bb:cc:dd")!, address: ip("192.0.2.91") });
 * // ["pxelinux.cfg/01-88-99-aa-bb-cc-dd", "pxelinux.cfg/C000025B", …, "pxelinux.cfg/C", "pxelinux.cfg/default"]
 * ```
 */
export function pxelinuxConfigCandidates(id: PxelinuxIdentity): string[] {
  const out: string[] = [];
  if (id.configFile !== undefined && id.configFile !== "") out.push(id.configFile);
  const dir = `${id.prefix}pxelinux.cfg/`;
  if (id.uuid !== undefined && id.uuid !== "") out.push(dir + id.uuid.toLowerCase());
  out.push(dir + bootifString(id.mac));
  const hex = hexAddress(id.address);
  for (let n = 8; n >= 1; n--) out.push(dir + hex.slice(0, n));
  out.push(dir + "default");
  return out;
}

/**
 * The TFTP prefix PXELINUX derives from the boot file name (its
 * `get_prefix()`): everything up to and including the last character that is
 * not a letter, digit, '.' or '-' — so "pxelinux.0" gives "" and
 * "boot/x86/pxelinux.0" gives "boot/x86/".
 */
export function tftpPrefix(bootFile: string): string {
  for (let i = bootFile.length - 1; i >= 0; i--) {
    if (!/[0-9a-zA-Z.-]/.test(bootFile[i]!)) return bootFile.slice(0, i + 1);
  }
  return "";
}

/** One LABEL of a configuration. */
export interface PxelinuxLabel {
  /** The label's name. */
  name: string;
  /** Kernel file (KERNEL or LINUX), if any. */
  kernel: string | undefined;
  /** Whether the entry boots the local disk (LOCALBOOT). */
  localboot: boolean;
  /** INITRD files, in order. */
  initrd: string[];
  /** APPEND text ("" for `APPEND -`), undefined when the label has none. */
  append: string | undefined;
  /** IPAPPEND/SYSAPPEND bits (1: ip=, 2: BOOTIF=, 4: SYSUUID=). */
  sysappend: number;
}

/** A parsed configuration file. */
export interface PxelinuxConfig {
  /** DEFAULT's text (a label name, or a kernel with options). */
  default: string | undefined;
  /** ONTIMEOUT's text. */
  ontimeout: string | undefined;
  /** PROMPT 1: show the boot: prompt. */
  prompt: boolean;
  /** TIMEOUT in tenths of a second (0: wait forever). */
  timeout: number;
  /** The UI module named, if any. */
  ui: string | undefined;
  /** Global APPEND, for labels without their own. */
  append: string | undefined;
  /** Global IPAPPEND/SYSAPPEND. */
  sysappend: number;
  /** Labels in file order, by name. */
  labels: Map<string, PxelinuxLabel>;
}

/** Parse a configuration file's text. Unknown keywords are skipped, as PXELINUX does. */
export function parsePxelinuxConfig(text: string): PxelinuxConfig {
  const cfg: PxelinuxConfig = {
    default: undefined,
    ontimeout: undefined,
    prompt: false,
    timeout: 0,
    ui: undefined,
    append: undefined,
    sysappend: 0,
    labels: new Map(),
  };
  let label: PxelinuxLabel | undefined;
  let inText = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (inText) {
      if (/^endtext\b/i.test(line)) inText = false;
      continue;
    }
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const key = m[1]!.toLowerCase();
    const arg = m[2]!.trim();
    switch (key) {
      case "label":
        label = {
          name: arg,
          kernel: undefined,
          localboot: false,
          initrd: [],
          append: undefined,
          sysappend: 0,
        };
        cfg.labels.set(arg, label);
        break;
      case "kernel":
      case "linux":
        if (label) label.kernel = arg;
        break;
      case "localboot":
        if (label) label.localboot = true;
        break;
      case "initrd":
        if (label) label.initrd.push(...arg.split(",").filter((s) => s !== ""));
        break;
      case "append":
        if (label) label.append = arg === "-" ? "" : arg;
        else cfg.append = arg === "-" ? "" : arg;
        break;
      case "ipappend":
      case "sysappend": {
        const n = Number.parseInt(arg, 10) || 0;
        if (label) label.sysappend = n;
        else cfg.sysappend = n;
        break;
      }
      case "default":
        cfg.default = arg;
        break;
      case "ontimeout":
        cfg.ontimeout = arg;
        break;
      case "prompt":
        cfg.prompt = (Number.parseInt(arg, 10) || 0) !== 0;
        break;
      case "timeout":
        cfg.timeout = Number.parseInt(arg, 10) || 0;
        break;
      case "ui":
        cfg.ui = arg.split(/\s+/)[0];
        break;
      case "text":
        inText = true;
        break;
    }
  }
  return cfg;
}

/** What the configuration boots, or why it cannot. */
export type PxelinuxBootEntry =
  | {
    kind: "linux";
    /** The label chosen (undefined when DEFAULT named a kernel directly). */
    label: string | undefined;
    /** Kernel file, as written in the configuration. */
    kernel: string;
    /** Initrd files, as written. */
    initrd: string[];
    /** The kernel command line before IPAPPEND/SYSAPPEND additions. */
    append: string;
    /** IPAPPEND/SYSAPPEND bits. */
    sysappend: number;
  }
  | { kind: "localboot"; label: string }
  | { kind: "unsupported"; label: string | undefined; kernel: string }
  | { kind: "none" };

/** Kernel file types PXELINUX would not boot as Linux (by extension). */
const NOT_LINUX = /\.(c32|cbt|0|bin|bs|bss|img|com|cbt)$/i;

/**
 * The entry that boots when nobody touches the keyboard: ONTIMEOUT when a
 * prompt or menu waits, else DEFAULT; a label of that name, or else the text
 * taken as a kernel and its options. `initrd=` options in the command line
 * add initrds after the INITRD ones.
 */
export function defaultEntry(cfg: PxelinuxConfig): PxelinuxBootEntry {
  const waits = cfg.prompt || cfg.ui !== undefined;
  const text = (waits ? cfg.ontimeout : undefined) ?? cfg.default;
  // Without DEFAULT, PXELINUX says "No DEFAULT or UI configuration directive found!".
  if (text === undefined || text === "") return { kind: "none" };
  const first = text.split(/\s+/)[0]!;
  const label = cfg.labels.get(first);
  let kernel: string;
  let append: string;
  let initrd: string[] = [];
  let sysappend = cfg.sysappend;
  let name: string | undefined;
  if (label !== undefined) {
    name = label.name;
    if (label.localboot && label.kernel === undefined) return { kind: "localboot", label: name };
    if (label.kernel === undefined) return { kind: "none" };
    kernel = label.kernel;
    append = label.append ?? cfg.append ?? "";
    initrd = [...label.initrd];
    sysappend = label.sysappend || cfg.sysappend;
  } else {
    kernel = first;
    append = text.slice(first.length).trim() || (cfg.append ?? "");
  }
  if (NOT_LINUX.test(kernel)) return { kind: "unsupported", label: name, kernel };
  for (const word of append.split(/\s+/)) {
    if (word.startsWith("initrd=")) {
      initrd.push(...word.slice(7).split(",").filter((s) => s !== ""));
    }
  }
  if (initrd.length > 0 && !/(^|\s)initrd=/.test(append)) {
    append = `initrd=${initrd.join(",")}${append === "" ? "" : " " + append}`;
  }
  return { kind: "linux", label: name, kernel, initrd, append, sysappend };
}
