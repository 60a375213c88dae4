/**
 * Tests of the CIDR library: a table of subnets worked out by hand (the notes'
 * 16.158.165.91/22 first), every prefix length's host count and masks, /31 and
 * /32 edge cases, containment and overlap, aggregation against an exact
 * brute-force oracle, supernets, address classification at every block
 * boundary, and fast-check properties with fixed seeds.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  addresses,
  blockSize,
  classfulClass,
  classify,
  comparePrefixes,
  contains,
  containsAddress,
  formatPrefix,
  hosts,
  isPrivate,
  isPublic,
  lastAddress,
  multicastMac,
  multicastScope,
  netmask,
  nthHost,
  overlaps,
  type Prefix,
  prefix,
  prefixOf,
  rangeToPrefixes,
  subnet,
  summarize,
  supernet,
  wildcard,
} from "./cidr.ts";
import { formatIp4, formatMac, ip } from "../wire/addr.ts";

const SEED = 20240607;

/** A subnet as text fields, for readable tables. */
function show(text: string) {
  const s = subnet(text);
  return {
    network: formatIp4(s.network),
    netmask: formatIp4(s.netmask),
    wildcard: formatIp4(s.wildcard),
    broadcast: s.broadcast === undefined ? "-" : formatIp4(s.broadcast),
    first: formatIp4(s.firstHost),
    last: formatIp4(s.lastHost),
    hosts: s.hostCount,
  };
}

Deno.test("cidr: the notes' example 16.158.165.91/22", () => {
  assert.deepEqual(show("16.158.165.91/22"), {
    network: "16.158.164.0",
    netmask: "255.255.252.0",
    wildcard: "0.0.3.255",
    broadcast: "16.158.167.255",
    first: "16.158.164.1",
    last: "16.158.167.254",
    hosts: 1022,
  });
  assert.equal(subnet("16.158.165.91/22").address, ip("16.158.165.91"));
  assert.equal(subnet("16.158.165.91/22").size, 1024);
});

Deno.test("cidr: subnets worked out by hand", () => {
  const table: Array<[string, string, string, string, string, string, string, number]> = [
    // text, network, netmask, wildcard, broadcast, first, last, hosts
    [
      "0.0.0.0/0",
      "0.0.0.0",
      "0.0.0.0",
      "255.255.255.255",
      "255.255.255.255",
      "0.0.0.1",
      "255.255.255.254",
      4294967294,
    ],
    [
      "10.200.3.4/8",
      "10.0.0.0",
      "255.0.0.0",
      "0.255.255.255",
      "10.255.255.255",
      "10.0.0.1",
      "10.255.255.254",
      16777214,
    ],
    [
      "172.16.5.77/20",
      "172.16.0.0",
      "255.255.240.0",
      "0.0.15.255",
      "172.16.15.255",
      "172.16.0.1",
      "172.16.15.254",
      4094,
    ],
    [
      "192.168.1.101/24",
      "192.168.1.0",
      "255.255.255.0",
      "0.0.0.255",
      "192.168.1.255",
      "192.168.1.1",
      "192.168.1.254",
      254,
    ],
    [
      "192.168.1.200/26",
      "192.168.1.192",
      "255.255.255.192",
      "0.0.0.63",
      "192.168.1.255",
      "192.168.1.193",
      "192.168.1.254",
      62,
    ],
    [
      "10.1.1.1/30",
      "10.1.1.0",
      "255.255.255.252",
      "0.0.0.3",
      "10.1.1.3",
      "10.1.1.1",
      "10.1.1.2",
      2,
    ],
    // RFC 3021: a /31 has two hosts and no broadcast.
    ["10.1.1.1/31", "10.1.1.0", "255.255.255.254", "0.0.0.1", "-", "10.1.1.0", "10.1.1.1", 2],
    [
      "255.255.255.255/31",
      "255.255.255.254",
      "255.255.255.254",
      "0.0.0.1",
      "-",
      "255.255.255.254",
      "255.255.255.255",
      2,
    ],
    ["10.1.1.1/32", "10.1.1.1", "255.255.255.255", "0.0.0.0", "-", "10.1.1.1", "10.1.1.1", 1],
    // A dotted netmask is the same prefix.
    [
      "10.9.8.7/255.255.255.0",
      "10.9.8.0",
      "255.255.255.0",
      "0.0.0.255",
      "10.9.8.255",
      "10.9.8.1",
      "10.9.8.254",
      254,
    ],
    [
      "128.0.0.1/1",
      "128.0.0.0",
      "128.0.0.0",
      "127.255.255.255",
      "255.255.255.255",
      "128.0.0.1",
      "255.255.255.254",
      2147483646,
    ],
  ];
  for (const [text, network, mask, wild, broadcast, first, last, count] of table) {
    assert.deepEqual(show(text), {
      network,
      netmask: mask,
      wildcard: wild,
      broadcast,
      first,
      last,
      hosts: count,
    }, text);
  }
});

