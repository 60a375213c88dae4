/**
 * Longest-prefix-match benchmarks: packetlab's Fib (and the naive reference
 * map) against npm packages on the same synthetic BGP-shaped tables
 * (core/ip/fib/bgp_table.ts: 900k and 100k prefixes, values are the generated
 * next hops 0..31).
 *
 * Suites:
 * - lpm-900k-uniform / lpm-100k-uniform: lookups of uniformly random addresses;
 * - lpm-900k-hit: lookups of addresses inside stored prefixes (a random prefix,
 *   a random host in it), so every answer is a route;
 * - lpm-900k-build: whole-table builds, prefixes inserted per second;
 * - lpm-update-24plus: on the loaded 900k table, insert then delete a /24../32
 *   that is not in the table (2 operations per pair).
 *
 * Every lookup case walks a large rotating pool of addresses (1M for ours) so
 * that repeated calls do not find their paths in cache. Before timing, each
 * peer's answers are checked against the Fib's on a sample; a mismatch throws.
 *
 * Peers:
 * - `longest-prefix-match` (npm): a binary trie keyed by bit strings; takes
 *   text prefixes ("a.b.c.d/32"), which we format before timing. It has no
 *   delete, so it is absent from the update suite.
 * - `mmdb-lib` (npm): the MaxMind DB reader, over an in-memory IPv4 MMDB that
 *   `buildMmdb` below writes from the same table (32-bit records, one uint32
 *   data record per distinct value). Read-only: build and update suites do not
 *   apply (the writer is ours, not the package's).
 * - `@arkime/iptrie` is not measured: no package of that name is published;
 *   the `arkime-iptrie` package is a native addon written against the raw V8 /
 *   node C++ API (not Node-API), which Deno cannot load.
 *
 * Memory: `deno run -A --v8-flags=--expose-gc bench/suites/lpm.ts --memory`
 * prints bytes per prefix for each structure (heap + external growth after GC).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import LongestPrefixMatch from "longest-prefix-match";
import { Reader } from "mmdb-lib";
import { type BenchCase, type BenchSuite, lazy } from "../harness.ts";
import { type BgpTable, bgpTable100k, bgpTable900k } from "../../core/ip/fib/bgp_table.ts";
import { Fib } from "../../core/ip/fib/fib.ts";
import { NaivePrefixMap } from "../../core/ip/fib/naive.ts";
import { Rng } from "../../core/ip/fib/rng.ts";
import { formatIp4 } from "../../core/wire/addr.ts";

/** Lookups per call of a lookup case. */
const BATCH = 1024;
/** Lookups per call of the (slow) naive map, to keep its samples short. */
const NAIVE_BATCH = 128;
/** Addresses in the rotating pool of our lookup cases. */
const POOL = 1 << 20;
/** Addresses in the (pre-formatted) pool of the text-based peers. */
const TEXT_POOL = 1 << 16;
/** Addresses checked against the Fib before a peer is timed. */
const SAMPLE = 20_000;

/** The reader's view of our database: every record is a uint32 next hop. */
type NumberReader = { get(ip: string): number | null };

/** Open an MMDB buffer whose data records are plain numbers. */
function openMmdb(buf: Buffer): NumberReader {
  return new Reader(buf) as unknown as NumberReader;
}

interface LoadedTable {
  table: BgpTable;
  fib: Fib;
}

function buildFib(t: BgpTable): Fib {
  const fib = new Fib();
  for (let i = 0; i < t.prefixes.length; i++) {
    fib.insert(t.prefixes[i]!, t.lengths[i]!, t.nextHops[i]!);
  }
  return fib;
}

function buildNaive(t: BgpTable): NaivePrefixMap {
  const m = new NaivePrefixMap();
  for (let i = 0; i < t.prefixes.length; i++) {
    m.insert(t.prefixes[i]!, t.lengths[i]!, t.nextHops[i]!);
  }
  return m;
}

/** The `longest-prefix-match` peer loaded with a table (payload = next hop). */
function buildLpm(t: BgpTable): LongestPrefixMatch {
  const m = new LongestPrefixMatch();
  for (let i = 0; i < t.prefixes.length; i++) {
    m.addPrefix(`${formatIp4(t.prefixes[i]!)}/${t.lengths[i]!}`, t.nextHops[i]!);
  }
  return m;
}

