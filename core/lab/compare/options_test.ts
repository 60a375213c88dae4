import assert from "node:assert/strict";
import {
  DEFAULTS,
  OptionError,
  parseCompareArgs,
  resolveBufferPackets,
  toCompareConfig,
  USAGE,
} from "./options.ts";

function error(args: string[]): OptionError {
  try {
    parseCompareArgs(args);
  } catch (e) {
    assert.ok(e instanceof OptionError, `not an OptionError: ${e}`);
    assert.ok(!e.message.includes("\n"), `more than one line: ${e.message}`);
    return e;
  }
  assert.fail(`no error for ${args.join(" ")}`);
}

Deno.test("options: defaults", () => {
  const o = parseCompareArgs([]);
  assert.deepEqual(o.algos, ["newreno", "cubic", "bbr"]);
  assert.equal(o.flows, 1);
  assert.equal(o.bandwidth, 100e6);
  assert.deepEqual(o.rttMs, [44]);
  assert.deepEqual(o.buffer, { kind: "bdp", multiple: 1, text: "1bdp" });
  assert.equal(o.aqm, "droptail");
  assert.equal(o.loss, 0);
  assert.equal(o.durationS, 30);
  assert.deepEqual(o.seeds, [1]);
  assert.equal(o.mss, 1448);
  assert.equal(o.jobs, undefined);
  assert.equal(o.json, false);
  assert.equal(o.html, undefined);
  assert.equal(o.fake, false);
  assert.equal(o.help, false);
});

Deno.test("options: every flag", () => {
  const o = parseCompareArgs([
    "--algos=cubic,cubic+bbr",
    "--flows",
    "3",
    "--bw",
    "1gbit",
    "--rtt",
    "10ms,250us",
    "--buffer",
    "64kib",
    "--aqm",
    "DropTail",
    "--loss",
    "0.01",
    "--duration",
    "1500ms",
    "--seeds",
    "2..4",
    "--mss",
    "8948",
    "--jobs",
    "1",
    "--json",
    "--html",
    "out.html",
    "--fake",
  ]);
  assert.deepEqual(o.algos, ["cubic", "cubic+bbr"]);
  assert.equal(o.flows, 3);
  assert.equal(o.bandwidth, 1e9);
  assert.deepEqual(o.rttMs, [10, 0.25]);
  assert.deepEqual(o.buffer, { kind: "bytes", bytes: 65536, text: "64kib" });
  assert.equal(o.aqm, "droptail");
  assert.equal(o.loss, 0.01);
  assert.equal(o.durationS, 1.5);
  assert.deepEqual(o.seeds, [2, 3, 4]);
  assert.equal(o.mss, 8948);
  assert.equal(o.jobs, 1);
  assert.equal(o.json, true);
  assert.equal(o.html, "out.html");
  assert.equal(o.fake, true);
  assert.deepEqual(parseCompareArgs(["--seed", "7"]).seeds, [7]);
  assert.deepEqual(parseCompareArgs(["--seeds", "9,1,4"]).seeds, [9, 1, 4]);
  assert.deepEqual(parseCompareArgs(["--buffer", "367p"]).buffer, {
    kind: "packets",
    packets: 367,
    text: "367p",
  });
  assert.deepEqual(parseCompareArgs(["--buffer", "500kb"]).buffer, {
    kind: "bytes",
    bytes: 500_000,
    text: "500kb",
  });
  assert.deepEqual(parseCompareArgs(["--buffer", "0.5bdp"]).buffer, {
    kind: "bdp",
    multiple: 0.5,
    text: "0.5bdp",
  });
  assert.equal(parseCompareArgs(["--bw", "500kbit"]).bandwidth, 500e3);
  assert.equal(parseCompareArgs(["--duration", "30"]).durationS, 30);
});

Deno.test("options: --help parses and reports help, and the usage lists every flag with its default", () => {
  assert.equal(parseCompareArgs(["--help"]).help, true);
  for (
    const flag of [
      "--algos",
      "--flows",
      "--bw",
      "--rtt",
      "--buffer",
      "--aqm",
      "--loss",
      "--duration",
      "--seed",
      "--seeds",
      "--mss",
      "--jobs",
      "--json",
      "--html",
      "--help",
    ]
  ) {
    assert.match(USAGE, new RegExp(`^  ${flag}\\b`, "m"), flag);
  }
  for (const d of Object.values(DEFAULTS)) assert.ok(USAGE.includes(`default ${d}`), d);
});