Deno.test("cidr: every prefix length has the right masks and host count", () => {
  for (let len = 0; len <= 32; len++) {
    const m = netmask(len);
    // Contiguous: len ones, then zeros.
    assert.equal(m.toString(2).padStart(32, "0"), "1".repeat(len) + "0".repeat(32 - len));
    assert.equal((m | wildcard(len)) >>> 0, 0xffffffff);
    assert.equal((m & wildcard(len)) >>> 0, 0);
    assert.equal(blockSize(len), 2 ** (32 - len));
    const s = subnet(ip("10.0.0.0"), len);
    const expected = len === 32 ? 1 : len === 31 ? 2 : 2 ** (32 - len) - 2;
    assert.equal(s.hostCount, expected, `/${len}`);
    assert.equal(s.lastHost - s.firstHost + 1, expected, `/${len}`);
    assert.equal(s.broadcast === undefined, len >= 31, `/${len}`);
  }
  assert.throws(() => netmask(33), RangeError);
  assert.throws(() => netmask(-1), RangeError);
  assert.throws(() => subnet("10.0.0.0/33"), RangeError);
  assert.throws(() => subnet("10.0.0.300/24"), RangeError);
  assert.throws(() => subnet("10.0.0.0/255.0.255.0"), RangeError);
});

Deno.test("cidr: hosts, addresses and nthHost enumerate the block", () => {
  const p = prefix("192.168.7.9/29");
  assert.equal(formatPrefix(p), "192.168.7.8/29");
  assert.deepEqual([...hosts(p)].map(formatIp4), [
    "192.168.7.9",
    "192.168.7.10",
    "192.168.7.11",
    "192.168.7.12",
    "192.168.7.13",
    "192.168.7.14",
  ]);
  assert.equal([...addresses(p)].length, 8);
  assert.deepEqual([...hosts(prefix("10.0.0.6/31"))].map(formatIp4), ["10.0.0.6", "10.0.0.7"]);
  assert.deepEqual([...hosts(prefix("10.0.0.6/32"))].map(formatIp4), ["10.0.0.6"]);
  assert.equal(formatIp4(nthHost(prefix("16.158.164.0/22"), 1)!), "16.158.164.1");
  assert.equal(formatIp4(nthHost(prefix("16.158.164.0/22"), 1022)!), "16.158.167.254");
  assert.equal(nthHost(prefix("16.158.164.0/22"), 1023), undefined);
  assert.equal(nthHost(prefix("16.158.164.0/22"), 0), undefined);
  assert.equal(formatIp4(lastAddress(prefix("16.158.164.0/22"))), "16.158.167.255");
});

Deno.test("cidr: containment and overlap", () => {
  const P = prefix;
  const cases: Array<[string, string, boolean, boolean]> = [
    // a, b, a contains b, overlap
    ["10.0.0.0/8", "10.1.0.0/16", true, true],
    ["10.1.0.0/16", "10.0.0.0/8", false, true],
    ["10.0.0.0/8", "10.0.0.0/8", true, true],
    ["10.0.0.0/8", "11.0.0.0/8", false, false],
    ["192.168.0.0/23", "192.168.1.128/25", true, true],
    ["192.168.0.0/24", "192.168.1.0/24", false, false],
    ["0.0.0.0/0", "203.0.113.7/32", true, true],
    ["172.16.0.0/12", "172.32.0.0/16", false, false],
    ["16.158.164.0/22", "16.158.167.255/32", true, true],
    ["16.158.164.0/22", "16.158.168.0/32", false, false],
  ];
  for (const [a, b, c, o] of cases) {
    assert.equal(contains(P(a), P(b)), c, `${a} ⊇ ${b}`);
    assert.equal(overlaps(P(a), P(b)), o, `${a} ∩ ${b}`);
  }
  assert.ok(containsAddress(P("16.158.164.0/22"), ip("16.158.165.91")));
  assert.ok(!containsAddress(P("16.158.164.0/22"), ip("16.158.163.255")));
});

