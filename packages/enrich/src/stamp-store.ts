import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { acquireLock, releaseLock } from "@dnsrep/store";
import type { Enricher } from "./enricher.js";
import { EnrichError, EnrichErrorCode, fromSystemError } from "./errors.js";
import { PairSet } from "./pair-set.js";
import type { Stamp } from "./stamp.js";
import { BlockBuilder } from "./stamp-block.js";
import { type StampedPair, StampIndex } from "./stamp-index.js";
import { createStampLog, LOG_NAME, type ReplayResult, readStampLog, type StampLogIo, StampLogWriter } from "./stamp-log.js";
import { hasOldStampStore, migrateOldStampStore, removeOldStampStore } from "./stamp-migrate.js";

/**
 * The stamp store: the first stamp of every (rrname, address) ingested, in `DIR/enrich/STAMPS.log`
 * (stamp-log.ts: append-only, checksummed blocks, one per stamped batch, group commit and the
 * data's sync policy) and in memory (stamp-index.ts: every pair, in typed arrays), rebuilt from
 * the log at open. First wins exactly: a pair already held is never written again, so a stamp is
 * fixed at first ingest and survives database swaps and restarts. A stamp store of the old kind
 * (an @dnsrep/store in the same directory) is converted at open (stamp-migrate.ts).
 */

/** What a stamper needs of an observation: A (1) and AAAA (28) rdata are the addresses. */
export interface StampableObservation {
  rrname: Uint8Array;
  rrtype: number;
  rdata: readonly Uint8Array[];
}

export interface StampStoreOptions {
  /** always: each batch's block written and fdatasynced alone; batch (default): group commit; none: no fdatasync */
  sync?: "always" | "batch" | "none";
  /** clock, epoch s */
  now?: () => number;
  /** told of a torn tail dropped at open, and of a migration */
  onEvent?: (e: StampStoreEvent) => void;
  /** the log's file calls (tests: failures put in) */
  io?: StampLogIo;
}

export type StampStoreEvent =
  | { type: "torn"; path: string; offset: number; bytes: number }
  | { type: "migrated"; path: string; pairs: number };

/**
 * A reader's view of the stamps: the pairs stamped when it was made (later ones are not seen).
 * Pairs and stamps handed out are the caller's; names are in lower case.
 */
export interface StampsView {
  /** the first stamp of (rrname, address) (any case), or null */
  lookup(rrname: Uint8Array, address: Uint8Array): StampedPair | null;
  /** every (rrname, address) first stamped with this ASN, by address (IPv4 first), then name */
  byAsn(asn: number): Generator<StampedPair>;
  /** every (rrname, address) first stamped with this country code, ordered as byAsn */
  byCountry(cc: string): Generator<StampedPair>;
}

const LOCK_NAME = "STAMPS.lock";

/** scratch: a pair's hash */
const H = new Uint32Array(2);

export class StampStore {
  readonly dir: string;
  readonly #index: StampIndex;
  readonly #log: StampLogWriter;
  readonly #now: () => number;
  readonly #block = new BlockBuilder();
  /** per stamp id: 1 once a block defining it is durable (later blocks then only name it) */
  #durable = new Uint8Array(64);
  /** per stamp id: the serial of the block being built that defines it */
  #inBlock = new Float64Array(64);
  #serial = 0;
  #closed = false;

  private constructor(dir: string, index: StampIndex, log: StampLogWriter, opts: StampStoreOptions) {
    this.dir = dir;
    this.#index = index;
    this.#log = log;
    this.#now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    for (let id = 0; id < index.stampCount; id++) if (index.has(id)) this.#markDurable(id);
  }