function lpmLookup(m: LongestPrefixMatch, text: string): number {
  const r = m.getMatch(text) as number[];
  return r.length === 0 ? -1 : r[0]!;
}

/**
 * Write an IPv4 MaxMind DB (format 2.0, 32-bit records) holding the table:
 * a leaf-pushed binary search tree, then the data section with one uint32 per
 * distinct value, then the metadata map.
 */
export function buildMmdb(t: BgpTable): Buffer {
  const n = t.prefixes.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => t.prefixes[a]! - t.prefixes[b]! || t.lengths[a]! - t.lengths[b]!);
  const P = new Float64Array(n), L = new Uint8Array(n), V = new Int32Array(n);
  order.forEach((k, i) => {
    P[i] = t.prefixes[k]!;
    L[i] = t.lengths[k]!;
    V[i] = t.nextHops[k]!;
  });
  // Data section: uint32 records (type 6), big-endian without leading zero bytes.
  const dataOffset = new Map<number, number>();
  const data: number[] = [];
  for (const v of V) {
    if (dataOffset.has(v)) continue;
    dataOffset.set(v, data.length);
    const bytes: number[] = [];
    for (let x = v; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
    data.push(0xc0 | bytes.length, ...bytes);
  }
  // Tree: records >= 0 are node numbers; < 0 are -(1 + data offset); EMPTY is no data.
  const EMPTY = -0x7fffffff;
  let left = new Float64Array(1 << 20), right = new Float64Array(1 << 20);
  let nodes = 0;
  const leaf = (v: number) => (v < 0 ? EMPTY : -1 - dataOffset.get(v)!);
  // Entries [lo, hi) lie inside the node for `start`/`depth`; `inherited` is the covering value.
  const build = (
    lo: number,
    hi: number,
    start: number,
    depth: number,
    inherited: number,
  ): number => {
    while (lo < hi && L[lo] === depth) inherited = V[lo++]!;
    if (lo === hi || depth === 32) return leaf(inherited);
    const id = nodes++;
    if (id >= left.length) {
      const l2 = new Float64Array(left.length * 2), r2 = new Float64Array(left.length * 2);
      l2.set(left);
      r2.set(right);
      left = l2;
      right = r2;
    }
    const mid = start + 2 ** (31 - depth);
    let m = lo;
    while (m < hi && P[m]! < mid) m++;
    const l = build(lo, m, start, depth + 1, inherited);
    const r = build(m, hi, mid, depth + 1, inherited);
    left[id] = l;
    right[id] = r;
    return id;
  };
  const root = build(0, n, 0, 0, -1);
  if (root < 0) {
    // A table without any split still needs a root node.
    left[0] = root;
    right[0] = root;
    nodes = 1;
  }
  const meta = mmdbMetadata(nodes);
  const treeBytes = nodes * 8;
  const buf = Buffer.alloc(treeBytes + 16 + data.length + meta.length);
  const record = (x: number) => (x >= 0 ? x : x === EMPTY ? nodes : nodes + 16 + (-1 - x));
  for (let i = 0; i < nodes; i++) {
    buf.writeUInt32BE(record(left[i]!), i * 8);
    buf.writeUInt32BE(record(right[i]!), i * 8 + 4);
  }
  Buffer.from(data).copy(buf, treeBytes + 16);
  meta.copy(buf, treeBytes + 16 + data.length);
  return buf;
}

/** The metadata section: marker, then a map of the fields the reader needs. */
function mmdbMetadata(nodeCount: number): Buffer {
  const out: number[] = [...Buffer.from("ABCDEF4D61784D696E642E636F6D", "hex")];
  const str = (s: string) => out.push(0x40 | s.length, ...Buffer.from(s));
  const uint = (type: number, v: number, bytes: number) => {
    const b: number[] = [];
    for (let x = v; x > 0; x = Math.floor(x / 256)) b.unshift(x % 256);
    if (b.length > bytes) throw new RangeError("mmdb: value too large");
    if (type <= 7) out.push((type << 5) | b.length, ...b);
    else out.push(b.length, type - 7, ...b);
  };
  out.push(0xe0 | 9); // map with 9 entries
  str("node_count");
  uint(6, nodeCount, 4);
  str("record_size");
  uint(5, 32, 2);
  str("ip_version");
  uint(5, 4, 2);
  str("binary_format_major_version");
  uint(5, 2, 2);
  str("binary_format_minor_version");
  uint(5, 0, 2);
  str("build_epoch");
  uint(9, 0, 8);
  str("database_type");
  str("packetlab-bench");
  str("languages");
  out.push(0, 4); // empty array (extended type 11)
  str("description");
  out.push(0xe0); // empty map
  return Buffer.from(out);
}

