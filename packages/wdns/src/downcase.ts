/** libwdns wdns_downcase_rdata: downcase names inside rdata, only for the RFC 4034 §6.2 types. */
import { descrFor } from "./descr.js";

/** the types whose rdata names libwdns downcases */
export const DOWNCASE_TYPES: ReadonlySet<number> = new Set([
  38, 18, 5, 39, 36, 7, 3, 4, 8, 14, 9, 15, 35, 2, 30, 12, 26, 17, 21, 24, 6, 33,
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
      case "name":
      case "uname":
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
      case "int8":
        if (left < 1) return rdata;
        p += 1;
        left -= 1;
        break;
      case "int16":
        if (left < 2) return rdata;
        p += 2;
        left -= 2;
        break;
      case "int32":
        if (left < 4) return rdata;
        p += 4;
        left -= 4;
        break;
      case "string": {
        const n = (out[p] as number) + 1;
        if (left < n) return rdata;
        p += n;
        left -= n;
        break;
      }
      case "ipv6prefix": {
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
