/**
 * A set file: one mtbl file name per line (relative names resolve against the
 * set file's directory; missing files are skipped), presented as one merged
 * source. With `reload`, the set file is re-read when its mtime changes
 * (checked at most once per `reloadIntervalMs` when a query starts).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { MtblError, MtblErrorCode } from "./errors.js";
import { Merger } from "./merger.js";
import { Reader, type ReaderOptions } from "./reader.js";
import type { MergeFn, MtblIterator, MtblSource } from "./source.js";

export interface FilesetOptions extends ReaderOptions {
  merge?: MergeFn;
  reload?: boolean;
  reloadIntervalMs?: number;
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
    this.#load();
  }

  /** Paths of the files currently in the set, in set-file order. */
  get files(): string[] {
    return [...this.#readers.keys()];
  }

  #load(): void {
    let text: string;
    let mtime: number;
    try {
      mtime = statSync(this.setfile).mtimeMs;
      text = readFileSync(this.setfile, "utf8");
    } catch (e) {
      throw new MtblError(MtblErrorCode.IO, `${this.setfile}: ${(e as Error).message}`);
    }
    const base = dirname(this.setfile);
    const next = new Map<string, Reader>();
    for (const line of text.split("\n")) {
      const name = line.trim();
      if (!name) continue;
      const path = isAbsolute(name) ? name : join(base, name);
      if (next.has(path)) continue;
      const have = this.#readers.get(path);
      if (have) {
        next.set(path, have);
        continue;
      }
      if (!existsSync(path)) continue;
      next.set(path, Reader.open(path, this.#opts));
    }
    for (const [p, r] of this.#readers) if (!next.has(p)) r.close();
    this.#readers = next;
    this.#merger = new Merger([...next.values()], this.#opts.merge);
    this.#mtime = mtime;
  }

  /** Re-read the set file if it changed (only when reload is on). */
  maybeReload(): void {
    if (!this.#opts.reload) return;
    const now = Date.now();
    if (now - this.#lastCheck < (this.#opts.reloadIntervalMs ?? 1000)) return;
    this.#lastCheck = now;
    let m: number;
    try {
      m = statSync(this.setfile).mtimeMs;
    } catch {
      return;
    }
    if (m !== this.#mtime) this.#load();
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
