/**
 * A minimal LogParser for the shipper's own tests (the real parsers live in @dnsrep/logs and are
 * tested there): `EPOCH NAME TYPE VALUE` per line; anything else is rejected as "unmatched".
 */
import type { Association, LogParser } from "@dnsrep/logs";

export function lineParser(): LogParser {
  const rejected = new Map<string, number>();
  let lines = 0;
  return {
    format: "test",
    rejected,
    get lines() {
      return lines;
    },
    line(text: string): Association[] {
      lines++;
      const m = /^(\d+) ([a-z0-9.-]+) (A|AAAA|CNAME) (\S+)$/.exec(text);
      if (!m) {
        rejected.set("unmatched", (rejected.get("unmatched") ?? 0) + 1);
        return [];
      }
      return [{ rrname: m[2] as string, rrtype: m[3] as string, rdata: m[4] as string, time: Number(m[1]) }];
    },
    end: () => [],
  };
}

/** What a single pass over `text` gives: key → count/first/last, as the mock server keeps it. */
export function singlePass(text: string): Record<string, { count: number; first: number; last: number }> {
  const out: Record<string, { count: number; first: number; last: number }> = {};
  const p = lineParser();
  for (const l of text.split("\n")) {
    if (l === "") continue;
    for (const a of p.line(l)) {
      const k = `${a.rrname}|${a.rrtype}|${a.rdata}`;
      const t = a.time as number;
      const o = out[k];
      if (o) {
        o.count++;
        o.first = Math.min(o.first, t);
        o.last = Math.max(o.last, t);
      } else out[k] = { count: 1, first: t, last: t };
    }
  }
  return out;
}
