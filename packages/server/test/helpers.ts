import { join } from "node:path";
import { createServer, type DnstableServer, type ServerOptions } from "../src/index.js";

export const VECTORS = join(import.meta.dirname, "../../../test/vectors");
export const DNS = join(VECTORS, "dnstable/dns.mtbl");
export const DNSSEC = join(VECTORS, "dnstable/dns.dnssec.mtbl");
export const PARTS = join(VECTORS, "dnstable/parts.set");

/** A server over the vector files without auth (no polling, no listener): inject() it. */
export function testServer(extra: Partial<ServerOptions> = {}): Promise<DnstableServer> {
  return createServer({ data: [DNS, DNSSEC], auth: { noAuth: true }, pollMs: 0, ...extra });
}

/** The parsed lines of an NDJSON body (every line must be JSON; the body must end with a newline). */
export function ndjson(body: string): unknown[] {
  if (body.length > 0 && !body.endsWith("\n")) throw new Error(`body does not end with a newline: ${JSON.stringify(body.slice(-50))}`);
  return body
    .split("\n")
    .slice(0, -1)
    .map((l) => JSON.parse(l) as unknown);
}

/** POST observations (objects, one NDJSON line each) to /api/v1/ingest with an ingest key. */
export function ingestLines(server: DnstableServer, key: string, lines: readonly object[]) {
  return server.app.inject({
    method: "POST",
    url: "/api/v1/ingest",
    headers: { "content-type": "application/x-ndjson", "x-api-key": key },
    payload: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
}