/** Uniformly random addresses. */
function uniformAddrs(count: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const a = new Uint32Array(count);
  for (let i = 0; i < count; i++) a[i] = rng.u32();
  return a;
}

/** Addresses inside stored prefixes: a random prefix, a random host in it. */
function hitAddrs(t: BgpTable, count: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const a = new Uint32Array(count);
  const n = t.prefixes.length;
  for (let i = 0; i < count; i++) {
    const k = rng.below(n);
    a[i] = (t.prefixes[k]! + rng.below(2 ** (32 - t.lengths[k]!))) >>> 0;
  }
  return a;
}

/** Throw unless `answer` agrees with the Fib on the first SAMPLE addresses. */
function checkPeer(name: string, fib: Fib, addrs: Uint32Array, answer: (i: number) => number) {
  const count = Math.min(SAMPLE, addrs.length);
  for (let i = 0; i < count; i++) {
    const want = fib.lookup(addrs[i]!);
    const got = answer(i);
    if (got !== want) {
      throw new Error(`${name} disagrees at ${formatIp4(addrs[i]!)}: ${got}, Fib says ${want}`);
    }
  }
}

/** Our lookup cases over a rotating address pool. */
function ourLookupCases(
  loaded: () => LoadedTable,
  naive: () => NaivePrefixMap,
  addrs: () => Uint32Array,
): BenchCase[] {
  const out = new Int32Array(BATCH);
  let at = 0;
  const next = () => {
    const a = addrs();
    const s = a.subarray(at, at + BATCH);
    at = (at + BATCH) % a.length;
    return s;
  };
  return [
    {
      name: "packetlab fib lookupBatch",
      peer: false,
      ops: BATCH,
      fn: () => {
        loaded().fib.lookupBatch(next(), out);
        return out[0];
      },
    },
    {
      name: "packetlab fib lookup",
      peer: false,
      ops: BATCH,
      fn: () => {
        const fib = loaded().fib, a = next();
        let s = 0;
        for (let i = 0; i < a.length; i++) s += fib.lookup(a[i]!);
        return s;
      },
    },
    {
      name: "packetlab naive lookup",
      peer: false,
      ops: NAIVE_BATCH,
      fn: () => {
        const m = naive(), a = next();
        let s = 0;
        for (let i = 0; i < NAIVE_BATCH; i++) s += m.lookup(a[i]!);
        return s;
      },
    },
  ];
}

/** The peers loaded with one table, built once and shared by that table's suites. */
interface Peers {
  lpm: () => LongestPrefixMatch;
  mmdb: () => NumberReader;
}

function peersFor(loaded: () => LoadedTable): Peers {
  return {
    lpm: lazy(() => buildLpm(loaded().table)),
    mmdb: lazy(() => openMmdb(buildMmdb(loaded().table))),
  };
}

/** Peer lookup cases: each checked against the Fib, then timed on a text pool. */
function peerLookupCases(
  loaded: () => LoadedTable,
  peers: Peers,
  addrs: () => Uint32Array,
): BenchCase[] {
  const texts = lazy(() => Array.from(addrs().subarray(0, TEXT_POOL), formatIp4));
  const lpm = lazy(() => {
    const m = peers.lpm();
    const t = texts();
    checkPeer(
      "longest-prefix-match",
      loaded().fib,
      addrs(),
      (i) => lpmLookup(m, `${t[i % t.length]}/32`),
    );
    return { m, slashed: t.map((s) => `${s}/32`) };
  });
  const mmdb = lazy(() => {
    const r = peers.mmdb();
    const t = texts();
    checkPeer("mmdb-lib", loaded().fib, addrs(), (i) => r.get(t[i % t.length]!) ?? -1);
    return r;
  });
  const PEER_BATCH = 256;
  let at = 0;
  const step = () => {
    const s = at;
    at = (at + PEER_BATCH) % TEXT_POOL;
    return s;
  };
  return [
    {
      name: "longest-prefix-match",
      peer: true,
      ops: PEER_BATCH,
      fn: () => {
        const { m, slashed } = lpm();
        const s0 = step();
        let s = 0;
        for (let i = s0; i < s0 + PEER_BATCH; i++) s += lpmLookup(m, slashed[i]!);
        return s;
      },
    },
    {
      name: "mmdb-lib",
      peer: true,
      ops: PEER_BATCH,
      fn: () => {
        const r = mmdb(), t = texts();
        const s0 = step();
        let s = 0;
        for (let i = s0; i < s0 + PEER_BATCH; i++) s += r.get(t[i]!) ?? -1;
        return s;
      },
    },
  ];
}

