/**
 * BIND's query log (`querylog yes`): one line per client query, no answer data.
 *
 *   22-Nov-2026 11:08:02.277 client @0x7f79ee4fd098 127.0.0.2#45566 (example.test): query: example.test IN A +E(0)K (127.0.0.2)
 *
 * Lines are counted (QueryLogParser), never observations.
 */
import type { FormatOptions } from "./formats.js";
import { QueryLogParser } from "./query-log.js";

const QUERY =
  /(?:^|\s)client (?:@0x[0-9a-f]+ )?[0-9A-Fa-f.:]+#\d+(?: \([^)]*\))?: (?:view \S+: )?query: \S+ \S+ \S+ \S* ?\([0-9A-Fa-f.:]+\)$/;

export class BindQuerylogParser extends QueryLogParser {
  readonly format: string;
  constructor(opts: FormatOptions = {}) {
    super();
    this.format = opts.source ?? "bind-querylog";
  }

  protected classify(text: string): "query" | "reply" | "other" | null {
    if (QUERY.test(text)) return "query";
    return text.includes(" queries: ") || text.includes(" query-errors: ") ? "other" : null;
  }
}

export const createBindQuerylogParser = (opts: FormatOptions): BindQuerylogParser => new BindQuerylogParser(opts);
