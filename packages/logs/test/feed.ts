import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Association, LogParser } from "../src/index.js";

/** Text of a fixture under test/fixtures/. */
export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
}

/** Feed text to a parser line by line (as the shipper does), then end(); every association in order. */
export function feed(p: LogParser, text: string): Association[] {
  const out: Association[] = [];
  for (const l of text.split("\n")) out.push(...p.line(l));
  out.push(...p.end());
  return out;
}

/** `rrname rrtype rdata` of each association, for compact expectations. */
export function triples(as: readonly Association[]): string[] {
  return as.map((a) => `${a.rrname} ${a.rrtype} ${a.rdata}`);
}

/** The rejection counts as a plain object. */
export function rejections(p: LogParser): Record<string, number> {
  return Object.fromEntries(p.rejected);
}
