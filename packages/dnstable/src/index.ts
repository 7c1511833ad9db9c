export { DnstableError, DnstableErrorCode, isDnstableError } from "./errors.js";
export {
  EntryType,
  TIME_RANGE_KEY,
  decodeRRsetKey,
  decodeRdataKey,
  decodeTimeRange,
  decodeTriplet,
  decodeVersion,
  encodeTimeRange,
  encodeTriplet,
  encodeVarintValue,
  rdataKey,
  rdataNameRevKey,
  rdataSlicedKey,
  reverseWireName,
  rrsetKey,
  rrsetNameFwdKey,
  sourceInfoKey,
  versionKey,
  wireNameLength,
} from "./entry.js";
export type { RRsetKey, RdataKey, Triplet } from "./entry.js";
export { decodeRRtypeUnion, encodeRRtypeBitmap, encodeRRtypeSingle, rrtypeUnionHas } from "./rrtype-union.js";
export { dnstableMerge } from "./merge.js";