function lookupSuite(
  suite: string,
  about: string,
  loaded: () => LoadedTable,
  naive: () => NaivePrefixMap,
  peers: Peers,
  addrs: () => Uint32Array,
): BenchSuite {
  return {
    suite,
    about,
    get cases() {
      // Check the batch path against single lookups once before timing.
      const fib = loaded().fib, a = addrs().subarray(0, SAMPLE), out = new Int32Array(a.length);
      fib.lookupBatch(a, out);
      for (let i = 0; i < a.length; i++) {
        if (out[i] !== fib.lookup(a[i]!)) throw new Error("lookupBatch disagrees with lookup");
        if (out[i] !== naive().lookup(a[i]!)) throw new Error("Fib disagrees with the naive map");
      }
      return [...ourLookupCases(loaded, naive, addrs), ...peerLookupCases(loaded, peers, addrs)];
    },
  };
}

/** The benchmark suites of this module (tables are built on first use). */
export function suites(): BenchSuite[] {
  const t900 = lazy(bgpTable900k);
  const t100 = lazy(bgpTable100k);
  const loaded900 = lazy((): LoadedTable => ({ table: t900(), fib: buildFib(t900()) }));
  const loaded100 = lazy((): LoadedTable => ({ table: t100(), fib: buildFib(t100()) }));
  const naive900 = lazy(() => buildNaive(t900()));
  const naive100 = lazy(() => buildNaive(t100()));
  const uniform = lazy(() => uniformAddrs(POOL, 0x5eed1));
  const hit900 = lazy(() => hitAddrs(t900(), POOL, 0x5eed2));
  const peers900 = peersFor(loaded900);
  const peers100 = peersFor(loaded100);

  const build: BenchSuite = {
    suite: "lpm-900k-build",
    about: "build a 900k-prefix BGP-shaped table from scratch, prefixes inserted per second",
    get cases(): BenchCase[] {
      const t = t900();
      const n = t.prefixes.length;
      const entries = lazy(() =>
        Array.from(
          { length: n },
          (_, i): [number, number, number] => [t.prefixes[i]!, t.lengths[i]!, t.nextHops[i]!],
        )
      );
      return [
        { name: "packetlab fib insert", peer: false, ops: n, fn: () => buildFib(t).size },
        {
          name: "packetlab Fib.from (bulk)",
          peer: false,
          ops: n,
          fn: () => Fib.from(entries()).size,
        },
        { name: "packetlab naive insert", peer: false, ops: n, fn: () => buildNaive(t).size },
        { name: "longest-prefix-match", peer: true, ops: n, fn: () => buildLpm(t).length },
      ];
    },
  };

  const update: BenchSuite = {
    suite: "lpm-update-24plus",
    about: "on the loaded 900k table: insert then delete a new /24../32 (ops = inserts + deletes)",
    get cases(): BenchCase[] {
      const fib = loaded900().fib;
      const naive = naive900();
      const t = t900();
      // Pairs of prefixes not in the table, next to existing routes (where updates happen).
      const rng = new Rng(0x5eed3);
      const count = 1 << 16;
      const ps = new Uint32Array(count), ls = new Uint8Array(count);
      for (let i = 0; i < count;) {
        const k = rng.below(t.prefixes.length);
        const len = 24 + rng.below(9);
        const p = (t.prefixes[k]! + (rng.u32() & 0xff) * (len === 24 ? 0 : 1)) >>> 0;
        if (fib.get(p, len) !== -1) continue;
        ps[i] = p;
        ls[i] = len;
        i++;
      }
      const PAIRS = 512;
      let at = 0;
      const cycle = (m: Fib | NaivePrefixMap) => {
        const s0 = at;
        at = (at + PAIRS) % count;
        for (let i = s0; i < s0 + PAIRS; i++) {
          m.insert(ps[i]!, ls[i]!, 7);
          m.delete(ps[i]!, ls[i]!);
        }
        return m.size;
      };
      return [
        { name: "packetlab fib insert+delete", peer: false, ops: 2 * PAIRS, fn: () => cycle(fib) },
        {
          name: "packetlab naive insert+delete",
          peer: false,
          ops: 2 * PAIRS,
          fn: () => cycle(naive),
        },
      ];
    },
  };

  return [
    lookupSuite(
      "lpm-900k-uniform",
      "lookups of uniformly random IPv4 addresses in a 900k-prefix BGP-shaped table",
      loaded900,
      naive900,
      peers900,
      uniform,
    ),
    lookupSuite(
      "lpm-900k-hit",
      "lookups of addresses inside stored prefixes of the 900k table (every answer is a route)",
      loaded900,
      naive900,
      peers900,
      hit900,
    ),
    lookupSuite(
      "lpm-100k-uniform",
      "lookups of uniformly random IPv4 addresses in a 100k-prefix BGP-shaped table",
      loaded100,
      naive100,
      peers100,
      uniform,
    ),
    build,
    update,
  ];
}

