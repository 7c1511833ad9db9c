/**
 * A window's observations as NDJSON batches (contract §2 lines), each with an Idempotency-Key
 * derived from what it holds: the shipper's name, the byte ranges of the files the window read
 * (device:inode:first-bytes-hash:start-end) and the batch's own body. The key is written into the
 * spool with the batch, so a batch re-sent after a crash or an outage carries the same key and the
 * server counts it once.
 */
import { createHash } from "node:crypto";
import type { Observation } from "@dnsrep/logs";

export interface FileRange {
  key: string;
  head: string;
  start: number;
  end: number;
}

export interface Batch {
  key: string;
  lines: number;
  body: Buffer;
}

export interface BatchLimits {
  /** Observations per batch (default 5000). */
  maxLines: number;
  /** Body bytes per batch (default 4 MiB; the server's default limit is 16 MiB). */
  maxBytes: number;
}

/** One observation as an ingest line; a time the log did not carry is the window's span. */
export function observationLine(o: Observation, windowStart: number, windowEnd: number): string {
  return JSON.stringify({
    rrname: o.rrname,
    rrtype: o.rrtype,
    rdata: o.rdata,
    time_first: o.time_first ?? windowStart,
    time_last: o.time_last ?? windowEnd,
    count: o.count,
    source: o.source,
  });
}

export function makeBatches(lines: readonly string[], ranges: readonly FileRange[], name: string, limits: BatchLimits): Batch[] {
  const parts: { lines: number; text: string[] }[] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const l of lines) {
    const n = Buffer.byteLength(l) + 1;
    if (cur.length > 0 && (cur.length >= limits.maxLines || bytes + n > limits.maxBytes)) {
      parts.push({ lines: cur.length, text: cur });
      cur = [];
      bytes = 0;
    }
    cur.push(l);
    bytes += n;
  }
  if (cur.length) parts.push({ lines: cur.length, text: cur });
  const where = ranges
    .map((r) => `${r.key}:${r.head}:${r.start}-${r.end}`)
    .sort()
    .join(",");
  return parts.map((p, i) => {
    const body = Buffer.from(`${p.text.join("\n")}\n`);
    const key = createHash("sha256").update(`dnsrep-shipper\0${name}\0${where}\0${i}/${parts.length}\0`).update(body).digest("base64url");
    return { key: `dnsrep-shipper:${key}`, lines: p.lines, body };
  });
}