  /**
   * Open (or create) the stamp store in `dir` (the live store's `DIR/enrich`): convert a stamp
   * store of the old kind, read the log (dropping a torn tail; EnrichError CORRUPTION for a
   * damaged block anywhere else), and hold every pair in memory.
   */
  static async open(dir: string, opts: StampStoreOptions = {}): Promise<StampStore> {
    const sync = opts.sync ?? "batch";
    if (!["always", "batch", "none"].includes(sync)) throw new RangeError(`sync must be always, batch or none, got ${sync}`);
    const path = join(dir, LOG_NAME);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw fromSystemError(e, `cannot create ${dir}`);
    }
    // one process per stamp log (StoreError LOCKED otherwise), taken before anything is read or cut
    acquireLock(dir, LOCK_NAME);
    try {
      return await StampStore.#open(dir, path, sync, opts);
    } catch (e) {
      releaseLock(dir, LOCK_NAME);
      throw e;
    }
  }

  static async #open(dir: string, path: string, sync: "always" | "batch" | "none", opts: StampStoreOptions): Promise<StampStore> {
    if (!existsSync(path) && hasOldStampStore(dir)) {
      const pairs = await migrateOldStampStore(dir, path);
      opts.onEvent?.({ type: "migrated", path, pairs });
    } else if (hasOldStampStore(dir)) removeOldStampStore(dir); // a migration that crashed after its rename
    if (!existsSync(path)) createStampLog(path, []);
    const index = new StampIndex();
    const bad = (what: string): EnrichError => new EnrichError(EnrichErrorCode.CORRUPTION, `${path}: ${what} (the stamp log is damaged)`);
    let r: ReplayResult = readStampLog(path, {
      stamp(id, bytes) {
        if (!index.define(id, bytes)) throw bad(`stamp ${id} is not a stamp, or defined twice differently`);
      },
      pair(time, id, buf, at, end) {
        if (!index.has(id)) throw bad(`a pair names stamp ${id}, which is not defined before it`);
        index.addFromLog(time, id, buf, at, end);
      },
    });
    if (r.length === 0) {
      // created but never written whole (a crash in createStampLog before its rename cannot leave this; a zeroed file can)
      createStampLog(path, []);
      r = { length: 8, blocks: 0, torn: r.torn };
    }
    if (r.torn > 0) opts.onEvent?.({ type: "torn", path, offset: r.length, bytes: r.torn });
    const log = new StampLogWriter(path, r.length, sync, opts.io);
    return new StampStore(dir, index, log, opts);
  }

  static dirOf(storeDir: string): string {
    return join(storeDir, "enrich");
  }

  /** pairs held (stamped and durable, or being written) */
  get size(): number {
    return this.#index.size - this.#index.dead;
  }

  /** bytes in the log */
  get logBytes(): number {
    return this.#log.length;
  }

  #grow(id: number): void {
    const d = new Uint8Array(Math.max(2 * this.#durable.length, id + 1));
    d.set(this.#durable);
    this.#durable = d;
    const b = new Float64Array(d.length);
    b.set(this.#inBlock);
    this.#inBlock = b;
  }

  #markDurable(id: number): void {
    if (id >= this.#durable.length) this.#grow(id);
    this.#durable[id] = 1;
  }

  /**
   * Stamp the A/AAAA addresses of a batch whose (rrname, address) has no stamp with what `enricher`
   * says now; resolves once the stamps are durable (as `sync` says), with how many were made.
   * Rejects (EnrichError NOSPACE, IO, CLOSED) when the log cannot take them: then none of them is
   * kept, and the caller refuses the batch.
   */
  async stamp(batch: readonly StampableObservation[], enricher: Enricher): Promise<number> {
    if (this.#closed) throw new EnrichError(EnrichErrorCode.CLOSED, "the stamp store is closed");
    const index = this.#index;
    const b = this.#block;
    const serial = ++this.#serial;
    // the batch's records: index.size at its first, then consecutive (nothing else runs until append)
    let first = -1;
    let defs: number[] | null = null;
    let now = 0;
    for (const o of batch) {
      if (o.rrtype !== 1 && o.rrtype !== 28) continue;
      const len = o.rrtype === 1 ? 4 : 16;
      for (const a of o.rdata) {
        if (a.length !== len) continue;
        PairSet.hash(o.rrname, a, H, 0);
        const h0 = H[0] as number;
        const h1 = H[1] as number;
        if (index.find(h0, h1, o.rrname, a, index.size) >= 0) continue;
        if (first < 0) {
          first = index.size;
          now = this.#now();
          b.begin(now);
        }
        const sid = index.idOf(enricher.lookup(a));
        if (sid >= this.#durable.length) this.#grow(sid);
        if (this.#durable[sid] === 0 && this.#inBlock[sid] !== serial) {
          // defined in every block until one holding it is durable (an earlier one may yet fail)
          b.stamp(sid, index.encoded(sid));
          this.#inBlock[sid] = serial;
          defs ??= [];
          defs.push(sid);
        }
        const key = b.pair(sid, o.rrname, a);
        index.add(h0, h1, now, sid, b.buf, key, b.len);
      }
    }
    if (first < 0) return 0;
    const end = index.size;
    const block = b.seal();
    // refused: its pairs are dropped at once, so a batch built after sees them unstamped
    await this.#log.append(block, () => {
      for (let r = first; r < end; r++) index.kill(r);
    });
    if (defs !== null) for (const id of defs) this.#durable[id] = 1;
    return end - first;
  }

  /** A view of the stamps made so far (cheap: a count; nothing to release). */
  view(): StampsView {
    const index = this.#index;
    const limit = index.size;
    const scan = function* (wants: (s: Stamp) => boolean): Generator<StampedPair> {
      for (const r of index.matching(wants, limit)) yield index.pair(r);
    };
    return {
      lookup(rrname, address) {
        if (address.length !== 4 && address.length !== 16) return null;
        PairSet.hash(rrname, address, H, 0);
        const r = index.find(H[0] as number, H[1] as number, rrname, address, limit);
        return r < 0 ? null : index.pair(r);
      },
      byAsn: (asn) => scan((s) => s.asn === asn),
      byCountry: (cc) => scan((s) => s.country === cc),
    };
  }

  /** Wait for the blocks being written (nothing is buffered beyond them). */
  async flush(): Promise<void> {
    // an empty append would be refused when closed; queued blocks are written in order
    if (this.#closed) return;
    await this.#log.append(new Uint8Array(0)).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#log.close();
    } finally {
      releaseLock(this.dir, LOCK_NAME);
    }
  }
}
