/** libwdns wdns_downcase_rdata: downcase names inside rdata, only for the RFC 4034 §6.2 types. */
import { descrFor, Rdf } from "./descr.js";
import { RRTYPE as T } from "./tables.js";

/** the types whose rdata names libwdns downcases */
export const DOWNCASE_TYPES: ReadonlySet<number> = new Set<number>([
  T.A6,
  T.AFSDB,
  T.CNAME,
  T.DNAME,
  T.KX,
  T.MB,
  T.MD,
  T.MF,
  T.MG,
  T.MINFO,
  T.MR,
  T.MX,
  T.NAPTR,
  T.NS,
  T.NXT,
  T.PTR,
  T.PX,
  T.RP,
  T.RT,
  T.SIG,
  T.SOA,
  T.SRV,
]);

/** A copy of `rdata` with embedded names downcased (unchanged for other types or malformed rdata). */
export function downcaseRdata(rdata: Uint8Array, rrtype: number, rrclass = 1): Uint8Array {
  if (!DOWNCASE_TYPES.has(rrtype)) return rdata;
  const d = descrFor(rrtype);
  if (!d || (d.cls === "in" && rrclass !== 1)) return rdata;
  const out = rdata.slice();
  let p = 0;
  let left = out.length;
  for (const f of d.fields) {
    if (left === 0) break;
    switch (f) {
      case Rdf.NAME:
      case Rdf.UNAME:
        while (left-- !== 0) {
          const c = out[p] as number;
          if (c === 0) {
            p++;
            break;
          }
          if (c >= 0x41 && c <= 0x5a) out[p] = c | 0x20;
          p++;
        }
        if (left < 0) left = 0;
        break;
      case Rdf.INT8:
        if (left < 1) return rdata;
        p += 1;
        left -= 1;
        break;
      case Rdf.INT16:
        if (left < 2) return rdata;
        p += 2;
        left -= 2;
        break;
      case Rdf.INT32:
        if (left < 4) return rdata;
        p += 4;
        left -= 4;
        break;
      case Rdf.STRING: {
        const n = (out[p] as number) + 1;
        if (left < n) return rdata;
        p += n;
        left -= n;
        break;
      }
      case Rdf.IPV6PREFIX: {
        const n = (out[p] as number) + 1;
        if (left < n) return rdata;
        p += n;
        left -= n;
        break;
      }
      default:
        return out;
    }
  }
  return out;
}
