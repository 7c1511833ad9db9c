export type { AggregatorOptions } from "./aggregate.js";
export { Aggregator, compareObservations } from "./aggregate.js";
export { createCofParser } from "./cof.js";
export { CuckooParser } from "./cuckoo.js";
export { PassiveExportParser } from "./dnsdb-json.js";
export { isLogsError, LogsError, LogsErrorCode } from "./errors.js";
export type { FormatFactory, FormatInfo, FormatOptions } from "./formats.js";
export { createParser, formatInfo, formatNames } from "./formats.js";
export {
  addressValue,
  normalizeIpv4,
  normalizeIpv6,
  normalizeName,
  normalizeValue,
  quoteTxt,
  reverseName,
} from "./normalize.js";
export type { Association, LogParser, Observation } from "./observation.js";
export { PassiveDnsParser } from "./passivedns.js";
export type { RegexParserOptions } from "./regex.js";
export { RegexParser } from "./regex.js";
export { compileTimeFormat, type TimeParser } from "./strftime.js";
export { SuricataParser } from "./suricata.js";
export { ZeekJsonParser, ZeekTsvParser } from "./zeek.js";
