export { ApacheParser, hostName, NginxParser, urlHost } from "./access-log.js";
export type { AggregatorOptions } from "./aggregate.js";
export { Aggregator, compareObservations } from "./aggregate.js";
export { guessFormat } from "./auto.js";
export { BindQuerylogParser } from "./bind-querylog.js";
export { DnsmasqParser } from "./dnsmasq.js";
export type { FrameLogParser } from "./dnstap.js";
export { DnstapParser } from "./dnstap.js";
export { isLogsError, LogsError, LogsErrorCode } from "./errors.js";
export type { FormatFactory, FormatInfo, FormatOptions } from "./formats.js";
export { createParser, formatInfo, formatNames } from "./formats.js";
export { KresdParser } from "./kresd.js";
export { LineParser, MAX_LINE, Reject } from "./line-parser.js";
export type { LineEvent } from "./lines.js";
export { LineSplitter } from "./lines.js";
export {
  addressValue,
  normalizeIpv4,
  normalizeIpv6,
  normalizeName,
  normalizeRawName,
  normalizeValue,
  quoteTxt,
  reverseName,
} from "./normalize.js";
export type { Association, LogParser, Observation } from "./observation.js";
export { QueryLogParser } from "./query-log.js";
export { SquidParser } from "./squid.js";
export { SyslogClock } from "./time.js";
export { UnboundParser } from "./unbound.js";
