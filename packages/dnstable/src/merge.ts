import type { MergeFn } from "@dnsrep/mtbl";
import { equalBytes } from "@dnsrep/util";
import { decodeTimeRange, decodeTriplet, decodeVersion, EntryType, encodeTimeRange, encodeTriplet, encodeVarintValue } from "./entry.js";
import { isDnstableError } from "./errors.js";
import { decodeRRtypeUnion, encodeRRtypeBitmap } from "./rrtype-union.js";

const EMPTY = new Uint8Array(0);

function mergeUnion(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (equalBytes(a, b)) return a.slice();
  if (a.length === 0 || b.length === 0) return EMPTY;
  try {
    const types = decodeRRtypeUnion(a);
    for (const t of decodeRRtypeUnion(b)) types.push(t);
    return encodeRRtypeBitmap(types);
  } catch (e) {
    if (isDnstableError(e)) return EMPTY;
    throw e;
  }
}

/** libdnstable's dnstable_merge_func, for mtbl merging of dnstable files. */
export const dnstableMerge: MergeFn = (key, a, b) => {
  if (key.length === 0) return EMPTY;
  switch (key[0]) {
    case EntryType.RRSET:
    case EntryType.RDATA: {
      const ta = decodeTriplet(a);
      const tb = decodeTriplet(b);
      if (ta === null || tb === null) return EMPTY;
      return encodeTriplet({
        timeFirst: Math.min(ta.timeFirst, tb.timeFirst),
        timeLast: Math.max(ta.timeLast, tb.timeLast),
        count: ta.count + tb.count,
      });
    }
    case EntryType.RRSET_NAME_FWD:
    case EntryType.RDATA_NAME_REV:
      return mergeUnion(a, b);
    case EntryType.TIME_RANGE: {
      if (a.length === 0 || b.length === 0) return EMPTY;
      const ra = decodeTimeRange(a);
      const rb = decodeTimeRange(b);
      if (ra === null || rb === null) return EMPTY;
      return encodeTimeRange(Math.min(ra.first, rb.first), Math.max(ra.last, rb.last));
    }
    case EntryType.VERSION: {
      if (a.length === 0 || b.length === 0 || key.length !== 2) return EMPTY;
      const t = key[1] as number;
      if (t !== EntryType.RRSET && t !== EntryType.RRSET_NAME_FWD && t !== EntryType.RDATA && t !== EntryType.RDATA_NAME_REV) {
        return EMPTY;
      }
      const va = decodeVersion(a);
      const vb = decodeVersion(b);
      if (va === null || vb === null) return EMPTY;
      return encodeVarintValue(Math.min(va, vb));
    }
    default:
      return EMPTY;
  }
};
