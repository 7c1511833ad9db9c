import { makeAssociation } from "./association.js";
import { LineParser } from "./line-parser.js";
import type { Association } from "./observation.js";

/**
 * gamelinux passivedns logs (`/var/log/passivedns.log`), fields separated by `||`:
 * `ts||client||server||class||query||type||answer||ttl||count` (1.0 and later; `ts` epoch seconds
 * with microseconds) or the older form without `count`. Each line is one answer already
 * aggregated by passivedns over its cache period, so `count` is kept. passivedns writes the value
 * as ldns prints it, but only the exchange of an MX and the target of an SRV: those are counted
 * ("MX without preference", …), as are NXDOMAIN lines (its `-X` log) and classes other than IN.
 * Lines starting with `#` are comments.
 */
export class PassiveDnsParser extends LineParser {
  readonly format: string;

  constructor(source = "passivedns") {
    super();
    this.format = source;
  }

  protected parse(text: string): Association[] {
    if (text.startsWith("#") || text.trim() === "") return [];
    const f = text.split("||");
    if (f.length !== 9 && f.length !== 8) {
      this.reject("wrong field count", text);
      return [];
    }
    const [ts, , , cls, query, type, answer, , countText] = f as [string, string, string, string, string, string, string, string, string?];
    if (!/^\d{1,12}(?:\.\d{1,9})?$/.test(ts)) {
      this.reject("bad time");
      return [];
    }
    if (cls !== "IN") {
      this.reject("class not IN");
      return [];
    }
    if (answer === "NXDOMAIN" || type === "NXDOMAIN") {
      this.reject("NXDOMAIN");
      return [];
    }
    let count = 1;
    if (countText !== undefined) {
      if (!/^\d{1,10}$/.test(countText) || Number(countText) === 0) {
        this.reject("bad count");
        return [];
      }
      count = Number(countText);
    }
    const a = makeAssociation(query, type, answer, Number(ts), count === 1 ? undefined : { count });
    if (typeof a === "string") {
      this.reject(a);
      return [];
    }
    return [a];
  }
}
