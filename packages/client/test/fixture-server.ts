/**
 * A tiny hand-written HTTP server (node:http, 127.0.0.1) whose answers each test writes: recorded
 * DNSDB API v2 / COF responses, error statuses, slow and broken streams. It notes every request
 * and whether the client hung up before the response ended.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Fixture {
  url: string;
  /** the requests seen: method, URL and headers */
  requests: { url: string; headers: IncomingMessage["headers"] }[];
  /** responses whose client left before they ended */
  hangups: number;
  /** set the handler for the next requests */
  handle(h: Handler): void;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  let handler: Handler = (_req, res) => {
    res.writeHead(500).end("no handler\n");
  };
  const sockets = new Set<Socket>();
  const fx: Fixture = {
    url: "",
    requests: [],
    hangups: 0,
    handle(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    fx.requests.push({ url: req.url ?? "", headers: req.headers });
    res.once("close", () => {
      if (!res.writableFinished) fx.hangups++;
    });
    handler(req, res);
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fx;
}

/** SAF lines for records, with a terminator line (null: none). */
export function saf(objs: unknown[], end: string | null = '{"cond":"succeeded"}'): string {
  return ['{"cond":"begin"}', ...objs.map((o) => JSON.stringify({ obj: o })), ...(end === null ? [] : [end])].map((l) => `${l}\n`).join("");
}

export const REC = (i: number) => ({
  count: i + 1,
  time_first: 1_700_000_000 + i,
  time_last: 1_700_000_100 + i,
  rrname: `h${i}.example.test.`,
  rrtype: "A",
  bailiwick: "example.test.",
  rdata: [`192.0.2.${i % 256}`],
});

export async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
