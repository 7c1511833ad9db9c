import type { Association, LogParser } from "./observation.js";

/** Longest line the document-format parsers look at (characters); longer lines are counted as "line too long". */
export const DEFAULT_MAX_LINE = 256 * 1024;

/**
 * The bookkeeping every line parser of this package shares: lines read, rejections by reason, and a
 * cap on the line length so a runaway line (a binary file, a missing newline) costs one counter
 * instead of a JSON parse or a regular-expression run over megabytes.
 */
export abstract class CountedParser implements LogParser {
  abstract readonly format: string;
  readonly rejected = new Map<string, number>();
  lines = 0;
  protected readonly maxLine: number;

  constructor(maxLine = DEFAULT_MAX_LINE) {
    this.maxLine = maxLine;
  }

  line(text: string): Association[] {
    this.lines++;
    if (text.length > this.maxLine) {
      this.reject("line too long");
      return [];
    }
    return this.parse(text);
  }

  end(): Association[] {
    return [];
  }

  /** Parse one line already counted and length-checked. */
  protected abstract parse(text: string): Association[];

  /** Count one rejection (a line, or one answer of a line whose other answers were kept). */
  reject(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }
}
