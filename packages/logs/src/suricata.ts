import { chainAnswers, makeAssociation, type OwnerlessAnswer } from "./association.js";
import { isObject, type JsonObject, num, parseTimeValue, str } from "./json-line.js";
import { JsonLineParser } from "./line-parser.js";
import { quoteTxt } from "./normalize.js";
import type { Association } from "./observation.js";

/**
 * Suricata eve.json `dns` events (other event types are skipped, counted as "not a dns event").
 * Answers are read from every layout Suricata has written:
 * - version 1 (Suricata ≤ 4): one event per answer, `type: "answer"` with `rrname`, `rrtype`, `rdata`;
 * - version 2 (Suricata 5–7): `type: "answer"`, the detailed `answers[]` (each with its owner
 *   `rrname`, `rrtype`, and `rdata` or an `srv`/`soa` object) and/or `grouped` (values by type,
 *   without owners: owners rebuilt as `chainAnswers` explains; detailed wins when both are there);
 * - version 3 (Suricata 8): `type: "response"` with `queries[]` and the same `answers[]`/`grouped`.
 * Requests carry no values ("no answers"). Suricata logs only the exchange of an MX record, so MX
 * answers are counted as "MX without preference". Times from `timestamp` (`+hhmm` offsets).
 */
export class SuricataParser extends JsonLineParser {
  constructor(source = "suricata") {
    super(source);
  }

  protected parseObject(o: JsonObject): Association[] {
    if (o.event_type !== "dns") {
      this.reject("not a dns event");
      return [];
    }
    const dns = o.dns;
    if (!isObject(dns)) {
      this.reject("no dns object");
      return [];
    }
    const time = parseTimeValue(o.timestamp);
    const type = str(dns, "type");
    if (type !== "answer" && type !== "response") {
      this.reject("no answers");
      return [];
    }
    const out: Association[] = [];
    const reject = (r: string) => this.reject(r);
    if (Array.isArray(dns.answers)) {
      if (dns.answers.length === 0) this.reject("no answers");
      for (const a of dns.answers) {
        if (isObject(a)) this.detailed(a, time, out);
        else this.reject("bad answer");
      }
    } else if (isObject(dns.grouped)) {
      const query = str(dns, "rrname") ?? firstQuery(dns);
      if (query === undefined) this.reject("no query");
      else chainAnswers(query, str(dns, "rrtype") ?? firstQueryType(dns) ?? "", grouped(dns.grouped, reject), time, out, reject);
    } else if (dns.rdata !== undefined || dns.srv !== undefined) {
      // version 1: the event itself is one answer.
      this.detailed(dns, time, out);
    } else this.reject("no answers");
    return out;
  }

  private detailed(a: JsonObject, time: number | null, out: Association[]): void {
    const rrname = str(a, "rrname");
    const rrtype = str(a, "rrtype");
    if (rrname === undefined || rrtype === undefined) {
      this.reject("bad answer");
      return;
    }
    const value = answerValue(rrtype.toUpperCase(), a);
    if (value === null) {
      this.reject(rrtype.toUpperCase() === "MX" ? "MX without preference" : "unsupported answer");
      return;
    }
    const made = makeAssociation(rrname, rrtype, value, time);
    if (typeof made === "string") this.reject(made);
    else out.push(made);
  }
}

/** The value of one detailed answer in DNSDB's presentation, or null when Suricata did not log all of it. */
function answerValue(type: string, a: JsonObject): string | null {
  if (type === "SRV") return isObject(a.srv) ? srvValue(a.srv) : null;
  if (type === "SOA") return isObject(a.soa) ? soaValue(a.soa) : null;
  if (type === "MX") return null;
  const rdata = str(a, "rdata");
  if (rdata === undefined) return null;
  if (type === "TXT" || type === "SPF") return quoteTxt(rdata);
  return rdata;
}

function srvValue(s: JsonObject): string | null {
  const p = num(s, "priority");
  const w = num(s, "weight");
  const port = num(s, "port");
  const target = str(s, "name") ?? str(s, "target");
  return p === undefined || w === undefined || port === undefined || target === undefined ? null : `${p} ${w} ${port} ${target}`;
}

function soaValue(s: JsonObject): string | null {
  const parts = [
    str(s, "mname"),
    str(s, "rname"),
    num(s, "serial"),
    num(s, "refresh"),
    num(s, "retry"),
    num(s, "expire"),
    num(s, "minimum"),
  ];
  if (parts.some((p) => p === undefined || p === "")) return null;
  return parts.join(" ");
}

/** `grouped` values in answer order, CNAMEs first so the owner chain is built before the values hang on it. */
function grouped(g: JsonObject, reject: (r: string) => void): OwnerlessAnswer[] {
  const items: OwnerlessAnswer[] = [];
  const keys = Object.keys(g).sort((x, y) => Number(y.toUpperCase() === "CNAME") - Number(x.toUpperCase() === "CNAME"));
  for (const k of keys) {
    const type = k.toUpperCase();
    const vals = g[k];
    if (!Array.isArray(vals)) {
      reject("bad answer");
      continue;
    }
    for (const v of vals) {
      let value: string | null = null;
      if (typeof v === "string") value = type === "TXT" || type === "SPF" ? quoteTxt(v) : v;
      else if (isObject(v)) value = type === "SRV" ? srvValue(v) : type === "SOA" ? soaValue(v) : null;
      if (value === null) reject("unsupported answer");
      else items.push({ type, data: value });
    }
  }
  return items;
}

function firstQuery(dns: JsonObject): string | undefined {
  const q = Array.isArray(dns.queries) ? dns.queries[0] : undefined;
  return isObject(q) ? str(q, "rrname") : undefined;
}

function firstQueryType(dns: JsonObject): string | undefined {
  const q = Array.isArray(dns.queries) ? dns.queries[0] : undefined;
  return isObject(q) ? str(q, "rrtype") : undefined;
}
