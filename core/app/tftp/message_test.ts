/**
 * Tests of the TFTP codec: packets laid out as in RFC 1350 §5 and RFC 2347,
 * block-number wraparound, option parsing, netascii, and property tests (round
 * trip; random and truncated bytes only ever raise WireError).
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { WireError } from "../../wire/errors.ts";
import {
  blockDistance,
  blockNumber,
  dataPacketCount,
  decodeTftp,
  encodeTftp,
  fromNetascii,
  nextBlock,
  TFTP_MAX_BLKSIZE,
  TftpErrorCode,
  tftpErrorMessage,
  type TftpMessage,
  tftpOptions,
  tftpOptionValues,
  toNetascii,
} from "./message.ts";

const text = (s: string) => [...s].map((c) => c.charCodeAt(0));
const bytes = (...parts: Array<number | string>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? text(p) : [p])));

/** Check both directions: the bytes decode to `m` and `m` encodes to the bytes. */
function fixture(wire: Uint8Array, m: TftpMessage) {
  assert.deepEqual(decodeTftp(wire), m);
  assert.deepEqual(encodeTftp(m), wire);
}

Deno.test("tftp: RRQ and WRQ as RFC 1350 lays them out", () => {
  // 2 bytes opcode | filename | 0 | mode | 0
  fixture(bytes(0, 1, "pxelinux.cfg/default", 0, "octet", 0), {
    op: "RRQ",
    filename: "pxelinux.cfg/default",
    mode: "octet",
    options: [],
  });
  fixture(bytes(0, 2, "notes.txt", 0, "netascii", 0), {
    op: "WRQ",
    filename: "notes.txt",
    mode: "netascii",
    options: [],
  });
});

Deno.test("tftp: RRQ with RFC 2347 options and the OACK", () => {
  fixture(bytes(0, 1, "pxelinux.0", 0, "octet", 0, "tsize", 0, "0", 0, "blksize", 0, "1468", 0), {
    op: "RRQ",
    filename: "pxelinux.0",
    mode: "octet",
    options: [{ name: "tsize", value: "0" }, { name: "blksize", value: "1468" }],
  });
  const oack: TftpMessage = { op: "OACK", options: tftpOptions({ blksize: 1468, tsize: 26759 }) };
  fixture(bytes(0, 6, "blksize", 0, "1468", 0, "tsize", 0, "26759", 0), oack);
  // Trailing NUL padding after the options is accepted.
  assert.deepEqual(decodeTftp(bytes(0, 6, "blksize", 0, "1468", 0, 0, 0, 0)), {
    op: "OACK",
    options: [{ name: "blksize", value: "1468" }],
  });
});

Deno.test("tftp: DATA, ACK and ERROR", () => {
  const block = new Uint8Array(512).map((_, i) => i & 255);
  const wire = new Uint8Array(516);
  wire.set([0, 3, 0, 1]);
  wire.set(block, 4);
  fixture(wire, { op: "DATA", block: 1, data: block });
  fixture(bytes(0, 3, 0xff, 0xff), { op: "DATA", block: 65535, data: new Uint8Array(0) });
  fixture(bytes(0, 4, 0x01, 0x02), { op: "ACK", block: 258 });
  fixture(bytes(0, 5, 0, 1, "File not found", 0), {
    op: "ERROR",
    code: TftpErrorCode.FILE_NOT_FOUND,
    message: "File not found",
  });
  fixture(bytes(0, 5, 0, 8, "", 0), { op: "ERROR", code: 8, message: "" });
  // Bytes after a complete ACK or ERROR are ignored.
  assert.deepEqual(decodeTftp(bytes(0, 4, 0, 7, 0, 0)), { op: "ACK", block: 7 });
  assert.deepEqual(decodeTftp(bytes(0, 5, 0, 0, "x", 0, "junk")), {
    op: "ERROR",
    code: 0,
    message: "x",
  });
});

