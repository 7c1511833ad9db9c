import { makeAssociation } from "./association.js";
import { LogsError, LogsErrorCode } from "./errors.js";
import { parseTimeValue } from "./json-line.js";
import { LineParser } from "./line-parser.js";
import { addressValue, reverseName } from "./normalize.js";
import type { Association } from "./observation.js";
import { compileTimeFormat, type TimeParser } from "./strftime.js";

export interface RegexParserOptions {
  /** A JavaScript regular expression with named groups `domain` and `value`, optionally `type` and `time`. */
  regex: string;
  /** How to read the `time` group: epoch, epoch-ms, iso8601/rfc3339 or a strftime-like pattern (see strftime.ts). Default: epoch seconds or ISO 8601, whichever matches. */
  timeFormat?: string;
  /** Year for time formats without one. */
  year?: number;
  /** Zone-less times are UTC (default: local time). */
  utc?: boolean;
  /** "Now" in epoch milliseconds, for the default year (tests). */
  now?: number;
  source?: string;
}

/**
 * The generic parser for logs no other format knows: a regular expression with named groups
 * `(?<domain>…)`, `(?<value>…)`, optional `(?<type>…)` and `(?<time>…)`. Without a type group the
 * type comes from the value: an IPv4 address is an A, an IPv6 address an AAAA, anything else is
 * rejected ("cannot infer type") — a name is a CNAME (or NS, MX …) only when a type group says so.
 * For PTR, whichever of domain and value is an address gives the owner (its reverse name).
 */
export class RegexParser extends LineParser {
  readonly format: string;
  private readonly re: RegExp;
  private readonly time: TimeParser | null;

  constructor(opts: RegexParserOptions) {
    super();
    this.format = opts.source ?? "regex";
    try {
      this.re = new RegExp(opts.regex);
    } catch (e) {
      throw new LogsError(LogsErrorCode.BAD_OPTION, `--regex: ${(e as Error).message}`);
    }
    for (const g of ["domain", "value"]) {
      if (!opts.regex.includes(`(?<${g}>`)) throw new LogsError(LogsErrorCode.BAD_OPTION, `--regex: needs a named group (?<${g}>…)`);
    }
    try {
      this.time =
        opts.timeFormat === undefined
          ? null
          : compileTimeFormat(opts.timeFormat, {
              ...(opts.year === undefined ? {} : { year: opts.year }),
              ...(opts.utc === undefined ? {} : { utc: opts.utc }),
              ...(opts.now === undefined ? {} : { now: opts.now }),
            });
    } catch (e) {
      throw new LogsError(LogsErrorCode.BAD_OPTION, `--time-format: ${(e as Error).message}`);
    }
  }

  protected parse(text: string): Association[] {
    const m = this.re.exec(text);
    const g = m?.groups;
    if (g === undefined || g.domain === undefined || g.value === undefined) {
      if (text.trim() !== "") this.reject("unmatched", text);
      return [];
    }
    let time: number | null = null;
    if (g.time !== undefined) {
      time = this.time === null ? parseTimeValue(g.time) : this.time(g.time);
      if (time === null) {
        this.reject("bad time");
        return [];
      }
    }
    let domain = g.domain;
    let value = g.value;
    let type = g.type?.trim().toUpperCase();
    if (type === undefined || type === "") {
      const addr = addressValue(value);
      if (addr === null) {
        this.reject("cannot infer type");
        return [];
      }
      type = addr.rrtype;
    } else if (type === "PTR") {
      const rev = reverseName(domain) ?? null;
      if (rev !== null) domain = rev;
      else {
        const rv = reverseName(value);
        if (rv !== null) {
          value = domain;
          domain = rv;
        }
      }
    }
    const a = makeAssociation(domain, type, value, time);
    if (typeof a === "string") {
      this.reject(a);
      return [];
    }
    return [a];
  }
}