/** Collect garbage until heap plus external memory stops shrinking (needs --expose-gc). */
async function settledBytes(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  let last = Infinity;
  for (let i = 0; i < 8; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10)); // let array buffers be released
    const m = Deno.memoryUsage();
    const now = m.heapUsed + m.external;
    if (now >= last - 64 * 1024) return now;
    last = now;
  }
  return last;
}

/** Bytes that heap plus external memory grow by while `make` builds something. */
async function measureBytes<T>(make: () => T): Promise<{ bytes: number; keep: T }> {
  const before = await settledBytes();
  const keep = make();
  return { bytes: (await settledBytes()) - before, keep };
}

/** Standalone: `--memory` prints bytes per prefix of each structure on both tables. */
async function memoryReport(): Promise<void> {
  // Many small tables (as in a scenario with many routers): bytes per table.
  const TABLES = 200;
  const small = await measureBytes(() =>
    Array.from({ length: TABLES }, () => {
      const f = new Fib();
      f.insert(0, 0, 1);
      f.insert(0x0a000000, 24, 2);
      f.insert(0x0a000100, 24, 3);
      return f;
    })
  );
  console.log(
    `3-route Fib: ${(small.bytes / TABLES).toFixed(0)} bytes per table ` +
      `(typed arrays ${small.keep[0]!.stats().typedArrayBytes})`,
  );
  for (const [name, make] of [["900k", bgpTable900k], ["100k", bgpTable100k]] as const) {
    const t = make();
    const n = t.prefixes.length;
    const rows: [string, number, string][] = [];
    let note = "";
    const builders: [string, () => unknown][] = [
      ["packetlab fib", () => {
        const f = buildFib(t);
        const st = f.stats();
        note = `S=${st.directBits}, ${st.nodes} nodes, data plane ` +
          `${(st.dataPlaneBytes / 2 ** 20).toFixed(2)} MiB (${
            (st.dataPlaneBytes / n).toFixed(1)
          } B/prefix)`;
        return f;
      }],
      ["packetlab naive", () => buildNaive(t)],
      ["longest-prefix-match", () => buildLpm(t)],
      ["mmdb-lib (in-memory MMDB)", () => openMmdb(buildMmdb(t))],
    ];
    for (const [label, build] of builders) {
      note = "";
      const m = await measureBytes(build);
      rows.push([label, m.bytes, note]);
    }
    console.log(`${name} table (${n} prefixes):`);
    for (const [label, bytes, note] of rows) {
      const mib = (bytes / 2 ** 20).toFixed(1).padStart(7);
      const per = (bytes / n).toFixed(1).padStart(6);
      console.log(`  ${label.padEnd(28)} ${mib} MiB  ${per} B/prefix  ${note}`);
    }
  }
}

if (import.meta.main) {
  if (Deno.args.includes("--memory")) await memoryReport();
  else console.log("usage: deno run -A --v8-flags=--expose-gc bench/suites/lpm.ts --memory");
}
