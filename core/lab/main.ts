/**
 * `deno task lab <file> [--seed N] [--pcap DIR] [--trace] [--digest] [--echo]`
 *
 * Runs a scenario file (each of its scenarios once, printing what its shell
 * commands printed) or a shell script of supported commands on one simulated
 * machine, exactly as the script would run as root on Linux: it prints what
 * each command prints (stdout and stderr, in order) and nothing else, and keeps
 * going after a failing command. `--echo` prints each command as `$ <line>`
 * first; `--trace` adds the event trace; `--pcap DIR` writes one pcap per
 * interface; `--digest` ends with `trace digest: <hex>`.
 *
 * This is the process boundary: the only module under core/ that reads files,
 * writes files and prints.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { labHooks } from "../sim/hooks.ts";
import type { TracePoint } from "../sim/trace.ts";
import { Network } from "./network.ts";
import { parseCommands, runOne, setSink } from "../shell/mod.ts";
import { Interface } from "../net/interface.ts";
import type { Namespace } from "../net/namespace.ts";
import { PcapWriter } from "../wire/pcap.ts";
import { encodeFrame } from "../wire/frame.ts";
import type { Packet } from "../wire/packet.ts";

const HELP = `usage: deno task lab <scenario_test.ts | script.sh> [options]

  --seed N      seed for every network (default: the file's own)
  --pcap DIR    write one pcap per interface into DIR
  --trace       print the event trace after the run
  --digest      end with "trace digest: <hex>"
  --echo        print each script command as "$ <line>" before its output
  --help        this text
`;

function capture(net: Network, writers: Map<string, PcapWriter>): void {
  net.sim.trace.taps.push((_kind: "tx" | "rx", at: TracePoint, p: Packet) => {
    let ns = "";
    if (at instanceof Interface && at.kind !== "switchport") ns = (at.owner as Namespace).name;
    const key = [at.node, ns, at.iface].filter((x) => x !== "").join("-");
    let w = writers.get(key);
    if (!w) {
      w = new PcapWriter();
      writers.set(key, w);
    }
    w.write(net.sim.now, encodeFrame(p));
  });
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        seed: { type: "string" },
        pcap: { type: "string" },
        trace: { type: "boolean" },
        digest: { type: "boolean" },
        echo: { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (e) {
    console.error(`lab: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const o = parsed.values;
  const file = parsed.positionals[0];
  if (o.help || file === undefined) {
    (o.help ? console.log : console.error)(HELP);
    return o.help ? 0 : 2;
  }
  if (o.seed !== undefined) {
    if (!/^\d+$/.test(o.seed)) {
      console.error(`lab: --seed takes an integer, not "${o.seed}"`);
      return 2;
    }
    labHooks.seed = Number(o.seed);
  }
  const networks: Network[] = [];
  const writers = new Map<string, PcapWriter>();
  labHooks.onNetwork = (n) => {
    const net = n as Network;
    networks.push(net);
    if (o.pcap) capture(net, writers);
  };
  const enc = new TextEncoder();
  const write = (fd: 1 | 2, t: string) =>
    (fd === 1 ? Deno.stdout : Deno.stderr).writeSync(enc.encode(t));
  let status = 0;

  if (file.endsWith(".ts")) {
    labHooks.collect = [];
    labHooks.onShell = (node, text, out) => {
      if (o.echo) {
        for (const line of text.split("\n").filter((l) => l.trim())) {
          write(1, `${node}$ ${line.trim()}\n`);
        }
      }
      write(1, out);
    };
    const url = new URL(file, `file://${Deno.cwd()}/`).href;
    await import(url);
    for (const s of labHooks.collect) {
      write(1, `== ${s.name}\n`);
      try {
        s.run();
      } catch (e) {
        write(2, `FAILED: ${(e as Error).message}\n`);
        status = 1;
      }
    }
  } else {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      console.error(`lab: ${file}: ${(e as Error).message}`);
      return 2;
    }
    const net = new Network({ seed: 1 });
    const node = net.node("lab");
    setSink(node, write);
    let cmds;
    try {
      cmds = parseCommands(text);
    } catch (e) {
      console.error(`${file}: ${(e as Error).message}`);
      return 2;
    }
    let last = 0;
    for (const c of cmds) {
      if (c.after === "&&" && last !== 0) continue;
      if (c.after === "||" && last === 0) continue;
      if (o.echo) write(1, `$ ${c.text}\n`);
      last = runOne(node, c);
    }
    status = last;
  }
  for (const net of networks) {
    if (o.trace) write(1, net.trace.format() + "\n");
    if (o.digest) write(1, `trace digest: ${net.trace.digest()}\n`);
  }
  if (o.pcap) {
    await Deno.mkdir(o.pcap, { recursive: true });
    for (const [key, w] of writers) await Deno.writeFile(`${o.pcap}/${key}.pcap`, w.bytes());
  }
  return status;
}

Deno.exit(await main());
