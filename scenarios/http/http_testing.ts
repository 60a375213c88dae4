/**
 * Shared set-ups for the HTTP scenarios: a web server on b (10.0.0.2, port
 * 80) with a few routes, and a raw TCP client that writes exactly the bytes
 * a scenario gives (what `nc` or `printf … | nc` sends) and collects what
 * comes back, to feed a server malformed requests.
 *
 *   a 10.0.0.1 ──── 10.0.0.2 b (HttpServer :80)
 */
import assert from "node:assert/strict";
import type { Node } from "../../core/node/node.ts";
import { HttpServer } from "../../core/app/http/server.ts";
import { type HttpField, text, utf8 } from "../../core/app/http/message.ts";
import { ip } from "../../core/wire/addr.ts";
import type { TcpError, TcpSocket } from "../../core/transport/tcp/socket.ts";
import { pattern } from "../transport/tcp_testing.ts";

export { pattern };

/** Content-Type text/plain. */
export const TEXT: HttpField[] = [{ name: "Content-Type", value: "text/plain" }];

/** A server on `node` port 80: `/` says hello, `/file` sends `fileSize` patterned bytes. */
export function webServer(node: Node, o: { fileSize?: number; keepAliveTimeout?: number } = {}) {
  const web = new HttpServer(node.root, { keepAliveTimeout: o.keepAliveTimeout });
  const file = pattern(o.fileSize ?? 100_000, 3);
  web.route("/", () => ({ headers: TEXT, body: "hello\n" }));
  web.route("/two", () => ({ headers: TEXT, body: "second\n" }));
  web.route(
    "/file",
    () => ({ headers: [{ name: "Content-Type", value: "application/octet-stream" }], body: file }),
  );
  web.route("/chunked", () => ({ headers: TEXT, body: file, chunked: 1000 }));
  assert.equal(web.start(), undefined);
  return { web, file };
}

/** What a raw client saw. */
export interface RawClient {
  socket: TcpSocket;
  /** Every byte received, as text. */
  received(): string;
  /** When the server's FIN arrived (ns), or -1. */
  finAt(): number;
  /** The socket error, if any. */
  error(): TcpError | undefined;
}

/** Connect from `node` to `dst`:`port` and write `bytes` once connected (then keep reading). */
export function rawClient(
  node: Node,
  dst: string,
  port: number,
  bytes: string | Uint8Array,
): RawClient {
  const s = node.root.tcp.socket();
  const chunks: Uint8Array[] = [];
  let fin = -1;
  let err: TcpError | undefined;
  s.onConnect = () => s.send(typeof bytes === "string" ? utf8(bytes) : bytes);
  s.onData = (d) => chunks.push(typeof d === "number" ? new Uint8Array(d) : d);
  s.onEnd = () => {
    fin = node.root.dev.sim.now;
    s.close();
  };
  s.onError = (e) => err = e;
  assert.equal(node.root.tcp.connect(s, ip(dst), port), undefined);
  return {
    socket: s,
    received: () => chunks.map((c) => text(c)).join(""),
    finAt: () => fin,
    error: () => err,
  };
}
