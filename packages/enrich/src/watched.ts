import { statSync } from "node:fs";
import { MmdbDatabase } from "./database.js";

/** What a WatchedDatabase reports (one line each; a failing file is reported once until it changes). */
export type WatchEvent = { type: "swap"; path: string; buildEpoch: number } | { type: "error"; path: string; message: string };

export interface WatchOptions {
  /** stat the file this often, ms (default 5000; 0: only when check() is called) */
  pollMs?: number;
  onEvent?: (e: WatchEvent) => void;
}

const stamp = (path: string): string | null => {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return null;
  }
};

/**
 * A database file watched by stat polling: when the file changes (a copy over it, a rename onto
 * it) the new one is opened and checked, and only then replaces the one in use. A half-written or
 * corrupt file never breaks lookups: the old database stays until the file changes again and opens.
 */
export class WatchedDatabase {
  readonly path: string;
  #db: MmdbDatabase;
  #seen: string | null;
  #failed: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #onEvent: ((e: WatchEvent) => void) | undefined;
  /** bumped at each swap (caches keyed on it) */
  generation = 0;

  /** Opens the file now: throws EnrichError OPEN / FORMAT (a bad database at start is fatal). */
  constructor(path: string, opts: WatchOptions = {}) {
    this.path = path;
    this.#seen = stamp(path);
    this.#db = MmdbDatabase.open(path);
    this.#onEvent = opts.onEvent;
    const poll = opts.pollMs ?? 5000;
    if (poll > 0) {
      this.#timer = setInterval(() => this.check(), poll);
      this.#timer.unref();
    }
  }

  get db(): MmdbDatabase {
    return this.#db;
  }

  /** Stat the file; open it if it changed. True when a new database took over. */
  check(): boolean {
    const now = stamp(this.path);
    if (now === this.#seen || now === null || now === this.#failed) {
      if (now === null && this.#failed !== "missing") {
        this.#failed = "missing";
        this.#onEvent?.({ type: "error", path: this.path, message: `${this.path}: missing; keeping the database in use` });
      }
      return false;
    }
    try {
      const db = MmdbDatabase.open(this.path);
      this.#db = db;
      this.#seen = now;
      this.#failed = null;
      this.generation++;
      this.#onEvent?.({ type: "swap", path: this.path, buildEpoch: db.buildEpoch });
      return true;
    } catch (e) {
      this.#failed = now;
      this.#onEvent?.({ type: "error", path: this.path, message: `${(e as Error).message}; keeping the database in use` });
      return false;
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
