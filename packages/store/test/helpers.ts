/** Shared by the store tests: observations from text, answers as comparable lines, temp dirs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DnstableQuery, DnstableReader } from "@dnsrep/dnstable";
import { nameFromString } from "@dnsrep/wdns";
import type { RRsetObservation } from "../src/index.js";

export function tempDir(tag: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `store-${tag}-`));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An A RRset observation: `a("www.example.com", "192.0.2.1", …)`. */
export function a(
  name: string,
  addrs: string | string[],
  count = 1,
  first = 1_700_000_000,
  last = first + 100,
  bailiwick = "example.com",
): RRsetObservation {
  const list = Array.isArray(addrs) ? addrs : [addrs];
  return {
    rrname: nameFromString(`${name}.`),
    rrtype: 1,
    bailiwick: nameFromString(`${bailiwick}.`),
    rdata: list.map((x) => Uint8Array.from(x.split(".").map(Number))),
    timeFirst: first,
    timeLast: last,
    count,
  };
}

/** A query's answers as lines: key hex, count, first, last. */
export function answers(r: DnstableReader, q: DnstableQuery): string[] {
  return [...r.query(q)].map((x) => `${Buffer.from(x.key).toString("hex")} ${x.count} ${x.timeFirst} ${x.timeLast}`);
}

/** The total count of the RRSET answers to a query. */
export function countOf(r: DnstableReader, q: DnstableQuery): number {
  let n = 0;
  for (const x of r.query(q)) n += x.count;
  return n;
}