Deno.test("options: every error names the flag and the bad text, on one line", () => {
  const cases: Array<[string[], string]> = [
    [["--algos", "cubic,vegas"], '--algos: unknown algorithm "vegas" (known: newreno, cubic, bbr)'],
    [["--algos", "cubic,,bbr"], '--algos: empty name in the list: "cubic,,bbr"'],
    [["--algos", "cubic+"], '--algos: empty name in a mix: "cubic+"'],
    [["--algos", "cubic+cubic"], "--algos: a mix names an algorithm twice"],
    [["--algos", "bbr,bbr"], '--algos: "bbr" is listed twice: "bbr,bbr"'],
    [["--flows", "two"], '--flows: expected a whole number: "two"'],
    [["--flows", "0"], '--flows: expected 1 to 1000: "0"'],
    [["--bw", "fast"], '--bw: expected a rate such as 100mbit (bit, kbit, mbit, gbit): "fast"'],
    [["--bw", "100"], '--bw: a unit is missing (e.g. 100mbit): "100"'],
    [["--bw", "0mbit"], '--bw: the rate must be more than 0: "0mbit"'],
    [["--rtt", "44"], '--rtt: a unit is missing (e.g. 44ms): "44"'],
    [["--rtt", "soon"], '--rtt: expected a time such as 44ms or 20ms,80ms: "soon"'],
    [["--rtt", "0ms"], '--rtt: a round-trip time must be more than 0: "0ms"'],
    [["--rtt", "10ms,20ms"], '--rtt: 2 round-trip times for at most 1 flow per run: "10ms,20ms"'],
    [
      ["--buffer", "lots"],
      '--buffer: expected Nbdp, Np (packets) or a size in b, kb, mb, kib, mib: "lots"',
    ],
    [["--buffer", "100"], "--buffer: a unit is missing"],
    [
      ["--buffer", "1.5p"],
      '--buffer: a buffer in packets must be a whole number of at least 1: "1.5p"',
    ],
    [["--buffer", "0bdp"], '--buffer: the buffer must be more than 0: "0bdp"'],
    [["--buffer", "1000b"], '--buffer: holds no whole packet of 1500 bytes: "1000b"'],
    [
      ["--aqm", "red"],
      '--aqm: "red" is not available yet (only droptail; RED and CoDel are planned)',
    ],
    [
      ["--aqm", "codel"],
      '--aqm: "codel" is not available yet (only droptail; RED and CoDel are planned)',
    ],
    [
      ["--aqm", "pie"],
      '--aqm: unknown queue discipline "pie" (available: droptail; not yet: RED, CoDel)',
    ],
    [["--loss", "1"], '--loss: expected a probability from 0 up to (not including) 1: "1"'],
    [["--loss", "some"], '--loss: expected a probability such as 0.01: "some"'],
    [["--duration", "forever"], '--duration: expected a time such as 30s or 500ms: "forever"'],
    [["--duration", "0s"], '--duration: the duration must be more than 0: "0s"'],
    [["--seed", "-1"], "--seed: a value is missing"],
    [["--seed", "x"], '--seed: a seed is a whole number from 0 to 4294967295: "x"'],
    [["--seeds", "5..1"], '--seeds: a range must go up (1..5): "5..1"'],
    [["--seeds", "1-5"], '--seeds: expected a range such as 1..5 or a list such as 1,4,9: "1-5"'],
    [["--seeds", "1,1"], '--seeds: a seed is listed twice: "1,1"'],
    [["--seeds", "1..5000"], '--seeds: at most 1000 seeds: "1..5000"'],
    [["--seed", "1", "--seeds", "1..2"], "--seed and --seeds cannot be used together"],
    [["--mss", "10"], '--mss: expected 88 to 65483: "10"'],
    [["--jobs", "0"], '--jobs: expected 1 to 256: "0"'],
    [["--jobs", "all"], '--jobs: expected a whole number: "all"'],
    [["--html", ""], '--html: expected a file name: ""'],
    [["--bogus"], "unknown flag --bogus (see --help)"],
    [["--bw"], "--bw: a value is missing"],
    [["--bw", "--json"], '--bw: a value is missing (got the flag "--json")'],
    [["--json=yes"], '--json takes no value: "yes"'],
    [["extra"], 'unexpected argument "extra" (flags start with --; see --help)'],
  ];
  for (const [args, message] of cases) {
    const e = error(args);
    assert.ok(e.message.startsWith(message), `${args.join(" ")}: got ${e.message}`);
  }
});

Deno.test("options: the buffer in packets, per the documented rule", () => {
  const o = parseCompareArgs([]);
  // 100 Mbit/s × 44 ms / 8 = 550,000 bytes over 1,500-byte packets: 366.67 → 367.
  assert.equal(resolveBufferPackets(o), 367);
  assert.equal(resolveBufferPackets(parseCompareArgs(["--buffer", "2bdp"])), 734);
  // An exact multiple is not rounded up: 120 Mbit/s × 10 ms / 8 = 150,000 = 100 packets.
  assert.equal(resolveBufferPackets(parseCompareArgs(["--bw", "120mbit", "--rtt", "10ms"])), 100);
  // The largest base RTT sets the BDP.
  const mixed = parseCompareArgs(["--flows", "2", "--rtt", "20ms,80ms"]);
  assert.equal(resolveBufferPackets(mixed), 667);
  assert.equal(resolveBufferPackets(parseCompareArgs(["--buffer", "64kib"])), 43);
  assert.equal(resolveBufferPackets(parseCompareArgs(["--buffer", "367p"])), 367);
});

Deno.test("options: the configuration expands per-flow RTTs over the largest run", () => {
  const c = toCompareConfig(
    parseCompareArgs(["--algos", "cubic,cubic+bbr", "--flows", "2", "--rtt", "20ms,80ms"]),
  );
  assert.deepEqual(c, {
    algos: ["cubic", "cubic+bbr"],
    flows: 2,
    bandwidth: 100e6,
    rttMs: [20, 80, 20, 80],
    bufferPackets: 667,
    buffer: "1bdp",
    aqm: "droptail",
    loss: 0,
    durationS: 30,
    seeds: [1],
    mss: 1448,
  });
  assert.deepEqual(toCompareConfig(parseCompareArgs(["--flows", "3"])).rttMs, [44, 44, 44]);
});
