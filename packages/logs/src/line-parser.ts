/**
 * The shared part of every line parser: line counting, the checks every line gets before its
 * format's grammar (length, NUL bytes), and rejected-line counts by reason.
 */
import { type JsonObject, parseJsonObject } from "./json-line.js";
import type { Association, LogParser } from "./observation.js";

/** Longest line a parser looks at (longer ones are rejected as "line too long"). */
export const MAX_LINE = 64 * 1024;

/** Reasons every parser may count, besides its own. */
export const Reject = {
  TOO_LONG: "line too long",
  NUL: "NUL byte",
  BAD_UTF8: "invalid UTF-8",
  UNMATCHED: "unmatched",
  BAD_TIME: "bad time",
  BAD_NAME: "invalid name",
  BAD_ADDRESS: "bad address",
  BAD_VALUE: "bad value",
} as const;

export abstract class LineParser implements LogParser {
  abstract readonly format: string;
  readonly rejected = new Map<string, number>();
  lines = 0;

  line(text: string): Association[] {
    this.lines++;
    if (text.length > MAX_LINE) return this.reject(Reject.TOO_LONG);
    if (text.includes("\u0000")) return this.reject(Reject.NUL);
    const r = this.parse(text);
    return r;
  }

  /** Parse one pre-checked line (no newline, ≤ MAX_LINE, no NUL). */
  protected abstract parse(text: string): Association[];

  end(): Association[] {
    return [];
  }

  /**
   * Count a rejected line and return no associations. A line holding U+FFFD (what invalid UTF-8
   * decodes to) is counted as "invalid UTF-8" instead of the grammar's reason.
   */
  protected reject(reason: string, text?: string): Association[] {
    const r = text?.includes("\uFFFD") ? Reject.BAD_UTF8 : reason;
    this.rejected.set(r, (this.rejected.get(r) ?? 0) + 1);
    return [];
  }
}

/**
 * A parser of JSON lines (one object per line): blank lines are skipped, a line that is not a
 * JSON object is rejected as "not json"; the object goes to `parseObject`. `format` is the source
 * name given (each format has its default).
 */
export abstract class JsonLineParser extends LineParser {
  readonly format: string;

  constructor(source: string) {
    super();
    this.format = source;
  }

  protected parse(text: string): Association[] {
    if (text.trim() === "") return [];
    const o = parseJsonObject(text);
    if (o === null) return this.reject("not json", text);
    return this.parseObject(o);
  }

  /** Parse one line's object (the whole line is not at hand: reject without it). */
  protected abstract parseObject(o: JsonObject): Association[];
}
