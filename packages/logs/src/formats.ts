/**
 * The format registry: format name → factory of a fresh LogParser. `dnsrep-shipper parse
 * --format NAME` and the shipper's `run` look formats up here; each parser adds one line to FORMATS.
 */

import { createApacheParser, createNginxParser } from "./access-log.js";
import { createBindQuerylogParser } from "./bind-querylog.js";
import { createCofParser } from "./cof.js";
import { CuckooParser } from "./cuckoo.js";
import { PassiveExportParser } from "./dnsdb-json.js";
import { createDnsmasqParser } from "./dnsmasq.js";
import { createDnstapParser } from "./dnstap.js";
import { LogsError, LogsErrorCode } from "./errors.js";
import { createKresdParser } from "./kresd.js";
import type { LogParser } from "./observation.js";
import { PassiveDnsParser } from "./passivedns.js";
import { RegexParser } from "./regex.js";
import { createSquidParser } from "./squid.js";
import { SuricataParser } from "./suricata.js";
import { createUnboundParser } from "./unbound.js";
import { ZeekJsonParser, ZeekTsvParser } from "./zeek.js";

/** Options a factory may use; each format documents which it reads and ignores the rest. */
export interface FormatOptions {
  /**
   * The log format definition as text, for formats configured by one: squid `logformat`
   * (`%ts.%03tu %>a %{Host}>h %<a …`), nginx `log_format` (`$msec $host $server_addr …`),
   * Apache `LogFormat` (`%h %{Host}i %A …`).
   */
  logFormat?: string;
  /** A regular expression with named groups (the generic `regex` format). */
  regex?: string;
  /** A time format for the regex format's `time` group. */
  timeFormat?: string;
  /**
   * Year for timestamps that have none (syslog `Mmm dd HH:MM:SS`). Default: the year that does
   * not put the line in the future relative to `now`.
   */
  year?: number;
  /** Timestamps without a zone (syslog) are UTC instead of this machine's local time. */
  utc?: boolean;
  /** "Now" in epoch milliseconds for the default year (tests; default Date.now()). */
  now?: number;
  /** The observations' source name (default: the format name). */
  source?: string;
}

export type FormatFactory = (opts: FormatOptions) => LogParser;

export interface FormatInfo {
  /** One line for `--help` and the README's table. */
  description: string;
  create: FormatFactory;
  /** True for formats that hold no values (query logs): lines are counted, no observations. */
  queriesOnly?: boolean;
  /** True for binary inputs (dnstap): fed whole files as bytes, not lines. */
  binary?: boolean;
  /**
   * True for whole-document formats (cuckoo): a line may be as long as the document (a report on
   * one line, up to MAX_DOCUMENT bytes), and an unterminated last line belongs to the document
   * (Python's json.dump writes no final newline): it is given to the parser, which checks that the
   * document is complete.
   */
  document?: boolean;
}

/**
 * Every format, one entry each: `logs` owns the first group, `logs-b` adds the second (keep one
 * line per format so merges stay trivial).
 */
const FORMATS: Record<string, FormatInfo> = {
  // logs
  dnsmasq: { description: "dnsmasq log-queries (plain or =extra), own log file or syslog", create: createDnsmasqParser },
  squid: { description: "squid access.log: native format or --log-format logformat text", create: createSquidParser },
  nginx: { description: "nginx access log from its log_format text (--log-format; default combined)", create: createNginxParser },
  apache: { description: "Apache access log from its LogFormat text (--log-format; default combined)", create: createApacheParser },
  kresd: { description: "Knot Resolver debug log: nameserver addresses of 'querying:' lines", create: createKresdParser },
  dnstap: {
    description: "dnstap file: answers of CLIENT_RESPONSE and RESOLVER_RESPONSE messages",
    create: createDnstapParser,
    binary: true,
  },
  unbound: { description: "Unbound log-queries/log-replies (no values: lines counted)", create: createUnboundParser, queriesOnly: true },
  "bind-querylog": { description: "BIND querylog (no values: lines counted)", create: createBindQuerylogParser, queriesOnly: true },
  // logs-b: zeek, suricata, passivedns, cuckoo, cof, dnsdb-json, regex
  zeek: { description: "Zeek dns.log, ASCII (TSV with #fields header)", create: (o) => new ZeekTsvParser(o.source) },
  "zeek-json": { description: "Zeek dns.log, JSON lines", create: (o) => new ZeekJsonParser(o.source) },
  suricata: { description: "Suricata eve.json dns events (versions 1, 2 and 3)", create: (o) => new SuricataParser(o.source) },
  passivedns: {
    description: "gamelinux passivedns log (ts||client||server||class||query||type||answer||ttl||count)",
    create: (o) => new PassiveDnsParser(o.source),
  },
  cuckoo: {
    description: "Cuckoo/CAPE report.json network.dns (whole JSON document)",
    create: (o) => new CuckooParser(o.source),
    document: true,
  },
  cof: {
    description: "CIRCL Passive DNS Common Output Format, JSON lines (counts and first/last kept)",
    create: (o) => createCofParser(o.source),
  },
  dnsdb: {
    description: "DNSDB JSON lines as dnsdbq -j / dnstable-lookup -j print them, SAF too (counts and first/last kept)",
    create: (o) => new PassiveExportParser(o.source ?? "dnsdb"),
  },
  regex: { description: "generic: --regex with named groups domain, value, type, time (+ --time-format)", create: createRegexParser },
};

/** Registered format names, sorted. */
export function formatNames(): string[] {
  return Object.keys(FORMATS).sort();
}

export function formatInfo(name: string): FormatInfo | undefined {
  return Object.hasOwn(FORMATS, name) ? FORMATS[name] : undefined;
}

/** A fresh parser for `name`; LogsError UNKNOWN_FORMAT when no such format is registered. */
export function createParser(name: string, opts: FormatOptions = {}): LogParser {
  const info = formatInfo(name);
  if (!info) {
    throw new LogsError(LogsErrorCode.UNKNOWN_FORMAT, `unknown format "${name}" (known: ${formatNames().join(", ") || "none"})`);
  }
  return info.create(opts);
}

function createRegexParser(o: FormatOptions): LogParser {
  if (o.regex === undefined) throw new LogsError(LogsErrorCode.BAD_OPTION, "format regex needs --regex");
  return new RegexParser({
    regex: o.regex,
    ...(o.timeFormat === undefined ? {} : { timeFormat: o.timeFormat }),
    ...(o.year === undefined ? {} : { year: o.year }),
    ...(o.utc === undefined ? {} : { utc: o.utc }),
    ...(o.now === undefined ? {} : { now: o.now }),
    ...(o.source === undefined ? {} : { source: o.source }),
  });
}
