/**
 * A small stand-in for dnstable-server's ingest endpoint (contract §2) for the shipper's tests:
 * POST /api/v1/ingest with X-API-Key, NDJSON (gzip allowed), whole-batch validation (400 naming
 * the line), Idempotency-Key dedupe kept in a state file (so it survives a restart), scripted
 * failures (503 + Retry-After, 400/401/413), and close() to make it go away mid-run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { gunzipSync } from "node:zlib";

export interface Totals {
  count: number;
  first: number;
  last: number;
}

interface State {
  keys: string[];
  totals: Record<string, Totals>;
  batches: number;
}

export interface MockOptions {
  key?: string;
  /** Where the dedupe keys and totals are kept across restarts. */
  statePath?: string;
  port?: number;
}

export class MockIngest {
  readonly key: string;
  port = 0;
  readonly #statePath: string | undefined;
  #state: State;
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  /** Scripted answers for the next requests (status, Retry-After). */
  script: { status: number; retryAfter?: string; body?: string; delayMs?: number }[] = [];
  requests = 0;
  duplicates = 0;
  /** Idempotency-Keys in arrival order (accepted ones). */
  order: string[] = [];

  constructor(o: MockOptions = {}) {
    this.key = o.key ?? "ingest-key-1";
    this.#statePath = o.statePath;
    this.#state = { keys: [], totals: {}, batches: 0 };
    if (o.statePath) {
      try {
        this.#state = JSON.parse(readFileSync(o.statePath, "utf8")) as State;
      } catch {}
    }
    if (o.port) this.port = o.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get totals(): Record<string, Totals> {
    return this.#state.totals;
  }
  get batches(): number {
    return this.#state.batches;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
    server.on("connection", (s) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
    return this;
  }

  /** Go away at once: the listening socket and every connection closed. */
  async close(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    for (const c of this.#sockets) c.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.requests++;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== "/api/v1/ingest") return send(404, { error: "not found" });
    const s = this.script.shift();
    if (s?.delayMs) await new Promise((r) => setTimeout(r, s.delayMs));
    if (s) return send(s.status, s.body ?? { error: `scripted ${s.status}` }, s.retryAfter ? { "retry-after": s.retryAfter } : {});
    if (req.headers["x-api-key"] === undefined) return send(401, { error: "no API key" });
    if (req.headers["x-api-key"] !== this.key) return send(403, { error: "not an ingest key" });
    let body = Buffer.concat(chunks);
    if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
    const lines = body
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== "");
    const parsed: { rrname: string; rrtype: string; rdata: string; time_first: number; time_last: number; count: number }[] = [];
    for (let i = 0; i < lines.length; i++) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(lines[i] as string) as Record<string, unknown>;
      } catch {
        return send(400, { error: `line ${i + 1}: not JSON` });
      }
      for (const k of ["rrname", "rrtype", "rdata"])
        if (typeof o[k] !== "string") return send(400, { error: `line ${i + 1}: ${k}: missing` });
      for (const k of ["time_first", "time_last", "count"])
        if (typeof o[k] !== "number") return send(400, { error: `line ${i + 1}: ${k}: not a number` });
      if (o.rrtype === "A" && !/^\d+\.\d+\.\d+\.\d+$/.test(o.rdata as string))
        return send(400, { error: `line ${i + 1}: rdata: not an IPv4 address` });
      parsed.push(o as never);
    }
    const key = req.headers["idempotency-key"];
    if (typeof key === "string" && this.#state.keys.includes(key)) {
      this.duplicates++;
      return send(200, { accepted: parsed.length, duplicate: true });
    }
    for (const o of parsed) {
      const k = `${o.rrname}|${o.rrtype}|${o.rdata}`;
      const t = this.#state.totals[k];
      if (t) {
        t.count += o.count;
        t.first = Math.min(t.first, o.time_first);
        t.last = Math.max(t.last, o.time_last);
      } else this.#state.totals[k] = { count: o.count, first: o.time_first, last: o.time_last };
    }
    if (typeof key === "string") {
      this.#state.keys.push(key);
      this.order.push(key);
    }
    this.#state.batches++;
    // durable before the answer, as the real endpoint
    if (this.#statePath) writeFileSync(this.#statePath, JSON.stringify(this.#state));
    send(200, { accepted: parsed.length });
  }
}
