/**
 * One file being tailed: reads from an open descriptor at the offset it reached, cuts the bytes
 * into lines, holds a line cut at EOF until its rest arrives, skips lines longer than the limit and
 * lines that are not UTF-8 (counted by reason), and notices a truncation (copytruncate) by the size
 * dropping under what it read. `offset` is always at a line boundary: the byte after the last line
 * handed out (what the registry may commit).
 */

import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, fstatSync, readSync } from "node:fs";
import type { LogParser } from "@dnsrep/logs";

/** How many first bytes identify a file beside its inode (an inode reused by a new file). */
export const HEAD_BYTES = 256;

/** Where lines and bad lines go. */
export interface LineSink {
  line(file: TailFile, text: string): void;
  bad(file: TailFile, reason: string): void;
}

export interface TailFileOptions {
  path: string;
  fd: number;
  dev: number;
  ino: number;
  /** Where to start (a line boundary). */
  offset: number;
  parser: LogParser;
  /** Index of the input (config section) the file belongs to. */
  input: number;
  maxLineBytes: number;
}

export class TailFile {
  path: string;
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  readonly key: string;
  readonly parser: LogParser;
  readonly input: number;
  readonly maxLineBytes: number;
  /** The byte after the last complete line handed out. */
  offset: number;
  /** Size at the last look. */
  size = 0;
  /** No path matched by the inputs names this file any more (renamed away or deleted). */
  detached = false;
  /** When it last grew (ms). */
  lastGrowth = Date.now();
  /** Hash of the first HEAD_BYTES bytes (or fewer, while the file is shorter), hex. */
  head = "";
  headLen = 0;
  #readPos: number;
  #pending: Buffer | null = null;
  #skipping = false;

  constructor(o: TailFileOptions) {
    this.path = o.path;
    this.fd = o.fd;
    this.dev = o.dev;
    this.ino = o.ino;
    this.key = fileKey(o.dev, o.ino);
    this.parser = o.parser;
    this.input = o.input;
    this.maxLineBytes = o.maxLineBytes;
    this.offset = o.offset;
    this.#readPos = o.offset;
    this.updateHead();
  }

  /** Bytes read past `offset` and not yet handed out (a line cut at EOF). */
  get held(): number {
    return this.#readPos - this.offset;
  }

  /** Bytes in the file not read yet (at the last look). */
  get behind(): number {
    return Math.max(0, this.size - this.#readPos);
  }

  /** Refresh the size; true when the file shrank under what was read (truncated: start over at 0). */
  checkTruncated(): boolean {
    const st = fstatSync(this.fd);
    if (st.size > this.size) this.lastGrowth = Date.now();
    this.size = st.size;
    if (st.size >= this.#readPos) return false;
    this.offset = 0;
    this.#readPos = 0;
    this.#pending = null;
    this.#skipping = false;
    this.head = "";
    this.headLen = 0;
    return true;
  }

  /** Recompute the head fingerprint while the file is shorter than HEAD_BYTES. */
  updateHead(): void {
    if (this.headLen >= HEAD_BYTES) return;
    const r = readHead(this.fd);
    this.head = r.hash;
    this.headLen = r.len;
  }

  /**
   * Read up to `scratch.length` bytes and hand out the complete lines; returns the bytes read
   * (0 at EOF).
   */
  read(scratch: Buffer, sink: LineSink): number {
    const n = readSync(this.fd, scratch, 0, scratch.length, this.#readPos);
    if (n <= 0) return 0;
    const base = this.#readPos;
    this.#readPos += n;
    if (this.headLen < HEAD_BYTES) this.updateHead();
    let start = 0;
    let nl = scratch.indexOf(10, 0);
    if (nl >= n) nl = -1;
    // the rest of a held line
    if (this.#pending !== null || this.#skipping) {
      if (nl < 0) {
        this.#hold(scratch.subarray(0, n), sink);
        return n;
      }
      const rest = scratch.subarray(0, nl);
      if (this.#skipping || (this.#pending?.length ?? 0) + rest.length > this.maxLineBytes) {
        this.#skipping = false;
        this.#pending = null;
        sink.bad(this, "line too long");
      } else {
        const whole = Buffer.concat([this.#pending as Buffer, rest]);
        this.#pending = null;
        this.#emit(whole, 0, whole.length, true, sink);
      }
      this.offset = base + nl + 1;
      start = nl + 1;
      nl = nextNewline(scratch, start, n);
    }
    if (nl >= 0) {
      // one UTF-8 check for the whole run of complete lines; per line only when it fails
      let lastNl = scratch.lastIndexOf(10, n - 1);
      if (lastNl < start) lastNl = nl;
      const allUtf8 = isUtf8(scratch.subarray(start, lastNl));
      while (nl >= 0) {
        if (nl - start > this.maxLineBytes) sink.bad(this, "line too long");
        else this.#emit(scratch, start, nl, allUtf8, sink);
        start = nl + 1;
        this.offset = base + start;
        nl = nextNewline(scratch, start, n);
      }
    }
    if (start < n) this.#hold(scratch.subarray(start, n), sink);
    return n;
  }

  #hold(part: Buffer, sink: LineSink): void {
    if (this.#skipping) return;
    const len = (this.#pending?.length ?? 0) + part.length;
    if (len > this.maxLineBytes) {
      // keep nothing of a line past the limit: skip to its newline
      this.#pending = null;
      this.#skipping = true;
      return;
    }
    this.#pending = this.#pending === null ? Buffer.from(part) : Buffer.concat([this.#pending, part]);
    void sink;
  }

  #emit(buf: Buffer, start: number, end: number, utf8Known: boolean, sink: LineSink): void {
    if (end > start && buf[end - 1] === 13) end--; // CRLF
    if (!utf8Known && !isUtf8(buf.subarray(start, end))) {
      sink.bad(this, "invalid UTF-8");
      return;
    }
    sink.line(this, buf.toString("utf8", start, end));
  }

  /**
   * The writer is gone (the file was rotated away and stopped growing): a last line without its
   * newline is a line. Hands it out and moves `offset` to the end.
   */
  finish(sink: LineSink): void {
    if (this.#pending !== null) {
      const p = this.#pending;
      this.#pending = null;
      this.#emit(p, 0, p.length, false, sink);
    } else if (this.#skipping) {
      this.#skipping = false;
      sink.bad(this, "line too long");
    }
    this.offset = this.#readPos;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

function nextNewline(buf: Buffer, from: number, end: number): number {
  if (from >= end) return -1;
  const i = buf.indexOf(10, from);
  return i >= 0 && i < end ? i : -1;
}

export function fileKey(dev: number, ino: number): string {
  return `${dev}:${ino}`;
}

/** Hash of a file's first HEAD_BYTES bytes (fewer if shorter). */
export function readHead(fd: number, len = HEAD_BYTES): { hash: string; len: number } {
  const b = Buffer.alloc(len);
  const n = readSync(fd, b, 0, len, 0);
  return { hash: createHash("sha256").update(b.subarray(0, n)).digest("hex").slice(0, 32), len: n };
}
