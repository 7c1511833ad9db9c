/**
 * Knot Resolver debug log (`log_level('debug')`): its only name ↔ address data are the nameserver
 * addresses of `querying:` lines,
 *
 *   [resolv][65536.02]   => id: '30873' querying: 'ns.root-servers.test.'@'127.0.0.10#00053' zone cut: '.' …
 *
 * giving (nameserver name, A/AAAA, address). kresd's stderr has no timestamps (time null); a
 * receive-time prefix (`2026-11-22T11:07:50.623798+0000 `, moreutils `ts`) or a syslog/journal
 * prefix is read when present.
 */
import type { FormatOptions } from "./formats.js";
import { LineParser, Reject } from "./line-parser.js";
import { addressValue, normalizeRawName } from "./normalize.js";
import type { Association } from "./observation.js";
import { isoTime, SyslogClock } from "./time.js";

const ISO_PREFIX = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (.*)$/;
const SYSLOG_PREFIX = /^([A-Z][a-z]{2}) ([ \d]?\d) (\d\d:\d\d:\d\d) (?:\S+ )?kresd(?:@\S*)?(?:\[\d+\])?: (.*)$/;
const GROUP = /^\[[a-z0-9 ]{1,8}\]/;
const QUERYING = /querying: '([^']*)'@'([^'#]+)#\d+'/;

export class KresdParser extends LineParser {
  readonly format: string;
  private readonly clock: SyslogClock;

  constructor(opts: FormatOptions = {}) {
    super();
    this.format = opts.source ?? "kresd";
    this.clock = new SyslogClock(opts.year, opts.now, opts.utc);
  }

  protected parse(text: string): Association[] {
    let time: number | null = null;
    let rest = text;
    const iso = ISO_PREFIX.exec(text);
    if (iso) {
      time = isoTime(iso[1] as string);
      if (time === null) return this.reject(Reject.BAD_TIME, text);
      rest = iso[2] as string;
    } else {
      const sl = SYSLOG_PREFIX.exec(text);
      if (sl) {
        time = this.clock.epoch(sl[1] as string, sl[2] as string, sl[3] as string);
        if (time === null) return this.reject(Reject.BAD_TIME, text);
        rest = sl[4] as string;
      }
    }
    if (!GROUP.test(rest)) {
      // kresd also prints unprefixed notices at start-up; anything else is not kresd's
      return rest.trim() === "" || /^[a-z]/.test(rest) ? [] : this.reject(Reject.UNMATCHED, text);
    }
    const q = QUERYING.exec(rest);
    if (!q) return [];
    const ns = normalizeRawName(q[1] as string);
    if (ns === null) return this.reject(Reject.BAD_NAME, text);
    const addr = addressValue(q[2] as string);
    if (addr === null) return this.reject(Reject.BAD_ADDRESS, text);
    return [{ rrname: ns, rrtype: addr.rrtype, rdata: addr.rdata, time }];
  }
}

export const createKresdParser = (opts: FormatOptions): KresdParser => new KresdParser(opts);
