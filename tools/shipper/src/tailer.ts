/**
 * The set of files the shipper tails. Every poll it expands the inputs' globs and follows files by
 * identity (device, inode), not by name: a file renamed by a rotation keeps being read from its open
 * descriptor until it has been drained and stayed still for a while, the new file at the old name
 * is read from its start, a file truncated under it (copytruncate) is read again from 0, and a file
 * known to the registry resumes at its committed offset (only if its first bytes are the ones
 * recorded: an inode reused by a new file starts at 0).
 */
import { fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LogParser } from "@dnsrep/logs";
import { expandGlob, isCompressedName } from "./glob.js";
import { fileKey, type LineSink, readHead, TailFile } from "./tail-file.js";

/** What the registry remembers of a file. */
export interface FilePosition {
  path: string;
  dev: number;
  ino: number;
  offset: number;
  /** hash of the first head_len bytes */
  head: string;
  head_len: number;
}

export interface TailerOptions {
  /** Glob patterns per input (the index is the file's `input`). */
  inputs: readonly (readonly string[])[];
  /** A fresh parser for a file of input `i`. */
  parser: (input: number) => LogParser;
  /** Positions from the registry. */
  known: readonly FilePosition[];
  /** Files first seen at the first scan and not in the registry start at their end (default: start). */
  startAtEnd?: boolean;
  maxLineBytes?: number;
  /** A file no input names any more is closed once drained and still for this long (ms, default 5000). */
  closeInactiveMs?: number;
  cwd?: string;
}

/** Events beside lines. */
export interface TailerSink extends LineSink {
  /** A file was truncated under the reader (it starts over at 0). */
  truncated(file: TailFile): void;
  /** A file is done (rotated away and drained, or gone): its parser's end() is due. */
  closed(file: TailFile): void;
  /** A file could not be opened or read (a one-line message). */
  error(path: string, message: string): void;
}

export class Tailer {
  readonly #o: TailerOptions;
  readonly #files = new Map<string, TailFile>();
  #known: Map<string, FilePosition>;
  #first = true;

  constructor(o: TailerOptions) {
    this.#o = o;
    this.#known = new Map(o.known.map((p) => [fileKey(p.dev, p.ino), p]));
  }

  get files(): readonly TailFile[] {
    return [...this.#files.values()];
  }

  /** Look for new, renamed, truncated and vanished files. */
  scan(sink: TailerSink): void {
    const seen = new Set<string>();
    this.#o.inputs.forEach((globs, input) => {
      for (const g of globs)
        for (const path of expandGlob(g, this.#o.cwd)) {
          let st: { dev: number; ino: number };
          try {
            st = statSync(path);
          } catch {
            continue;
          }
          const key = fileKey(st.dev, st.ino);
          if (seen.has(key)) continue;
          seen.add(key);
          const f = this.#files.get(key);
          if (f) {
            f.path = path;
            f.detached = false;
          } else this.#open(path, input, sink, false);
        }
    });
    if (this.#first) this.#recoverRenamed(seen, sink);
    this.#first = false;
    for (const f of this.#files.values()) {
      if (!seen.has(f.key)) f.detached = true;
      try {
        if (f.checkTruncated()) sink.truncated(f);
      } catch (e) {
        sink.error(f.path, (e as Error).message);
        this.#close(f, sink);
      }
    }
  }

  /**
   * Read what is there, up to `budget` bytes in all, files in turn; returns the bytes read.
   * Closes detached files that were drained and stayed still for closeInactiveMs.
   */
  read(scratch: Buffer, budget: number, sink: TailerSink): number {
    let total = 0;
    for (const f of [...this.#files.values()]) {
      while (total < budget) {
        let n: number;
        try {
          n = f.read(scratch, sink);
        } catch (e) {
          sink.error(f.path, (e as Error).message);
          this.#close(f, sink);
          break;
        }
        if (n === 0) break;
        total += n;
      }
      if (f.detached && f.behind === 0 && Date.now() - f.lastGrowth >= (this.#o.closeInactiveMs ?? 5000)) {
        f.finish(sink);
        this.#close(f, sink);
      }
    }
    return total;
  }

  /** Positions to commit: every open file at its last line boundary. */
  positions(): FilePosition[] {
    return [...this.#files.values()].map((f) => ({
      path: f.path,
      dev: f.dev,
      ino: f.ino,
      offset: f.offset,
      head: f.head,
      head_len: f.headLen,
    }));
  }

  /** Bytes not read yet, over all files. */
  get behind(): number {
    let b = 0;
    for (const f of this.#files.values()) b += f.behind;
    return b;
  }

  /** Close every file (at exit; no parser end: the next run resumes at the committed offsets). */
  closeAll(): void {
    for (const f of this.#files.values()) f.close();
    this.#files.clear();
  }

  #open(path: string, input: number, sink: TailerSink, detached: boolean): TailFile | undefined {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      sink.error(path, (e as Error).message);
      return undefined;
    }
    const st = fstatSync(fd);
    const key = fileKey(st.dev, st.ino);
    let offset = 0;
    const k = this.#known.get(key);
    if (k && k.offset <= st.size && (k.head_len === 0 || readHead(fd, k.head_len).hash === k.head)) offset = k.offset;
    else if (this.#first && this.#o.startAtEnd) offset = lastLineEnd(fd, st.size);
    this.#known.delete(key);
    const f = new TailFile({
      path,
      fd,
      dev: st.dev,
      ino: st.ino,
      offset,
      parser: this.#o.parser(input),
      input,
      maxLineBytes: this.#o.maxLineBytes ?? 1 << 20,
    });
    f.size = st.size;
    f.detached = detached;
    this.#files.set(key, f);
    return f;
  }

  /**
   * A file the registry knew that no longer sits at its path: renamed by a rotation while the
   * shipper was down. Found beside its old path by inode, it is drained from its offset.
   */
  #recoverRenamed(seen: Set<string>, sink: TailerSink): void {
    for (const [key, k] of this.#known) {
      if (seen.has(key)) continue;
      const dir = dirname(k.path);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) {
        const p = join(dir, n);
        if (isCompressedName(p)) continue;
        try {
          const st = statSync(p);
          if (!st.isFile() || fileKey(st.dev, st.ino) !== key) continue;
        } catch {
          continue;
        }
        const input = this.#inputOf(k.path);
        this.#open(p, input, sink, true);
        break;
      }
    }
    this.#known.clear();
  }

  #inputOf(path: string): number {
    // the input whose pattern named the old path; the first input when none does any more
    const dir = dirname(path);
    const i = this.#o.inputs.findIndex((globs) => globs.some((g) => dirname(g) === dir || g === path));
    return Math.max(i, 0);
  }

  #close(f: TailFile, sink: TailerSink): void {
    f.close();
    this.#files.delete(f.key);
    sink.closed(f);
  }
}

/** The end of the last complete line (where a reader starting "at the end" begins). */
function lastLineEnd(fd: number, size: number): number {
  if (size === 0) return 0;
  const b = Buffer.alloc(Math.min(size, 1 << 16));
  const pos = size - b.length;
  const n = readSync(fd, b, 0, b.length, pos);
  const i = b.subarray(0, n).lastIndexOf(10);
  return i < 0 ? (pos === 0 ? 0 : size) : pos + i + 1;
}
