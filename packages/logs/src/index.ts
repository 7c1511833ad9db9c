export type { AggregatorOptions } from "./aggregate.js";
export { Aggregator, compareObservations } from "./aggregate.js";
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