Deno.test("cidr: summarisation is exact aggregation", () => {
  const cases: Array<[string[], string[]]> = [
    [["10.0.0.0/25", "10.0.0.128/25"], ["10.0.0.0/24"]],
    [["192.168.0.0/24", "192.168.1.0/24", "192.168.2.0/24"], ["192.168.0.0/23", "192.168.2.0/24"]],
    // Adjacent but not siblings: 1.0/24 and 2.0/24 cannot merge into one /23.
    [["192.168.1.0/24", "192.168.2.0/24"], ["192.168.1.0/24", "192.168.2.0/24"]],
    [["10.0.0.0/8", "10.1.2.0/24", "10.0.0.0/8"], ["10.0.0.0/8"]],
    [
      ["172.16.0.0/16", "172.17.0.0/16", "172.18.0.0/15", "172.20.0.0/14", "172.24.0.0/13"],
      ["172.16.0.0/12"],
    ],
    [["0.0.0.0/1", "128.0.0.0/1"], ["0.0.0.0/0"]],
    [["10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.0/32"], ["10.0.0.0/30"]],
    [["10.0.0.1/32", "10.0.0.2/32"], ["10.0.0.1/32", "10.0.0.2/32"]],
    [["255.255.255.255/32", "255.255.255.254/32"], ["255.255.255.254/31"]],
    [[], []],
  ];
  for (const [input, want] of cases) {
    assert.deepEqual(summarize(input.map(prefix)).map(formatPrefix), want, input.join(" "));
  }
  assert.deepEqual(
    rangeToPrefixes(ip("10.0.0.5"), ip("10.0.0.20")).map(formatPrefix),
    ["10.0.0.5/32", "10.0.0.6/31", "10.0.0.8/29", "10.0.0.16/30", "10.0.0.20/32"],
  );
  assert.deepEqual(rangeToPrefixes(0, 0xffffffff).map(formatPrefix), ["0.0.0.0/0"]);
});

Deno.test("cidr: supernet is the smallest single covering prefix", () => {
  const cases: Array<[string[], string]> = [
    [["10.1.4.0/24", "10.1.7.0/24"], "10.1.4.0/22"],
    [["192.168.1.0/24", "192.168.2.0/24"], "192.168.0.0/22"],
    [["10.0.0.0/8", "10.200.0.0/16"], "10.0.0.0/8"],
    [["10.0.0.1/32"], "10.0.0.1/32"],
    [["1.0.0.0/8", "200.0.0.0/8"], "0.0.0.0/0"],
    [["16.158.164.0/24", "16.158.167.0/24"], "16.158.164.0/22"],
  ];
  for (const [input, want] of cases) {
    assert.equal(formatPrefix(supernet(input.map(prefix))!), want, input.join(" "));
  }
  assert.equal(supernet([]), undefined);
});

