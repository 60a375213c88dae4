/**
 * Interoperability check against dig (BIND 9): a one-shot UDP responder on
 * the loopback address answers dig's query with a response encoded by this
 * codec (compression, EDNS, every typed rdata); dig must parse it without
 * complaint and print exactly what {@link formatDnsMessage} prints. Skipped
 * where dig is not installed or the test runs without network permission.
 *
 * @module
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { ip } from "../../wire/addr.ts";
import { formatDnsMessage } from "./format.ts";
import { decodeDns, type DnsMessage, type DnsRdata, type DnsRecord, encodeDns } from "./message.ts";
import { parseIp6 } from "./name.ts";

function hasDig(): boolean {
  try {
    return new Deno.Command("dig", { args: ["-v"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

const netAllowed =
  Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state === "granted";

const rr = (name: string, ttl: number, data: DnsRdata): DnsRecord => ({
  name,
  class: 1,
  ttl,
  data,
});

function answer(q: DnsMessage): DnsMessage {
  return {
    ...q,
    qr: true,
    aa: true,
    ra: true,
    ad: false,
    edns: q.edns === undefined ? undefined : { ...q.edns, options: [] },
    answers: [
      rr("www.example.com.", 300, { type: "CNAME", target: "edge.example.com." }),
      rr("edge.example.com.", 60, { type: "A", address: ip("93.184.216.34") }),
      rr("edge.example.com.", 60, { type: "AAAA", address: parseIp6("2001:db8::ffff:1")! }),
      rr("example.com.", 300, {
        type: "TXT",
        strings: ["v=spf1 -all", 'q"uo\\te', "\u0001\u00e9 x"],
      }),
      rr("example.com.", 300, { type: "MX", preference: 10, exchange: "mail.example.com." }),
      rr("a-rather-long-owner-name.example.com.", 300, { type: "A", address: ip("192.0.2.1") }),
      rr("34.216.184.93.in-addr.arpa.", 3600, { type: "PTR", target: "www.example.com." }),
      rr("abcdefghij.klmnopqrstu.", 1, { type: "A", address: ip("1.2.3.4") }),
      rr("abcdefghij.klmnopqrstuv.", 1, { type: "A", address: ip("1.2.3.4") }),
      rr("x.", 1, { type: 65280, data: new Uint8Array([1, 2]) }),
      rr("we\\.ird\\032name.", 1, { type: "A", address: ip("1.2.3.4") }),
    ],
    authorities: [rr("example.com.", 3600, {
      type: "SOA",
      mname: "ns1.example.com.",
      rname: "hostmaster.example.com.",
      serial: 2024010101,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
    })],
    additionals: [rr("ns1.example.com.", 86400, { type: "A", address: ip("192.0.2.53") })],
  };
}

Deno.test({
  name: "dns dig: dig parses our response and prints what formatDnsMessage prints",
  ignore: !hasDig() || !netAllowed,
  async fn() {
    const sock = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
    const port = sock.address().port;
    const sent = new Promise<DnsMessage>((resolve, reject) => {
      sock.once("message", (msg, from) => {
        try {
          const resp = answer(decodeDns(new Uint8Array(msg)));
          sock.send(encodeDns(resp), from.port, from.address, () => resolve(resp));
        } catch (e) {
          reject(e);
        }
      });
    });
    const out = await new Deno.Command("dig", {
      args: [
        "@127.0.0.1",
        "-p",
        String(port),
        "+tries=1",
        "+time=3",
        "+nocookie",
        "www.example.com",
        "A",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    sock.close();
    const text = new TextDecoder().decode(out.stdout);
    assert.ok(out.success, text);
    const resp = await sent;
    assert.ok(!/warning|malformed|communications error/i.test(text), text);
    const start = text.indexOf(";; ->>HEADER<<-");
    const end = text.indexOf(";; Query time");
    assert.ok(start >= 0 && end > start, text);
    assert.equal(text.slice(start, end), formatDnsMessage(resp));
  },
});
