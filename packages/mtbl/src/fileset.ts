/**
 * A set file: one mtbl file name per line (relative names resolve against the set file's
 * directory; blank lines and repeats are ignored), presented as one merged source. With
 * `reload`, the set file is re-read when its mtime changes (checked at most once per
 * `reloadIntervalMs` when a query starts).
 *
 * libmtbl (my_fileset.c, fileset.c) loses data without a word: a line naming a file that does not
 * exist, or that mtbl_reader_init cannot open or parse, is skipped, and a set file it cannot read
 * is an empty set. Here nothing is dropped silently:
 * - a set file that cannot be read (missing, a directory, no permission) throws ERR_IO, and one
 *   that is not text (it holds a NUL byte, as every mtbl file does) throws ERR_INVALID;
 * - a member that exists but is not an mtbl file (not a regular file, bad magic, damaged) throws
 *   the reader's error code with "bad set member PATH: …";
 * - a member that cannot be opened (missing, no permission) throws ERR_IO "cannot open set member
 *   PATH: reason" — or, with `onError`, is reported there and left out (libmtbl's skip, made
 *   visible); it is tried again when the set file next changes.
 * A reload that fails keeps the set in effect: the error goes to `onError`, or without one is
 * thrown from the query that started the reload (the next check retries it).
 */
import { readFileSync, type Stats, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { isMtblError, MtblError, MtblErrorCode } from "./errors.js";
import { Merger } from "./merger.js";
import { MAGIC_V1, MAGIC_V2 } from "./metadata.js";
import { Reader, type ReaderOptions } from "./reader.js";
import type { MergeFn, MtblIterator, MtblSource } from "./source.js";

export interface FilesetOptions extends ReaderOptions {
  merge?: MergeFn;
  reload?: boolean;
  reloadIntervalMs?: number;
  /**
   * Told of what the fileset works around instead of throwing: a member that cannot be opened
   * (left out of the set) and a reload that failed (the set in effect stays). `path` is the
   * member or the set file. Without it, these throw.
   */
  onError?: (error: MtblError, path: string) => void;
}

export class Fileset implements MtblSource {
  readonly setfile: string;
  readonly #opts: FilesetOptions;
  #readers = new Map<string, Reader>();
  #merger: Merger = new Merger([]);
  #mtime = -1;
  #lastCheck = 0;

  constructor(setfile: string, opts: FilesetOptions = {}) {
    this.setfile = setfile;
    this.#opts = opts;
    this.#load(statSetfile(setfile));
  }

  /** Paths of the files currently in the set, in set-file order. */
  get files(): string[] {
    return [...this.#readers.keys()];
  }

  /** Open what the set file names; on any error the set in effect is left as it was. */
  #load(st: Stats): void {
    const names = readSetfile(this.setfile);
    const base = dirname(this.setfile);
    const next = new Map<string, Reader>();
    const opened: Reader[] = [];
    try {
      for (const name of names) {
        const path = isAbsolute(name) ? name : join(base, name);
        if (next.has(path)) continue;
        const have = this.#readers.get(path);
        if (have) {
          next.set(path, have);
          continue;
        }
        const r = this.#openMember(path);
        if (r === null) continue;
        opened.push(r);
        next.set(path, r);
      }
    } catch (e) {
      for (const r of opened) r.close();
      throw e;
    }
    for (const [p, r] of this.#readers) if (!next.has(p)) r.close();
    this.#readers = next;
    this.#merger = new Merger([...next.values()], this.#opts.merge);
    this.#mtime = st.mtimeMs;
  }

  /** A member's reader, or null when it cannot be opened and onError took the error. */
  #openMember(path: string): Reader | null {
    let st: Stats;
    try {
      st = statSync(path);
    } catch (e) {
      return this.#skip(new MtblError(MtblErrorCode.IO, `cannot open set member ${path}: ${systemReason(e)}`), path);
    }
    if (!st.isFile()) {
      throw new MtblError(
        MtblErrorCode.CORRUPTION,
        `bad set member ${path}: ${st.isDirectory() ? "a directory" : "not a regular file"}, not an mtbl file`,
      );
    }
    try {
      return Reader.open(path, this.#opts);
    } catch (e) {
      if (!isMtblError(e)) throw e;
      if (e.code === MtblErrorCode.IO) {
        return this.#skip(new MtblError(MtblErrorCode.IO, `cannot open set member ${path}: ${systemReason(e)}`), path);
      }
      throw new MtblError(e.code, `bad set member ${path}: ${e.message}`);
    }
  }

  #skip(err: MtblError, path: string): null {
    if (!this.#opts.onError) throw err;
    this.#opts.onError(err, path);
    return null;
  }

  /** Re-read the set file if it changed (only when reload is on). */
  maybeReload(): void {
    if (!this.#opts.reload) return;
    const now = Date.now();
    if (now - this.#lastCheck < (this.#opts.reloadIntervalMs ?? 1000)) return;
    this.#lastCheck = now;
    try {
      const st = statSetfile(this.setfile);
      if (st.mtimeMs !== this.#mtime) this.#load(st);
    } catch (e) {
      if (!isMtblError(e) || !this.#opts.onError) throw e;
      this.#opts.onError(e, this.setfile);
    }
  }

  close(): void {
    for (const r of this.#readers.values()) r.close();
    this.#readers.clear();
  }

  iter(): MtblIterator {
    this.maybeReload();
    return this.#merger.iter();
  }
  get(key: Uint8Array): MtblIterator {
    this.maybeReload();
    return this.#merger.get(key);
  }
  getPrefix(prefix: Uint8Array): MtblIterator {
    this.maybeReload();
    return this.#merger.getPrefix(prefix);
  }
  getRange(lo: Uint8Array, hi: Uint8Array): MtblIterator {
    this.maybeReload();
    return this.#merger.getRange(lo, hi);
  }
}

function statSetfile(setfile: string): Stats {
  let st: Stats;
  try {
    st = statSync(setfile);
  } catch (e) {
    throw new MtblError(MtblErrorCode.IO, `cannot read set file ${setfile}: ${systemReason(e)}`);
  }
  if (st.isDirectory()) throw new MtblError(MtblErrorCode.IO, `cannot read set file ${setfile}: is a directory`);
  return st;
}

/** The names a set file lists: its lines, trimmed, without blank ones. */
function readSetfile(setfile: string): string[] {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(setfile);
  } catch (e) {
    throw new MtblError(MtblErrorCode.IO, `cannot read set file ${setfile}: ${systemReason(e)}`);
  }
  // No path name holds a NUL byte; every mtbl file does (its trailer's padding).
  if (bytes.includes(0)) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = bytes.length >= 4 ? dv.getUint32(bytes.length - 4, true) : 0;
    const what = magic === MAGIC_V2 || magic === MAGIC_V1 ? "it is an mtbl file" : "it holds binary data";
    throw new MtblError(MtblErrorCode.INVALID, `not a set file: ${setfile} (${what}, not a list of file names)`);
  }
  return new TextDecoder()
    .decode(bytes)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** "no such file or directory" from Node's "ENOENT: no such file or directory, open '…'" (wrapped or not). */
function systemReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /\b[A-Z][A-Z0-9]+: (.+?), [a-z]+ '/.exec(msg);
  return m?.[1] ?? msg;
}
