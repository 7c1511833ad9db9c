/**
 * Bytes → lines for the line parsers, with bounded memory: a line longer than `maxLine` bytes is
 * not kept but skipped up to its newline and reported as too long (with its length in bytes). Lines are decoded as UTF-8
 * (invalid sequences become U+FFFD, which parsers count as "invalid UTF-8"); a trailing `\r` is
 * dropped. `end()` reports an unterminated last line separately (a line cut at EOF).
 */
import { concatBytes } from "@dnsrep/util";
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

  /**
   * The complete lines (and over-long line notices) this chunk finishes. The lines inside a chunk
   * are decoded in one go and split, so the cost per line is a substring, not a decoder call.
   */
  push(chunk: Uint8Array, out: LineEvent[] = []): LineEvent[] {
    let start = 0;
    if (this.partLen > 0 || this.skipping > 0) {
      // finish the line held from earlier chunks
      const nl = chunk.indexOf(10);
      const end = nl === -1 ? chunk.length : nl;
      if (this.skipping > 0) this.skipping += end;
      else if (this.partLen + end > this.maxLine) {
        this.skipping = this.partLen + end;
        this.parts = [];
        this.partLen = 0;
      } else {
        this.parts.push(chunk.slice(0, end));
        this.partLen += end;
      }
      if (nl === -1) return out;
      if (this.skipping > 0) {
        out.push({ tooLong: this.skipping });
        this.skipping = 0;
      } else out.push({ line: decodeLine(this.take()) });
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      const text = decoder.decode(chunk.subarray(start, last));
      // newlines are single bytes and single characters (a decoder never folds 0x0A into a
      // sequence), so the k-th line of the text is the k-th line of the bytes: lengths in bytes
      let from = 0;
      let bfrom = start;
      for (;;) {
        const nl = text.indexOf("\n", from);
        const bnl = nl === -1 ? last : chunk.indexOf(10, bfrom);
        const bytes = bnl - bfrom;
        const end = nl === -1 ? text.length : nl;
        const cr = end > from && text.charCodeAt(end - 1) === 13 ? 1 : 0;
        if (bytes > this.maxLine) out.push({ tooLong: bytes });
        else out.push({ line: text.slice(from, end - cr) });
        if (nl === -1) break;
        from = nl + 1;
        bfrom = bnl + 1;
      }
      start = last + 1;
    }
    const rest = chunk.length - start;
    if (rest > 0) {
      if (rest > this.maxLine) this.skipping = rest;
      else {
        this.parts.push(chunk.slice(start));
        this.partLen = rest;
      }
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
    const b = this.parts.length === 1 ? (this.parts[0] as Uint8Array) : concatBytes(this.parts);
    this.parts = [];
    this.partLen = 0;
    return b;
  }
}

function decodeLine(b: Uint8Array): string {
  const n = b.length > 0 && b[b.length - 1] === 13 ? b.length - 1 : b.length;
  return decoder.decode(b.subarray(0, n));
}
