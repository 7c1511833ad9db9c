/**
 * Bytes → lines for the line parsers, with bounded memory: a line longer than `maxLine` bytes is
 * not buffered but skipped up to its newline and reported as too long. Lines are decoded as UTF-8
 * (invalid sequences become U+FFFD, which parsers count as "invalid UTF-8"); a trailing `\r` is
 * dropped. `end()` reports an unterminated last line separately (a line cut at EOF).
 */
import { MAX_LINE } from "./line-parser.js";

export type LineEvent = { line: string } | { tooLong: number };

const decoder = new TextDecoder("utf-8");

export class LineSplitter {
  private readonly maxLine: number;
  private parts: Uint8Array[] = [];
  private partLen = 0;
  /** Bytes of the current over-long line skipped so far (0 when not skipping). */
  private skipping = 0;

  constructor(maxLine = MAX_LINE) {
    this.maxLine = maxLine;
  }

  /** The complete lines (and over-long line notices) this chunk finishes. */
  push(chunk: Uint8Array, out: LineEvent[] = []): LineEvent[] {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.skipping > 0) {
        this.skipping += end - start;
      } else if (this.partLen + (end - start) > this.maxLine) {
        this.skipping = this.partLen + (end - start);
        this.parts = [];
        this.partLen = 0;
      } else if (nl !== -1 && this.partLen === 0) {
        out.push({ line: decodeLine(chunk.subarray(start, end)) });
      } else {
        this.parts.push(chunk.slice(start, end));
        this.partLen += end - start;
        if (nl !== -1) out.push({ line: decodeLine(this.take()) });
      }
      if (nl === -1) break;
      if (this.skipping > 0) {
        out.push({ tooLong: this.skipping });
        this.skipping = 0;
      }
      start = nl + 1;
    }
    return out;
  }

  /** End of input: the unterminated last line, if any (`cut`), or an over-long one being skipped. */
  end(): { cut?: string; tooLong?: number } {
    if (this.skipping > 0) {
      const n = this.skipping;
      this.skipping = 0;
      return { tooLong: n };
    }
    if (this.partLen === 0) return {};
    return { cut: decodeLine(this.take()) };
  }

  private take(): Uint8Array {
    const b = this.parts.length === 1 ? (this.parts[0] as Uint8Array) : concat(this.parts, this.partLen);
    this.parts = [];
    this.partLen = 0;
    return b;
  }
}

function concat(parts: Uint8Array[], len: number): Uint8Array {
  const b = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    b.set(p, o);
    o += p.length;
  }
  return b;
}

function decodeLine(b: Uint8Array): string {
  const n = b.length > 0 && b[b.length - 1] === 13 ? b.length - 1 : b.length;
  return decoder.decode(b.subarray(0, n));
}
