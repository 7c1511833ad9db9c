import { rrtypeToString } from "@dnsrep/wdns";
import { makeAssociation } from "./association.js";
import { isObject, type JsonObject, parseTimeValue } from "./json-line.js";
import { JsonLineParser } from "./line-parser.js";
import type { Association } from "./observation.js";

/**
 * Passive DNS exports in DNSDB's JSON: one RRset (or one rdata) per line with `rrname`, `rrtype`,
 * `rdata` (a string, or an array: one association per element, each keeping the line's count),
 * `count`, and `time_first`/`time_last` (sensor times) or `zone_time_first`/`zone_time_last`
 * (zone file times), as epoch seconds or RFC 3339 text. Read as dnsdbq `-j` and dnstable-lookup
 * `-j` print them, as DNSDB API v2's SAF stream (`{"cond":"begin"}`, `{"obj":{…}}`,
 * `{"cond":"succeeded"}`: conditions are skipped, "failed" is counted), and as CIRCL's Passive
 * DNS Common Output Format (the same member names; see cof.ts). Counts and first/last times are
 * kept in the associations (`count`, `time`, `timeLast`).
 */
export class PassiveExportParser extends JsonLineParser {
  protected parseObject(line: JsonObject): Association[] {
    let o = line;
    if (o.cond !== undefined || o.obj !== undefined) {
      if (o.cond === "failed") this.reject("query failed");
      if (!isObject(o.obj)) return [];
      o = o.obj;
    }
    const rrname = o.rrname;
    const rrtype =
      typeof o.rrtype === "number"
        ? Number.isInteger(o.rrtype) && o.rrtype >= 0 && o.rrtype <= 0xffff
          ? rrtypeToString(o.rrtype)
          : undefined
        : o.rrtype;
    if (typeof rrname !== "string" || typeof rrtype !== "string") {
      this.reject("not an RRset");
      return [];
    }
    const rdatas = typeof o.rdata === "string" ? [o.rdata] : o.rdata;
    if (!Array.isArray(rdatas) || rdatas.length === 0) {
      this.reject("bad rdata");
      return [];
    }
    const count = o.count === undefined ? 1 : o.count;
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 1) {
      this.reject("bad count");
      return [];
    }
    const sensor = o.time_first !== undefined || o.time_last !== undefined;
    const first = timeOf(sensor ? o.time_first : o.zone_time_first);
    const last = timeOf(sensor ? o.time_last : o.zone_time_last);
    if (first === undefined || last === undefined) {
      this.reject("bad time");
      return [];
    }
    const out: Association[] = [];
    for (const r of rdatas) {
      if (typeof r !== "string") {
        this.reject("bad rdata");
        continue;
      }
      const a = makeAssociation(rrname, rrtype, r, first ?? last, { count, timeLast: last ?? first });
      if (typeof a === "string") this.reject(a);
      else out.push(a);
    }
    return out;
  }
}

/** A time member: null when absent, undefined when present but unreadable. */
function timeOf(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return null;
  const t = parseTimeValue(v);
  return t === null ? undefined : t;
}