Deno.test("cidr: classification at every block boundary", () => {
  const table: Array<[string, string]> = [
    ["0.0.0.0", "this-network"],
    ["0.255.255.255", "this-network"],
    ["1.0.0.0", "public"],
    ["9.255.255.255", "public"],
    ["10.0.0.0", "private"],
    ["10.255.255.255", "private"],
    ["11.0.0.0", "public"],
    ["16.158.165.91", "public"],
    ["100.63.255.255", "public"],
    ["100.64.0.0", "shared"],
    ["100.127.255.255", "shared"],
    ["100.128.0.0", "public"],
    ["126.255.255.255", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.255", "loopback"],
    ["128.0.0.0", "public"],
    ["169.253.255.255", "public"],
    ["169.254.0.1", "link-local"],
    ["169.254.255.255", "link-local"],
    ["169.255.0.0", "public"],
    ["172.15.255.255", "public"],
    ["172.16.0.0", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.0", "public"],
    ["192.0.0.8", "ietf-protocol"],
    ["192.0.2.1", "documentation"],
    ["192.0.3.0", "public"],
    ["192.167.255.255", "public"],
    ["192.168.0.0", "private"],
    ["192.168.255.255", "private"],
    ["192.169.0.0", "public"],
    ["198.17.255.255", "public"],
    ["198.18.0.0", "benchmarking"],
    ["198.19.255.255", "benchmarking"],
    ["198.20.0.0", "public"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.255", "documentation"],
    ["203.0.114.0", "public"],
    ["8.8.8.8", "public"],
    ["223.255.255.255", "public"],
    ["224.0.0.0", "multicast"],
    ["239.255.255.255", "multicast"],
    ["240.0.0.0", "reserved"],
    ["255.255.255.254", "reserved"],
    ["255.255.255.255", "limited-broadcast"],
  ];
  for (const [a, c] of table) assert.equal(classify(ip(a)), c, a);
  assert.ok(isPrivate(ip("192.168.1.101")) && !isPublic(ip("192.168.1.101")));
  assert.ok(isPublic(ip("16.158.165.91")) && !isPrivate(ip("16.158.165.91")));
});

Deno.test("cidr: multicast scopes and MACs", () => {
  const table: Array<[string, string | undefined]> = [
    ["224.0.0.1", "link-local"], // all hosts
    ["224.0.0.251", "link-local"], // mDNS
    ["224.0.0.255", "link-local"],
    ["224.0.1.1", "global"], // NTP
    ["232.1.2.3", "global"], // SSM
    ["233.252.0.1", "global"],
    ["239.0.0.1", "admin-local"],
    ["239.192.0.1", "organization-local"],
    ["239.195.255.255", "organization-local"],
    ["239.196.0.0", "admin-local"],
    ["239.255.255.250", "local"], // SSDP
    ["10.0.0.1", undefined],
    ["240.0.0.1", undefined],
  ];
  for (const [a, s] of table) assert.equal(multicastScope(ip(a)), s, a);
  assert.equal(formatMac(multicastMac(ip("224.0.0.251"))), "01:00:5e:00:00:fb");
  // The top 5 of the 28 group bits are lost: 239.128.0.1 maps like 224.0.0.1.
  assert.equal(multicastMac(ip("239.128.0.1")), multicastMac(ip("224.0.0.1")));
  assert.throws(() => multicastMac(ip("10.0.0.1")), RangeError);
  assert.deepEqual(
    ["10.0.0.1", "172.16.0.1", "192.168.0.1", "224.0.0.1", "250.0.0.1"].map((a) =>
      classfulClass(ip(a))
    ),
    ["A", "B", "C", "D", "E"],
  );
});

// ------------------------------------------------------------------ properties

const addrArb = fc.integer({ min: 0, max: 0xffffffff });
const lenArb = fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constantFrom(0, 1, 30, 31, 32));
const prefixArb: fc.Arbitrary<Prefix> = fc.tuple(addrArb, lenArb).map(([a, l]) => prefixOf(a, l));

/** Half-open ranges of the union of prefixes, merged: the exact set they cover. */
function union(ps: readonly Prefix[]): Array<[number, number]> {
  const rs = ps.map((p) => [p.network, p.network + blockSize(p.len)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of rs) {
    const top = out[out.length - 1];
    if (top && r[0] <= top[1]) top[1] = Math.max(top[1], r[1]);
    else out.push([...r]);
  }
  return out;
}

Deno.test("cidr property: every address of a prefix is contained, its neighbours are not", () => {
  fc.assert(
    fc.property(
      prefixArb,
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (p, f) => {
        const size = blockSize(p.len);
        const inside = (p.network + Math.floor(f * size)) >>> 0;
        assert.ok(containsAddress(p, inside));
        assert.ok(containsAddress(p, p.network) && containsAddress(p, lastAddress(p)));
        if (p.network > 0) assert.ok(!containsAddress(p, p.network - 1));
        if (lastAddress(p) < 0xffffffff) assert.ok(!containsAddress(p, lastAddress(p) + 1));
        // The subnet of any inside address is this prefix.
        const s = subnet(inside, p.len);
        assert.equal(s.network, p.network);
        assert.ok(s.firstHost >= p.network && s.lastHost <= lastAddress(p));
        assert.equal(s.lastHost - s.firstHost + 1, s.hostCount);
        if (s.broadcast !== undefined) assert.equal(s.broadcast, lastAddress(p));
      },
    ),
    { seed: SEED, numRuns: 2000 },
  );
});

Deno.test("cidr property: overlap is symmetric and means a shared address", () => {
  fc.assert(
    fc.property(prefixArb, prefixArb, (a, b) => {
      assert.equal(overlaps(a, b), overlaps(b, a));
      const shared = Math.max(a.network, b.network) <= Math.min(lastAddress(a), lastAddress(b));
      assert.equal(overlaps(a, b), shared);
      if (contains(a, b) && contains(b, a)) assert.equal(comparePrefixes(a, b), 0);
      assert.ok(contains(a, a));
    }),
    { seed: SEED, numRuns: 3000 },
  );
});

Deno.test("cidr property: summarisation covers exactly the union, disjoint and sorted", () => {
  // Prefixes clustered in a few places so that merging actually happens.
  const clustered = fc.tuple(
    fc.constantFrom(ip("10.0.0.0"), ip("192.168.0.0"), ip("255.255.0.0"), 0),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 14, max: 32 }),
  ).map(([base, off, len]) => prefixOf(base + off, len));
  fc.assert(
    fc.property(fc.array(fc.oneof(clustered, prefixArb), { maxLength: 40 }), (ps) => {
      const out = summarize(ps);
      assert.deepEqual(union(out), union(ps));
      for (let i = 1; i < out.length; i++) {
        assert.ok(lastAddress(out[i - 1]!) < out[i]!.network, "sorted and disjoint");
      }
      // Nothing left to merge: no two outputs are the halves of one prefix.
      for (let i = 1; i < out.length; i++) {
        const a = out[i - 1]!, b = out[i]!;
        const siblings = a.len === b.len && a.len > 0 &&
          prefixOf(a.network, a.len - 1).network === prefixOf(b.network, b.len - 1).network;
        assert.ok(!siblings, `${formatPrefix(a)} + ${formatPrefix(b)}`);
      }
      assert.deepEqual(summarize(out), out);
      assert.ok(out.length <= ps.length);
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

/** The fewest aligned blocks covering exactly `set` within [base, base+size): the oracle. */
function minBlocks(set: boolean[], base: number, size: number): number {
  let all = true, none = true;
  for (let i = base; i < base + size; i++) {
    if (set[i]) none = false;
    else all = false;
  }
  if (none) return 0;
  if (all) return 1;
  return minBlocks(set, base, size / 2) + minBlocks(set, base + size / 2, size / 2);
}

Deno.test("cidr property: summarisation is minimal (brute force inside one /24)", () => {
  const base = ip("10.20.30.0");
  const small = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 }))
    .map(([off, len]) => prefixOf(base + off, len));
  fc.assert(
    fc.property(fc.array(small, { maxLength: 30 }), (ps) => {
      const set = new Array<boolean>(256).fill(false);
      for (const p of ps) for (const a of addresses(p)) set[a - base] = true;
      const out = summarize(ps);
      const covered = new Array<boolean>(256).fill(false);
      for (const p of out) for (const a of addresses(p)) covered[a - base] = true;
      assert.deepEqual(covered, set);
      assert.equal(out.length, minBlocks(set, 0, 256));
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

Deno.test("cidr property: the supernet covers all and neither half of it does", () => {
  fc.assert(
    fc.property(fc.array(prefixArb, { minLength: 1, maxLength: 8 }), (ps) => {
      const s = supernet(ps)!;
      for (const p of ps) assert.ok(contains(s, p));
      if (s.len < 32) {
        const left = prefixOf(s.network, s.len + 1);
        const right = prefixOf(s.network + blockSize(s.len + 1), s.len + 1);
        assert.ok(!ps.every((p) => contains(left, p)));
        assert.ok(!ps.every((p) => contains(right, p)));
      }
    }),
    { seed: SEED, numRuns: 2000 },
  );
});

Deno.test("cidr property: a range splits into prefixes covering exactly it", () => {
  fc.assert(
    fc.property(addrArb, addrArb, (x, y) => {
      const [lo, hi] = x <= y ? [x, y] : [y, x];
      const out = rangeToPrefixes(lo, hi);
      assert.deepEqual(union(out), [[lo, hi + 1]]);
      assert.ok(out.length <= 62);
    }),
    { seed: SEED, numRuns: 2000 },
  );
});

Deno.test("cidr property: classification agrees with each block for every address in it", () => {
  const blocks: Array<[string, string]> = [
    ["10.0.0.0/8", "private"],
    ["172.16.0.0/12", "private"],
    ["192.168.0.0/16", "private"],
    ["100.64.0.0/10", "shared"],
    ["127.0.0.0/8", "loopback"],
    ["169.254.0.0/16", "link-local"],
    ["0.0.0.0/8", "this-network"],
    ["192.0.2.0/24", "documentation"],
    ["198.51.100.0/24", "documentation"],
    ["203.0.113.0/24", "documentation"],
    ["224.0.0.0/4", "multicast"],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...blocks), addrArb, ([text, cls], r) => {
      const p = prefix(text);
      const a = (p.network + (r % blockSize(p.len))) >>> 0;
      assert.equal(classify(a), cls);
      assert.equal(multicastScope(a) !== undefined, cls === "multicast");
    }),
    { seed: SEED, numRuns: 2000 },
  );
});
