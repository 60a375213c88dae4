import assert from "node:assert/strict";
import { ip, parseMac } from "../../wire/addr.ts";
import {
  bootifString,
  defaultEntry,
  hexAddress,
  parsePxelinuxConfig,
  pxelinuxConfigCandidates,
  tftpPrefix,
} from "./pxelinux_config.ts";

Deno.test("pxelinux: lookup order is UUID, 01-MAC, hex address shortened to one digit, default", () => {
  // The example of PXELINUX's own documentation (doc/pxelinux.txt).
  assert.deepEqual(
    pxelinuxConfigCandidates({
      prefix: "",
      mac: parseMac("88:99:aa:bb:cc:dd")!,
      address: ip("192.0.2.91"),
      uuid: "b8945908-d6a6-41a9-611d-74a6ab80b83d",
    }),
    [
      "pxelinux.cfg/b8945908-d6a6-41a9-611d-74a6ab80b83d",
      "pxelinux.cfg/01-88-99-aa-bb-cc-dd",
      "pxelinux.cfg/C000025B",
      "pxelinux.cfg/C000025",
      "pxelinux.cfg/C00002",
      "pxelinux.cfg/C0000",
      "pxelinux.cfg/C000",
      "pxelinux.cfg/C00",
      "pxelinux.cfg/C0",
      "pxelinux.cfg/C",
      "pxelinux.cfg/default",
    ],
  );
});

Deno.test("pxelinux: option 209 comes first, the prefix applies below pxelinux.cfg, no UUID no UUID file", () => {
  const c = pxelinuxConfigCandidates({
    prefix: "boot/x86/",
    mac: parseMac("52:54:00:12:34:56")!,
    address: ip("10.1.2.3"),
    configFile: "boot/x86/special.cfg",
  });
  assert.equal(c.length, 11);
  assert.deepEqual(c.slice(0, 3), [
    "boot/x86/special.cfg",
    "boot/x86/pxelinux.cfg/01-52-54-00-12-34-56",
    "boot/x86/pxelinux.cfg/0A010203",
  ]);
  assert.equal(c.at(-1), "boot/x86/pxelinux.cfg/default");
});

Deno.test("pxelinux: BOOTIF, hex address and the TFTP prefix of a boot file", () => {
  assert.equal(bootifString(parseMac("02:00:00:00:00:0a")!), "01-02-00-00-00-00-0a");
  assert.equal(hexAddress(ip("192.168.56.10")), "C0A8380A");
  assert.equal(hexAddress(ip("10.0.0.1")), "0A000001");
  assert.equal(tftpPrefix("pxelinux.0"), "");
  assert.equal(tftpPrefix("boot/x86/pxelinux.0"), "boot/x86/");
  assert.equal(tftpPrefix("/tftpboot/pxelinux.0"), "/tftpboot/");
});

Deno.test("pxelinux: DEFAULT names a label; INITRD and initrd= both load, in order", () => {
  const cfg = parsePxelinuxConfig(
    [
      "# comment",
      "default install",
      "prompt 0",
      "label local",
      "  localboot 0",
      "LABEL install",
      "  KERNEL debian/vmlinuz",
      "  INITRD debian/initrd.gz",
      "  APPEND priority=critical initrd=extra.img --- quiet",
      "  IPAPPEND 3",
    ].join("\n"),
  );
  assert.equal(cfg.labels.size, 2);
  assert.deepEqual(defaultEntry(cfg), {
    kind: "linux",
    label: "install",
    kernel: "debian/vmlinuz",
    initrd: ["debian/initrd.gz", "extra.img"],
    append: "priority=critical initrd=extra.img --- quiet",
    sysappend: 3,
  });
});

Deno.test("pxelinux: ONTIMEOUT wins with a prompt; DEFAULT may be a kernel; LOCALBOOT; no DEFAULT", () => {
  const waits = parsePxelinuxConfig(
    "PROMPT 1\nTIMEOUT 50\nDEFAULT a\nONTIMEOUT b\nLABEL a\nLINUX ka\nLABEL b\nLINUX kb\nAPPEND -\n",
  );
  assert.equal(waits.timeout, 50);
  const b = defaultEntry(waits);
  assert.ok(b.kind === "linux" && b.kernel === "kb" && b.append === "");
  const direct = defaultEntry(parsePxelinuxConfig("DEFAULT vmlinuz initrd=i.gz ro\n"));
  assert.deepEqual(direct, {
    kind: "linux",
    label: undefined,
    kernel: "vmlinuz",
    initrd: ["i.gz"],
    append: "initrd=i.gz ro",
    sysappend: 0,
  });
  const withInitrd = defaultEntry(
    parsePxelinuxConfig("DEFAULT l\nLABEL l\nKERNEL k\nINITRD a,b\n"),
  );
  assert.ok(withInitrd.kind === "linux");
  assert.equal(withInitrd.append, "initrd=a,b");
  assert.deepEqual(defaultEntry(parsePxelinuxConfig("DEFAULT hd\nLABEL hd\nLOCALBOOT 0\n")), {
    kind: "localboot",
    label: "hd",
  });
  assert.deepEqual(defaultEntry(parsePxelinuxConfig("LABEL x\nKERNEL k\n")), { kind: "none" });
  assert.equal(defaultEntry(parsePxelinuxConfig("DEFAULT menu.c32\n")).kind, "unsupported");
});
