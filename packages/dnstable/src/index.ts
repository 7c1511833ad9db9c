export { entryProblem, holdsCorrupt, keyProblem, keyText, valueProblem } from "./check.js";
export type { ConvertOptions, DnstableRRset, EntryBytesSink, EntrySink } from "./convert.js";
export { DnstableFile, EntryConverter } from "./convert.js";
export type { RdataKey, RRsetKey, Triplet } from "./entry.js";
export {
  decodeRdataKey,
  decodeRRsetKey,
  decodeTimeRange,
  decodeTriplet,
  decodeTripletInto,
  decodeVersion,
  EntryType,
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
  TIME_RANGE_KEY,
  versionKey,
  wireNameLength,
} from "./entry.js";
export { DnstableError, DnstableErrorCode, isDnstableError } from "./errors.js";
export type { EntryObject, FormatOptions } from "./format.js";
export { entryObject, entryText, formatEntry, formatResult, formatTime, resultObject } from "./format.js";
export { parseIpQuery } from "./ip-range.js";
export { dnstableMerge } from "./merge.js";
export type { CorruptEntry, DnstableQuery, DnstableResult, QueryOptions, TimeFence } from "./query.js";
export { DnstableReader, type SetFileOptions, type SourceOptions } from "./reader.js";
export { keyNameEnd, keyNameIs, type RRsetLayout, rrsetLayout } from "./rrset-layout.js";
export { decodeRRtypeUnion, encodeRRtypeBitmap, encodeRRtypeSingle, rrtypeUnionHas } from "./rrtype-union.js";
export { DNSSEC_TYPES, DUAL_TYPES, NAME_RDATA_TYPES, STANDALONE_NAME_TYPES } from "./rrtypes.js";
