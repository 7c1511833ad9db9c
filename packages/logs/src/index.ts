export { ApacheParser, hostName, NginxParser, urlHost } from "./access-log.js";
export type { AggregatorOptions } from "./aggregate.js";
export { Aggregator, compareObservations } from "./aggregate.js";
export { guessFormat } from "./auto.js";
export { BindQuerylogParser } from "./bind-querylog.js";
export { createCofParser } from "./cof.js";
export { CuckooParser, MAX_DOCUMENT } from "./cuckoo.js";
export { PassiveExportParser } from "./dnsdb-json.js";
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
export { PassiveDnsParser } from "./passivedns.js";
export { QueryLogParser } from "./query-log.js";
export type { RegexParserOptions } from "./regex.js";
export { RegexParser } from "./regex.js";
export { SquidParser } from "./squid.js";
export { compileTimeFormat, type TimeFormatOptions, type TimeParser } from "./strftime.js";
export { SuricataParser } from "./suricata.js";
export { SyslogClock } from "./time.js";
export { UnboundParser } from "./unbound.js";
export { ZeekJsonParser, ZeekTsvParser } from "./zeek.js";