Deno.test("tftp: error texts for codes 0..8", () => {
  assert.equal(tftpErrorMessage(0), "Undefined error code");
  assert.equal(tftpErrorMessage(TftpErrorCode.UNKNOWN_TID), "Unknown transfer ID");
  assert.equal(tftpErrorMessage(8), "Failure to negotiate RFC2347 options");
  assert.equal(tftpErrorMessage(9), "Error 9");
  for (let c = 0; c <= 8; c++) {
    const m: TftpMessage = { op: "ERROR", code: c, message: tftpErrorMessage(c) };
    assert.deepEqual(decodeTftp(encodeTftp(m)), m);
  }
});

Deno.test("tftp: malformed packets raise WireError", () => {
  const cases: Array<[Uint8Array, RegExp]> = [
    [bytes(), /no opcode/],
    [bytes(0), /no opcode/],
    [bytes(0, 9), /unknown opcode 9/],
    [bytes(0, 0), /unknown opcode 0/],
    [bytes(0, 3, 1), /truncated/],
    [bytes(0, 4), /truncated/],
    [bytes(0, 5, 0, 1, "no nul"), /error message is not NUL-terminated/],
    [bytes(0, 1, "file"), /filename is not NUL-terminated/],
    [bytes(0, 1, "file", 0), /mode is not NUL-terminated/],
    [bytes(0, 1, "file", 0, 0), /empty mode/],
    [bytes(0, 1, "f", 0, "octet", 0, "blksize", 0), /option blksize has no value/],
    [bytes(0, 1, "f", 0, "octet", 0, "blksize", 0, "512"), /value is not NUL-terminated/],
    [bytes(0, 6, 0, "x", 0), /empty option name/],
  ];
  for (const [wire, re] of cases) {
    assert.throws(() => decodeTftp(wire), (e) => e instanceof WireError && re.test(e.message));
  }
  const bad: TftpMessage[] = [
    { op: "ACK", block: 65536 },
    { op: "DATA", block: -1, data: new Uint8Array(0) },
    { op: "DATA", block: 1, data: new Uint8Array(TFTP_MAX_BLKSIZE + 1) },
    { op: "RRQ", filename: "a\0b", mode: "octet", options: [] },
    { op: "RRQ", filename: "a", mode: "", options: [] },
    { op: "OACK", options: [{ name: "", value: "1" }] },
    { op: "ERROR", code: 1, message: "\u2603" },
  ];
  for (const m of bad) assert.throws(() => encodeTftp(m), WireError);
});

Deno.test("tftp: typed option values follow the RFC ranges", () => {
  assert.deepEqual(
    tftpOptionValues([
      { name: "BLKSIZE", value: "1468" },
      { name: "tsize", value: "0" },
      { name: "timeout", value: "5" },
      { name: "windowsize", value: "16" },
      { name: "blksize", value: "512" }, // a repeat: the first counts
      { name: "multicast", value: "" },
    ]),
    { blksize: 1468, tsize: 0, timeout: 5, windowsize: 16 },
  );
  assert.deepEqual(
    tftpOptionValues([
      { name: "blksize", value: "7" },
      { name: "timeout", value: "256" },
      { name: "tsize", value: "-1" },
      { name: "windowsize", value: "0x10" },
      { name: "toString", value: "1" },
    ]),
    {},
  );
  assert.deepEqual(tftpOptionValues([{ name: "blksize", value: "65464" }]), { blksize: 65464 });
  assert.deepEqual(tftpOptions({ timeout: 3, blksize: 8 }), [
    { name: "blksize", value: "8" },
    { name: "timeout", value: "3" },
  ]);
});

