/**
 * Query logs hold no answer data: Unbound `log-queries`/`log-replies` and BIND's querylog. Their
 * parsers check each line's grammar and count the queries (and replies) they see; they never
 * produce an association.
 */
import { LineParser, Reject } from "./line-parser.js";
import type { Association } from "./observation.js";

/** A parser of a log without values: counts queries and replies. */
export abstract class QueryLogParser extends LineParser {
  /** Query lines seen. */
  queries = 0;
  /** Reply lines seen (Unbound log-replies). */
  replies = 0;

  protected abstract classify(text: string): "query" | "reply" | "other" | null;

  protected parse(text: string): Association[] {
    const k = this.classify(text);
    if (k === null) return this.reject(Reject.UNMATCHED, text);
    if (k === "query") this.queries++;
    else if (k === "reply") this.replies++;
    return [];
  }
}
