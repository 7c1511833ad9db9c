import { closeSync, fdatasyncSync, fsyncSync, openSync, readFileSync, rmSync } from "node:fs";
import { writeAllSync, writeFileAtomic } from "@dnsrep/util";

/**
 * The Idempotency-Key memory of the ingest route: which batches were applied (and, for a batch
 * split over several stores, which parts), remembered for `windowMs` and across restarts. It is a
 * journal, `FILE`, of JSON lines `{"k":KEY,"t":EPOCH_MS,"n":ACCEPTED,"p":[PART…],"d":DONE}`, each
 * appended and flushed to disk before the batch is acknowledged; a torn last line (a crash while
 * appending) is ignored when it is read back. When the journal holds twice the live entries it is
 * rewritten (temp file, fsync, rename). At most `maxKeys` are kept: beyond it the oldest are
 * forgotten first (a retry of one of those would be applied again).
 */
export interface IdempotencyOptions {
  /** how long a key is remembered (default 24 h) */
  windowMs?: number;
  /** the most keys remembered (default 100000) */
  maxKeys?: number;
  /** epoch ms (tests) */
  now?: () => number;
}

/** What is remembered of a batch. */
export interface IdempotencyEntry {
  /** epoch ms of its first application */
  at: number;
  /** observations the batch held */
  accepted: number;
  /** the parts (stores) already applied */
  parts: string[];
  /** whether every part was applied */
  done: boolean;
}

export const MAX_IDEMPOTENCY_KEY = 200;

/** Whether a header value may be an Idempotency-Key: 1 to 200 printable ASCII characters. */
export function validIdempotencyKey(k: string): boolean {
  return k.length >= 1 && k.length <= MAX_IDEMPOTENCY_KEY && /^[\x21-\x7e]+$/.test(k);
}

export class IdempotencyStore {
  readonly path: string;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** live entries, oldest first (Map keeps insertion order; a re-set moves nothing, which is fine: `at` never changes) */
  readonly #entries = new Map<string, IdempotencyEntry>();
  #fd: number;
  #lines = 0;

  constructor(path: string, opts: IdempotencyOptions = {}) {
    this.path = path;
    this.#windowMs = opts.windowMs ?? 24 * 3600 * 1000;
    this.#maxKeys = opts.maxKeys ?? 100_000;
    this.#now = opts.now ?? Date.now;
    if (!(this.#windowMs > 0)) throw new RangeError("idempotency window must be positive");
    if (!Number.isSafeInteger(this.#maxKeys) || this.#maxKeys < 1) throw new RangeError("idempotency maxKeys must be a positive integer");
    // a rewrite a crash cut short leaves its temporary file: the journal itself is intact
    rmSync(`${path}.tmp`, { force: true });
    this.#load();
    this.#rewrite();
    this.#fd = openSync(path, "a", 0o600);
  }

  #load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const line of text.split("\n")) {
      if (line === "") continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        continue; // a torn last line
      }
      const o = v as { k?: unknown; t?: unknown; n?: unknown; p?: unknown; d?: unknown };
      if (typeof o.k !== "string" || typeof o.t !== "number" || typeof o.n !== "number" || !Array.isArray(o.p)) continue;
      const prev = this.#entries.get(o.k);
      this.#entries.delete(o.k);
      this.#entries.set(o.k, {
        at: prev?.at ?? o.t,
        accepted: o.n,
        parts: o.p.filter((x): x is string => typeof x === "string"),
        done: o.d === true,
      });
    }
    this.#expire();
  }

  #expire(): void {
    const oldest = this.#now() - this.#windowMs;
    for (const [k, e] of this.#entries) {
      if (e.at >= oldest && this.#entries.size <= this.#maxKeys) break;
      this.#entries.delete(k);
    }
  }

  #line(k: string, e: IdempotencyEntry): string {
    return `${JSON.stringify({ k, t: e.at, n: e.accepted, p: e.parts, d: e.done })}\n`;
  }

  /** Rewrite the journal with the live entries only (atomically). */
  #rewrite(): void {
    let text = "";
    for (const [k, e] of this.#entries) text += this.#line(k, e);
    writeFileAtomic(this.path, text, { temp: `${this.path}.tmp`, mode: 0o600 });
    this.#lines = this.#entries.size;
  }

  /** What is remembered of `key` (null: nothing, or forgotten). */
  get(key: string): IdempotencyEntry | null {
    const e = this.#entries.get(key);
    if (e === undefined) return null;
    if (e.at < this.#now() - this.#windowMs) {
      this.#entries.delete(key);
      return null;
    }
    return e;
  }

  /** Remember that `parts` of the batch `key` are applied (durably, before this returns). */
  record(key: string, accepted: number, parts: readonly string[], done: boolean): void {
    const prev = this.get(key);
    const e: IdempotencyEntry = { at: prev?.at ?? this.#now(), accepted, parts: [...new Set([...(prev?.parts ?? []), ...parts])], done };
    if (prev === null) this.#entries.delete(key);
    this.#entries.set(key, e);
    writeAllSync(this.#fd, Buffer.from(this.#line(key, e), "utf8"));
    fdatasyncSync(this.#fd);
    this.#lines++;
    this.#expire();
    if (this.#lines > 2 * this.#entries.size + 1000) {
      closeSync(this.#fd);
      this.#rewrite();
      this.#fd = openSync(this.path, "a", 0o600);
    }
  }

  /** Number of keys remembered. */
  get size(): number {
    return this.#entries.size;
  }

  close(): void {
    try {
      fsyncSync(this.#fd);
    } catch {
      // nothing left to flush
    }
    closeSync(this.#fd);
  }
}
