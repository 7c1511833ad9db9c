import { rrtypeFromString } from "@dnsrep/wdns";
import { addressValue, normalizeName, normalizeValue } from "./normalize.js";
import type { Association } from "./observation.js";

/** What an aggregating source adds to an association (see `Association.count` / `timeLast`). */
export interface Aggregated {
  count?: number;
  timeLast?: number | null;
}

/**
 * Several sources log only the name inside an MX, SRV or SOA record (Zeek, Suricata, passivedns,
 * Cuckoo): the record cannot be rebuilt, so it is rejected under its own reason, never padded.
 */
const PARTIAL: Record<string, string> = {
  MX: "MX without preference",
  SRV: "SRV without priority, weight, port",
  SOA: "SOA without its numbers",
};

/**
 * Normalise an owner name and a value read from a log and build the association, or return the
 * reason to reject it ("invalid name", "unknown type", "invalid value", or a partial record's
 * reason). `rrtype` is upper-cased here.
 */
export function makeAssociation(name: string, rrtype: string, value: string, time: number | null, agg?: Aggregated): Association | string {
  const rrname = normalizeName(name);
  if (rrname === null) return "invalid name";
  const type = rrtype.toUpperCase();
  if (rrtypeFromString(type) === undefined) return "unknown type";
  const partial = PARTIAL[type];
  if (partial !== undefined && !value.trim().includes(" ")) return partial;
  const rdata = normalizeValue(type, value);
  if (rdata === null) return "invalid value";
  const a: Association = { rrname, rrtype: type, rdata, time };
  if (agg?.count !== undefined) a.count = agg.count;
  if (agg?.timeLast !== undefined) a.timeLast = agg.timeLast;
  return a;
}

/** Query types whose untyped name answers are of the query's type (MX, SRV and SOA then meet their PARTIAL reason). */
const NAME_QTYPES = new Set(["CNAME", "PTR", "NS", "DNAME", "MX", "SRV", "SOA"]);

/** One answer of a source that does not log the answer's owner name; `type` null when it does not log the type either. */
export interface OwnerlessAnswer {
  type: string | null;
  data: string;
}

/**
 * Owners for answers logged without them (Zeek's `answers`, Cuckoo's `network.dns`, Suricata's
 * `grouped`): the answers are taken in answer-section order, a CNAME's owner is the end of the
 * chain so far (first the query name), and every other record belongs to the chain's end. An
 * untyped address is an A or AAAA by its family; an untyped name is a CNAME when the query asked
 * for an address, and of the query's own type when it asked for CNAME, PTR, NS or DNAME (MX, SRV and
 * SOA names are then rejected as partial records); otherwise it
 * is rejected ("untyped answer") rather than guessed.
 */
export function chainAnswers(
  query: string,
  qtype: string,
  answers: readonly OwnerlessAnswer[],
  time: number | null,
  out: Association[],
  reject: (reason: string) => void,
): void {
  let owner = query;
  const q = qtype.toUpperCase();
  for (const ans of answers) {
    let type = ans.type === null ? (addressValue(ans.data)?.rrtype ?? null) : ans.type.toUpperCase();
    if (type === null) {
      if (q === "A" || q === "AAAA") type = "CNAME";
      else if (NAME_QTYPES.has(q)) type = q;
      else {
        reject("untyped answer");
        continue;
      }
    }
    const a = makeAssociation(owner, type, ans.data, time);
    if (typeof a === "string") {
      reject(a);
      continue;
    }
    out.push(a);
    if (type === "CNAME") owner = ans.data;
  }
}
