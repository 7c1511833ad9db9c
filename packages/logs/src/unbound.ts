/**
 * Unbound's text log with `log-queries`/`log-replies` (1.17: `CLIENT QNAME. TYPE CLASS`, replies add
 * `RCODE SECONDS CACHED SIZE`; newer versions put `query:`/`reply:` in front). No answer data:
 * lines are counted (QueryLogParser), never observations.
 */
import type { FormatOptions } from "./formats.js";
import { QueryLogParser } from "./query-log.js";

const PREFIX =
  /^(?:[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d (?:\S+ )?|\[\d+\] |\d{4}-\d\d-\d\dT\S+ (?:\S+ )?)?unbound\[\d+:\d+\] (\w+): (.*)$/;
const QUERY = /^(?:query: )?[0-9A-Fa-f.:]+ \S+ \S+ \S+$/;
const REPLY = /^(?:reply: )?[0-9A-Fa-f.:]+ \S+ \S+ \S+ [A-Z]+ \d+\.\d+ [01] \d+$/;

export class UnboundParser extends QueryLogParser {
  readonly format: string;
  constructor(opts: FormatOptions = {}) {
    super();
    this.format = opts.source ?? "unbound";
  }

  protected classify(text: string): "query" | "reply" | "other" | null {
    const m = PREFIX.exec(text);
    if (!m) return null;
    if (m[1] !== "info") return "other";
    const body = m[2] as string;
    if (REPLY.test(body)) return "reply";
    if (QUERY.test(body)) return "query";
    return "other";
  }
}

export const createUnboundParser = (opts: FormatOptions): UnboundParser => new UnboundParser(opts);
