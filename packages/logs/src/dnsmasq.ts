/**
 * dnsmasq `log-queries` lines (plain and `log-queries=extra`), from its own log file or syslog:
 *
 *   Nov 22 11:07:55 dnsmasq[30519]: 1 127.0.0.1/56938 reply example.test is 192.0.2.10
 *
 * Only `reply`/`cached`/`cached-stale`/`config`/<hosts-file path> lines carry data (`NAME is VALUE`): an address
 * gives A/AAAA; for a PTR query the line is `ADDR is NAME` (→ reverse name, PTR, NAME); a TXT
 * query gives one line per character-string; `NAME is <CNAME>` takes its target from the next line
 * of the same query serial when that line is of the same kind. Negative answers (NXDOMAIN,
 * NODATA…), type placeholders (`<MX>`, `<type=65280>`) and `<name unprintable>` carry no value.
 */
import type { FormatOptions } from "./formats.js";
import { LineParser, Reject } from "./line-parser.js";
import { addressValue, normalizeRawName, quoteTxt, reverseName } from "./normalize.js";
import type { Association } from "./observation.js";
import { isoTime, SyslogClock } from "./time.js";

const SYSLOG = /^([A-Z][a-z]{2}) ([ \d]?\d) (\d\d:\d\d:\d\d) (?:\S+ )?dnsmasq(?:-dhcp)?(?:\[\d+\])?: (.*)$/;
const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (?:\S+ )?dnsmasq(?:-dhcp)?(?:\[\d+\])?: (.*)$/;
const SERIAL = /^(\d+) ([0-9A-Fa-f.:]+)\/(\d+) (.*)$/;
const QUERY = /^query\[([^\]]+)\] (.*) from \S+$/;
const DATA = /^(reply|cached|cached-stale|config|\/\S+) (.*?) is (.*)$/;
const NEGATIVE = new Set(["NXDOMAIN", "NODATA", "NODATA-IPv4", "NODATA-IPv6", "SERVFAIL", "REFUSED"]);
const PLACEHOLDER = /^<[A-Za-z0-9=]+>$/;
/** Query serials remembered at once (their qtype and a pending `<CNAME>`). */
const MAX_SERIALS = 4096;

interface QueryState {
  qtype: string | null;
  /** A `<CNAME>` line waiting for the next line of its serial. */
  pending: { kind: string; name: string; time: number | null } | null;
}

export class DnsmasqParser extends LineParser {
  readonly format: string;
  private readonly clock: SyslogClock;
  private readonly queries = new Map<string, QueryState>();

  constructor(opts: FormatOptions = {}) {
    super();
    this.format = opts.source ?? "dnsmasq";
    this.clock = new SyslogClock(opts.year, opts.now, opts.utc);
  }

  protected parse(text: string): Association[] {
    let time: number | null;
    let rest: string;
    const m = SYSLOG.exec(text);
    if (m) {
      time = this.clock.epoch(m[1] as string, m[2] as string, m[3] as string);
      rest = m[4] as string;
    } else {
      const i = ISO.exec(text);
      if (!i) return this.reject(Reject.UNMATCHED, text);
      time = isoTime(i[1] as string);
      rest = i[2] as string;
    }
    if (time === null) return this.reject(Reject.BAD_TIME, text);
    let serial = "";
    let body = rest;
    const s = SERIAL.exec(rest);
    if (s) {
      serial = s[1] as string;
      body = s[4] as string;
    }
    const q = QUERY.exec(body);
    if (q) {
      const st = this.state(serial);
      st.qtype = q[1] as string;
      st.pending = null;
      return [];
    }
    const d = DATA.exec(body);
    if (!d) {
      // forwarded / validation / startup lines: no data, but they end a pending <CNAME>
      if (body.startsWith("forwarded ")) {
        const st = this.queries.get(serial);
        if (st) st.pending = null;
      }
      return [];
    }
    const kind = (d[1] as string).startsWith("/") ? "hostsfile" : (d[1] as string);
    return this.data(serial, kind, d[2] as string, d[3] as string, time, text);
  }

  private state(serial: string): QueryState {
    let st = this.queries.get(serial);
    if (!st) {
      if (this.queries.size >= MAX_SERIALS) {
        const oldest = this.queries.keys().next();
        if (!oldest.done) this.queries.delete(oldest.value);
      }
      st = { qtype: null, pending: null };
      this.queries.set(serial, st);
    }
    return st;
  }

  private data(serial: string, kind: string, name: string, value: string, time: number, text: string): Association[] {
    const st = this.state(serial);
    const out: Association[] = [];
    const p = st.pending;
    st.pending = null;
    if (p && p.kind === kind && name !== "error" && name !== "<name unprintable>") {
      const owner = normalizeRawName(p.name);
      const target = normalizeRawName(name);
      if (owner !== null && target !== null) out.push({ rrname: owner, rrtype: "CNAME", rdata: target, time: p.time });
    }
    if (name === "<name unprintable>" || NEGATIVE.has(value)) return out;
    if (st.qtype === "PTR") {
      const rev = reverseName(name);
      if (rev !== null) {
        if (value === "<CNAME>" || PLACEHOLDER.test(value)) return out; // RFC 2317 CNAME: target not logged
        const host = normalizeRawName(value);
        if (host === null) return out.length ? out : this.reject(Reject.BAD_NAME, text);
        out.push({ rrname: rev, rrtype: "PTR", rdata: host, time });
        return out;
      }
    }
    if (value === "<CNAME>") {
      st.pending = { kind, name, time };
      return out;
    }
    if (PLACEHOLDER.test(value)) return out;
    const owner = normalizeRawName(name);
    if (owner === null) return out.length ? out : this.reject(Reject.BAD_NAME, text);
    const addr = addressValue(value);
    if (addr) {
      out.push({ rrname: owner, rrtype: addr.rrtype, rdata: addr.rdata, time });
    } else if (st.qtype === "TXT") {
      const txt = quoteTxt(value);
      if (txt === null) return out.length ? out : this.reject(Reject.BAD_VALUE, text);
      out.push({ rrname: owner, rrtype: "TXT", rdata: txt, time });
    } else if (out.length === 0) {
      return this.reject(Reject.BAD_VALUE, text);
    }
    return out;
  }
}

export const createDnsmasqParser = (opts: FormatOptions): DnsmasqParser => new DnsmasqParser(opts);
