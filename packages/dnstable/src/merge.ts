import type { MergeFn } from "@dnsrep/mtbl";
import { equalBytes } from "@dnsrep/util";
import { keyText, valueProblem } from "./check.js";
import { decodeTimeRange, decodeTriplet, decodeVersion, EntryType, encodeTimeRange, encodeTriplet, encodeVarintValue } from "./entry.js";
import { DnstableError, DnstableErrorCode } from "./errors.js";
import { decodeRRtypeUnion, encodeRRtypeBitmap } from "./rrtype-union.js";

const EMPTY = new Uint8Array(0);

/** The ERR_CORRUPTION error for a value the merge cannot fold (libdnstable asserts, or ends the merge). */
function undecodable(key: Uint8Array, a: Uint8Array, b: Uint8Array): DnstableError {
  const why = valueProblem(key, a) ?? valueProblem(key, b) ?? "value does not decode";
  return new DnstableError(DnstableErrorCode.ERR_CORRUPTION, `cannot merge key ${keyText(key)}: ${why}`, key.slice());
}

function mergeUnion(key: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  if (equalBytes(a, b)) return a.slice();
  if (a.length === 0 || b.length === 0) return EMPTY;
  let types: number[];
  try {
    types = decodeRRtypeUnion(a);
    for (const t of decodeRRtypeUnion(b)) types.push(t);
  } catch {
    throw undecodable(key, a, b);
  }
  return encodeRRtypeBitmap(types);
}

/**
 * libdnstable's dnstable_merge_func, for mtbl merging of dnstable files. A value that does not
 * decode (an RRSET or RDATA triplet, an rrtype union, a time range or a version) throws
 * DnstableError ERR_CORRUPTION with the key: libdnstable asserts on these (or, for a union, ends
 * the merge), and folding them into an empty value would lose the other file's data.
 */
export const dnstableMerge: MergeFn = (key, a, b) => {
  if (key.length === 0) return EMPTY;
  switch (key[0]) {
    case EntryType.RRSET:
    case EntryType.RDATA: {
      const ta = decodeTriplet(a);
      const tb = decodeTriplet(b);
      if (ta === null || tb === null) throw undecodable(key, a, b);
      return encodeTriplet({
        timeFirst: Math.min(ta.timeFirst, tb.timeFirst),
        timeLast: Math.max(ta.timeLast, tb.timeLast),
        count: ta.count + tb.count,
      });
    }
    case EntryType.RRSET_NAME_FWD:
    case EntryType.RDATA_NAME_REV:
      return mergeUnion(key, a, b);
    case EntryType.TIME_RANGE: {
      if (a.length === 0 || b.length === 0) return EMPTY;
      const ra = decodeTimeRange(a);
      const rb = decodeTimeRange(b);
      if (ra === null || rb === null) throw undecodable(key, a, b);
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
      if (va === null || vb === null) throw undecodable(key, a, b);
      return encodeVarintValue(Math.min(va, vb));
    }
    default:
      return EMPTY;
  }
};