Deno.test("tftp: 16-bit block numbers wrap", () => {
  assert.equal(nextBlock(1), 2);
  assert.equal(nextBlock(65534), 65535);
  assert.equal(nextBlock(65535), 0);
  assert.equal(nextBlock(65535, 1), 1);
  assert.equal(blockNumber(1), 1);
  assert.equal(blockNumber(65535), 65535);
  assert.equal(blockNumber(65536), 0);
  assert.equal(blockNumber(65537), 1);
  assert.equal(blockNumber(65536, 1), 1);
  assert.equal(blockNumber(65535 + 65535, 1), 65535);
  assert.equal(blockNumber(65535 + 65536, 1), 1);
  // Walking nextBlock agrees with blockNumber for both rollover styles.
  for (const r of [0, 1] as const) {
    let b = 0;
    for (let i = 1; i <= 140000; i++) {
      b = nextBlock(b, r);
      if (b !== blockNumber(i, r)) assert.fail(`index ${i} rollover ${r}: ${b}`);
    }
  }
  assert.equal(blockDistance(65535, 0), 1);
  assert.equal(blockDistance(5, 3), 65534);
  assert.equal(blockDistance(3, 5), 2);
  assert.equal(dataPacketCount(0), 1);
  assert.equal(dataPacketCount(511), 1);
  assert.equal(dataPacketCount(512), 2);
  assert.equal(dataPacketCount(26759, 1468), 19);
});

Deno.test("tftp: netascii line endings", () => {
  const local = bytes("a\nb\rc\r\n");
  const wire = toNetascii(local);
  assert.deepEqual(wire, bytes("a", 13, 10, "b", 13, 0, "c", 13, 0, 13, 10));
  assert.deepEqual(fromNetascii(wire), local);
  assert.deepEqual(fromNetascii(bytes("x", 13)), bytes("x", 13));
  assert.deepEqual(fromNetascii(bytes(13, "y")), bytes(13, "y"));
});

// ---- property tests ----

/** Records with an ordinary prototype, to deep-equal decoded objects. */
const plain = { noNullPrototype: true };
const byteString = (minChar: number, maxLength: number, minLength = 0) =>
  fc.string({
    unit: fc.integer({ min: minChar, max: 255 }).map((c) => String.fromCharCode(c)),
    minLength,
    maxLength,
  });
const options = fc.array(
  fc.record({ name: byteString(1, 12, 1), value: byteString(1, 12) }, plain),
  { maxLength: 5 },
);
const u16 = fc.integer({ min: 0, max: 0xffff });
const message: fc.Arbitrary<TftpMessage> = fc.oneof(
  fc.record({
    op: fc.constantFrom("RRQ" as const, "WRQ" as const),
    filename: byteString(1, 40),
    mode: fc.oneof(fc.constantFrom("octet", "netascii", "OCTET", "mail"), byteString(1, 8, 1)),
    options,
  }, plain),
  fc.record({
    op: fc.constant("DATA" as const),
    block: u16,
    data: fc.uint8Array({ maxLength: 1500 }),
  }, plain),
  fc.record({ op: fc.constant("ACK" as const), block: u16 }, plain),
  fc.record({ op: fc.constant("ERROR" as const), code: u16, message: byteString(1, 60) }, plain),
  fc.record({ op: fc.constant("OACK" as const), options }, plain),
);

function onlyWireErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
  }
}

Deno.test("tftp property: decode(encode(m)) deep-equals m", () => {
  fc.assert(
    fc.property(message, (m) => {
      const b = encodeTftp(m);
      assert.deepEqual(decodeTftp(b), m);
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("tftp property: random bytes and truncations only raise WireError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (b) => onlyWireErrors(() => decodeTftp(b))),
    { seed: 42, numRuns: 300 },
  );
  // Random tails behind each valid opcode, NULs made common.
  const tail = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), {
    maxLength: 40,
  });
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 7 }),
      tail,
      (op, t) => onlyWireErrors(() => decodeTftp(new Uint8Array([0, op, ...t]))),
    ),
    { seed: 42, numRuns: 300 },
  );
  fc.assert(
    fc.property(message, fc.nat(), (m, cut) => {
      const b = encodeTftp(m);
      onlyWireErrors(() => decodeTftp(b.subarray(0, cut % (b.length + 1))));
    }),
    { seed: 42, numRuns: 300 },
  );
});
