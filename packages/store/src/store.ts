/**
 * Store: a live log-structured merge store of dnstable entries (LevelDB's layers: wal.ts,
 * memtable.ts, flush.ts, manifest.ts, compaction.ts; this file ties them together).
 *
 * put() logs a batch to the WAL (group commit: the batches queued while one write and fdatasync
 * run go out together in the next), then applies it to the memtable, then resolves. A memtable past
 * its size or age is frozen (a new one and a new WAL segment take over) and flushed in the
 * background to a dnstable file pair; the manifest is swapped to name them, and WAL segments it
 * covers are deleted. Compaction merges files into time tiers on a worker thread. A snapshot reads
 * the memtables and the live files together.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { type ConvertOptions, type DnstableRRset, EntryConverter, type EntrySink } from "@dnsrep/dnstable";
import { type CompressionName, Reader } from "@dnsrep/mtbl";
import { ByteWriter, ingestTurnBudget, type TurnBudget } from "@dnsrep/util";
import { type CompactionJob, DEFAULT_FAN_IN, MergeThread, planCompaction } from "./compaction.js";
import { fromSystemError, isStoreError, StoreError, StoreErrorCode } from "./errors.js";
import { type FileFormat, writeMemtable } from "./flush.js";
import { defaultIo, type StoreIo } from "./io.js";
import { acquireLock, releaseLock } from "./lock.js";
import { fileName, flushedSeq, isTempName, MANIFEST, parseFileName, readManifest, type StoreFileName, writeManifest } from "./manifest.js";
import { Memtable } from "./memtable.js";
import { decodePayload, encodeBatch, encodeTagHead, normalizeBatch, type RRsetObservation } from "./observation.js";
import { LiveFile, makeSnapshot, type StoreSnapshot } from "./snapshot.js";
import { viewSource } from "./table.js";
import { DEFAULT_TAGS, parseTagsFileName, readTags, TagSet, tagBytes, tagsFileName, writeTags } from "./tags.js";
import { checkTiers, defaultTiers, type Tier } from "./tiers.js";
import { frameRecord, listSegments, MAX_RECORD, RECORD_HEADER, scanSegment, type WalSegment, WalWriter } from "./wal.js";

export interface StoreOptions {
  /** flush when the memtable passes this many bytes (default 64 MiB) */
  memtableBytes?: number;
  /** or when its oldest entry is this old (default 60 000 ms) */
  memtableAgeMs?: number;
  /** always: each batch written and fdatasynced alone; batch (default): group commit, one fdatasync per group; none: no fdatasync */
  sync?: "always" | "batch" | "none";
  /** time tiers, finest first (default minute, hour, day, month = 30 days) */
  tiers?: Tier[];
  /** background compaction on a worker thread (default true) */
  compaction?: boolean;
  /** files of one tier and one next-tier period merged before that period ends (default 8) */
  compactionFanIn?: number;
  /** frozen memtables waiting to be flushed; past it put() rejects with StoreError BUSY (default 2) */
  maxPendingFlushes?: number;
  /** flush and compaction start/end, with durations (for /metrics) */
  onEvent?: (e: StoreEvent) => void;
  /** compression of the files (default zlib, as dnstable-import) */
  compression?: CompressionName;
  /** block sizes of the DNS and DNSSEC files (default 8192 and 65536, as dnstable-import) */
  blockSizes?: [dns: number, dnssec: number];
  /** the clock, in ms since the epoch (tests move time to drive tiers) */
  now?: () => number;
  /** file-system calls, replaceable to inject errors in tests */
  io?: Partial<StoreIo>;
  /**
   * which of dnstable's entries of a put's RRsets the store keeps (default: every one), by key: a
   * store whose only reader needs fewer indexes (the enrichment stamps) writes less
   */
  keepEntry?: (key: string) => boolean;
  /**
   * entries left out before they are built (cheaper than `keepEntry`, which sees each key once it
   * is made): `nameFwd: false`, the RRSET_NAME_FWD entry; `indexRdata(rdata, rrtype)` false, an
   * rdata's RDATA entries (dnstable's ConvertOptions of those names)
   */
  entries?: Pick<ConvertOptions, "nameFwd" | "indexRdata">;
  /**
   * the share of each event-loop turn that applying batches to the memtable takes before it lets
   * the loop turn (default @dnsrep/util's ingestTurnBudget, shared with the server's parsing: 2 ms);
   * null: each group of batches is applied at once
   */
  turnBudget?: TurnBudget | null;
  /** how long a put's tag is remembered (ms, default 24 h) */
  tagWindowMs?: number;
  /** the most tags remembered (default 100 000; the oldest are forgotten first) */
  maxTags?: number;
}

export interface PutOptions {
  /**
   * A tag (an Idempotency-Key, say; 1 to 1024 UTF-8 bytes) logged in the same WAL record as the
   * batch, so it is durable exactly when the batch is. A put whose tag the store remembers (or is
   * logging now) is not applied again: it resolves once the first is durable.
   */
  tag?: string;
}

export type StoreEvent =
  | { type: "flush"; phase: "start"; entries: number }
  | { type: "flush"; phase: "end"; durationMs: number; entries: number; bytes: number; files: string[] }
  | { type: "compaction"; phase: "start"; tier: string; inputs: number }
  | { type: "compaction"; phase: "end"; durationMs: number; tier: string; inputs: number; bytes: number; files: string[] }
  | { type: "flush" | "compaction"; phase: "error"; error: StoreError }
  | { type: "recovery"; phase: "end"; durationMs: number; batches: number; orphans: string[] };

export interface StoreStats {
  /** bytes in WAL segments */
  walBytes: number;
  /** estimated bytes in the memtable and the frozen memtables waiting to be flushed */
  memtableBytes: number;
  memtableEntries: number;
  pendingFlushes: number;
  /** live files per tier */
  filesPerTier: Record<string, number>;
  /** bytes of live files */
  fileBytes: number;
  flushes: number;
  compactions: number;
  /** batches and observations acknowledged since open */
  puts: number;
  observations: number;
  /** when the last put was acknowledged (ms since the epoch; 0: none yet) */
  lastPutMs: number;
  /** the last WAL sequence logged, and the last flushed to files */
  seq: number;
  flushedSeq: number;
  /** bytes written to files by flushes and compactions (for write amplification) */
  bytesFlushed: number;
  bytesCompacted: number;
  /** put tags remembered */
  tags: number;
}

interface Pending {
  batch: RRsetObservation[];
  tag: string | null;
  putMs: number;
  payload: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const DEFAULTS = { memtableBytes: 64 << 20, memtableAgeMs: 60_000, maxPendingFlushes: 2 };
const RETRY_MS = 1000;
/** Observations applied to the memtable between two looks at the turn budget (a few hundred µs of work). */
const APPLY_SLICE = 64;

export class Store {
  readonly dir: string;
  readonly #io: StoreIo;
  readonly #now: () => number;
  readonly #sync: "always" | "batch" | "none";
  readonly #memtableBytes: number;
  readonly #memtableAgeMs: number;
  readonly #maxPending: number;
  readonly #tiers: Tier[];
  readonly #format: FileFormat;
  readonly #onEvent: (e: StoreEvent) => void;
  readonly #conv: EntryConverter;
  readonly #budget: TurnBudget | null;
  #mem: Memtable;
  readonly #imms: Memtable[] = [];
  #wal: WalWriter;
  /** closed segments, oldest first, deleted once a flush covers their last sequence */
  readonly #oldSegments: { seg: WalSegment; bytes: number }[];
  #seq: number;
  #flushedSeq: number;
  #nextId: number;
  readonly #files = new Map<string, LiveFile>();
  /** the tags of the batches the store holds (tags.ts), and those being logged now */
  readonly #tags: TagSet;
  readonly #tagsLogging = new Map<string, Promise<void>>();
  readonly #queue: Pending[] = [];
  #queuedBytes = 0;
  #writing: Promise<void> | null = null;
  #wantRotate = false;
  #flushing: Promise<void> | null = null;
  #flushWaiters: (() => void)[] = [];
  /** why the last flush failed (it is retried), for flush() to throw */
  #flushError: StoreError | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #ageTimer: NodeJS.Timeout | null = null;
  readonly #autoCompact: boolean;
  readonly #fanIn: number;
  readonly #merger = new MergeThread();
  #compacting: Promise<void> | null = null;
  /** the output of the merge in progress (removed if the store closes before it is done) */
  #compactOutput: string | null = null;
  #compactTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #counters = { flushes: 0, compactions: 0, puts: 0, observations: 0, lastPutMs: 0, bytesFlushed: 0, bytesCompacted: 0 };

  private constructor(dir: string, opts: StoreOptions, init: OpenState) {
    this.dir = dir;
    this.#io = { ...defaultIo, ...opts.io };
    this.#now = opts.now ?? Date.now;
    this.#sync = opts.sync ?? "batch";
    this.#memtableBytes = opts.memtableBytes ?? DEFAULTS.memtableBytes;
    this.#memtableAgeMs = opts.memtableAgeMs ?? DEFAULTS.memtableAgeMs;
    this.#maxPending = opts.maxPendingFlushes ?? DEFAULTS.maxPendingFlushes;
    this.#tiers = init.tiers;
    this.#conv = init.conv;
    this.#format = init.format;
    this.#onEvent = opts.onEvent ?? ((): void => {});
    this.#autoCompact = opts.compaction ?? true;
    this.#budget = opts.turnBudget === undefined ? ingestTurnBudget : opts.turnBudget;
    this.#fanIn = opts.compactionFanIn ?? DEFAULT_FAN_IN;
    this.#mem = init.mem;
    this.#imms.push(...init.imms);
    this.#wal = init.wal;
    this.#oldSegments = init.oldSegments;
    this.#seq = init.seq;
    this.#flushedSeq = init.flushedSeq;
    this.#nextId = init.nextId;
    this.#tags = init.tags;
    for (const f of init.files) this.#addFile(f);
  }

  /**
   * Open (creating if need be) the store in `dir`: removes temporary and orphan files, replays the
   * WAL past the last flushed sequence. Throws StoreError (LOCKED when another open store holds
   * the directory, CORRUPTION for a manifest naming a missing or damaged file, IO, NOSPACE).
   */
  static async open(dir: string, opts: StoreOptions = {}): Promise<Store> {
    checkOptions(opts);
    const t0 = Date.now();
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw fromSystemError(e, `cannot create ${dir}`);
    }
    acquireLock(dir);
    try {
      const io = { ...defaultIo, ...opts.io };
      const init = recover(dir, opts, io);
      const store = new Store(dir, opts, init);
      store.#onEvent({ type: "recovery", phase: "end", durationMs: Date.now() - t0, batches: init.replayed, orphans: init.orphans });
      store.#ageTimer = setInterval(() => store.#checkAge(), Math.max(10, Math.min(1000, store.#memtableAgeMs / 4)));
      store.#ageTimer.unref();
      if (store.#imms.length > 0) store.#kickFlush();
      if (store.#autoCompact) {
        store.#compactTimer = setInterval(() => store.#kickCompact(), 1000);
        store.#compactTimer.unref();
        store.#kickCompact();
      }
      return store;
    } catch (e) {
      releaseLock(dir);
      throw e;
    }
  }

  /**
   * Log and apply a batch. Resolves once it is durable as `sync` says (batch, always: on disk)
   * and visible to new snapshots. Rejects with StoreError: INVALID (a bad observation; nothing
   * applied), BUSY (flushes are behind; try again later), NOSPACE (disk full; nothing of the batch
   * applied), IO, CLOSED. With `opts.tag`, a batch whose tag the store remembers is not applied
   * again (see PutOptions).
   */
  put(batch: readonly RRsetObservation[], opts: PutOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreError(StoreErrorCode.CLOSED, "store is closed"));
    let norm: RRsetObservation[];
    let tb: Uint8Array | null = null;
    const tag = opts.tag ?? null;
    try {
      norm = normalizeBatch(batch);
      if (tag !== null) tb = tagBytes(tag);
    } catch (e) {
      return Promise.reject(e);
    }
    if (norm.length === 0) return Promise.resolve();
    const putMs = this.#now();
    if (tag !== null) {
      // the same tag being logged now: its outcome decides (a failed one leaves this put to try)
      const logging = this.#tagsLogging.get(tag);
      if (logging !== undefined) return logging.then(undefined, () => this.put(batch, opts));
      if (this.#tags.has(tag, putMs)) return Promise.resolve();
    }
    if (this.#busy()) {
      return Promise.reject(new StoreError(StoreErrorCode.BUSY, `store busy: ${this.#imms.length} memtables waiting to be flushed`));
    }
    const w = new ByteWriter(256);
    encodeTagHead(w, tb, putMs);
    encodeBatch(w, norm);
    if (w.length > MAX_RECORD)
      return Promise.reject(new StoreError(StoreErrorCode.INVALID, `batch too large for one WAL record (${w.length} bytes)`));
    const done = new Promise<void>((resolve, reject) => {
      this.#queue.push({ batch: norm, tag, putMs, payload: w.view(), resolve, reject });
      this.#queuedBytes += w.length;
      this.#kickWrite();
    });
    if (tag !== null) {
      this.#tagsLogging.set(tag, done);
      const forget = (): void => {
        this.#tagsLogging.delete(tag);
      };
      done.then(forget, forget);
    }
    return done;
  }

  /** Whether the store holds a batch put with `tag` (remembered within the tag window and count). */
  hasTag(tag: string): boolean {
    return this.#tags.has(tag, this.#now());
  }

  /** Whether put() must refuse: the memtable is full while the frozen ones wait, or too much is queued. */
  #busy(): boolean {
    if (this.#queuedBytes > this.#memtableBytes) return true;
    return this.#mem.full(this.#memtableBytes) && this.#imms.length >= this.#maxPending;
  }

  #kickWrite(): void {
    if (this.#writing) return;
    this.#writing = this.#writeLoop().finally(() => {
      this.#writing = null;
      // a put queued after the loop's last look
      if (this.#queue.length > 0) this.#kickWrite();
    });
  }

  /**
   * Group commit: write what is queued, one group at a time, applying each group once it is
   * logged. A group is applied (in slices, the event loop turning between them) while the next
   * group's WAL write runs; groups are applied in sequence order, and the memtable is rotated only
   * once every logged group is in it, so a memtable holds exactly the records of its WAL segments.
   */
  async #writeLoop(): Promise<void> {
    // the group being applied (its puts resolve once it is in)
    let applying: Promise<void> | null = null;
    while (this.#queue.length > 0) {
      if (this.#rotateDue()) {
        if (applying !== null) await applying;
        applying = null;
        if (this.#rotateDue()) this.#rotate();
      }
      const group = this.#sync === "always" ? this.#queue.splice(0, 1) : this.#queue.splice(0);
      let bytes = 0;
      for (const p of group) bytes += RECORD_HEADER + p.payload.length;
      for (const p of group) this.#queuedBytes -= p.payload.length;
      const buf = new Uint8Array(bytes);
      let at = 0;
      const first = this.#seq + 1;
      for (let i = 0; i < group.length; i++) at = frameRecord(buf, at, first + i, (group[i] as Pending).payload);
      const last = first + group.length - 1;
      // sequences are never reused, even when the write fails (a failed write may leave records behind)
      this.#seq = last;
      try {
        await this.#wal.append(buf, last, this.#sync !== "none");
      } catch (e) {
        const err = isStoreError(e) ? e : fromSystemError(e, "WAL write");
        for (const p of group) p.reject(err);
        // a segment a failed write could not be cut back gets no more records (if no new one can be made, the next put fails and tries again)
        if (this.#wal.broken) this.#newSegment();
        continue;
      }
      if (applying !== null) await applying;
      applying = this.#applyGroup(group, first);
    }
    if (applying !== null) await applying;
    if (this.#rotateDue()) this.#rotate();
  }

  /** Whether the memtable is to be rotated (asked for, or full while a frozen one may still be added). */
  #rotateDue(): boolean {
    return this.#wantRotate || (this.#mem.full(this.#memtableBytes) && this.#imms.length < this.#maxPending);
  }

  /** Apply a logged group (its first record at sequence `first`) and resolve its puts. */
  async #applyGroup(group: Pending[], first: number): Promise<void> {
    const now = this.#now();
    try {
      for (let i = 0; i < group.length; i++) {
        const p = group[i] as Pending;
        await this.#applySliced(p.batch, first + i, now);
        if (p.tag !== null) this.#tags.add(p.tag, p.putMs, now);
        this.#counters.observations += p.batch.length;
      }
    } catch (e) {
      // a bug, not bad data (the batches were checked): the puts fail; the WAL holds them for the next open
      for (const p of group) p.reject(e);
      return;
    }
    this.#counters.puts += group.length;
    this.#counters.lastPutMs = now;
    for (const p of group) p.resolve();
  }

  /**
   * Apply a logged batch to the memtable in slices, within the turn budget: the event loop turns
   * (lookups run) between slices. Only the write loop applies, one batch at a time, and the
   * memtable is not rotated while it runs, so the slices of a batch all go to the same memtable.
   */
  async #applySliced(batch: readonly RRsetObservation[], seq: number, now: number): Promise<void> {
    const mem = this.#mem;
    const budget = this.#budget;
    if (budget === null) {
      mem.apply(batch, seq, now);
      return;
    }
    for (let at = 0; at < batch.length; ) {
      if (budget.spent()) await budget.yield();
      const to = Math.min(batch.length, at + APPLY_SLICE);
      mem.applySlice(batch, at, to);
      at = to;
    }
    mem.endBatch(seq, now);
  }

  /** Start a new WAL segment (the old one is kept until a flush covers it); false if it cannot be created. */
  #newSegment(): boolean {
    try {
      const w = WalWriter.create(this.dir, this.#seq + 1, this.#io, this.#sync !== "none");
      this.#oldSegments.push({ seg: this.#wal.seg, bytes: this.#wal.bytes });
      this.#wal.close();
      this.#wal = w;
      this.#io.step("wal-segment");
      return true;
    } catch {
      return false;
    }
  }

  /** Freeze the memtable (a new one and a new WAL segment take over) and start its flush. Only between WAL writes. */
  #rotate(): void {
    this.#wantRotate = false;
    if (this.#mem.empty) return;
    this.#imms.push(this.#mem);
    this.#mem = new Memtable(this.#conv);
    // without a new segment (disk full?) the current one goes on; it is deleted when a flush covers its last record
    this.#newSegment();
    this.#kickFlush();
  }

  #checkAge(): void {
    const m = this.#mem;
    if (this.#closed || m.empty || this.#imms.length >= this.#maxPending) return;
    if (this.#now() - m.firstPutMs >= this.#memtableAgeMs) this.#requestRotate();
  }

  #requestRotate(): void {
    if (this.#writing) this.#wantRotate = true;
    else this.#rotate();
  }

  #kickFlush(): void {
    if (this.#flushing || this.#closed) return;
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = null;
      // done, or failed (retried later): flush() callers learn which
      const w = this.#flushWaiters.splice(0);
      for (const f of w) f();
    });
  }

  async #flushLoop(): Promise<void> {
    while (this.#imms.length > 0 && !this.#closed) {
      const imm = this.#imms[0] as Memtable;
      const t0 = Date.now();
      this.#onEvent({ type: "flush", phase: "start", entries: imm.entries });
      const id = this.#nextId++;
      const tier = this.#tiers[0] as Tier;
      const nowSec = Math.floor(this.#now() / 1000);
      const period = nowSec - (nowSec % tier.spanSeconds);
      const names = (["dns", "dnssec"] as const).map((kind) => fileName({ tier: tier.name, period, seq: imm.lastSeq, id, kind }));
      let out: Awaited<ReturnType<typeof writeMemtable>>;
      const added: LiveFile[] = [];
      let newFlushed = this.#flushedSeq;
      try {
        out = await writeMemtable(
          imm,
          [join(this.dir, names[0] as string), join(this.dir, names[1] as string)],
          this.#conv,
          this.#format,
          this.#io,
          this.dir,
          this.#budget,
        );
        this.#io.step("flush-files");
        const metas: StoreFileName[] = [];
        for (const p of out.paths) {
          if (p === null) continue;
          const meta = parseFileName(p.slice(this.dir.length + 1)) as StoreFileName;
          metas.push(meta);
        }
        // the tags travel with the flushed sequence: TAGS-<new flushed sequence> first, then the manifest that makes it current
        newFlushed = Math.max(this.#flushedSeq, flushedSeq(metas));
        let tagsPath: string | null = null;
        try {
          this.#tags.expire(this.#now());
          tagsPath = writeTags(this.dir, newFlushed, this.#tags, this.#io);
          this.#io.step("tags");
          writeManifest(this.dir, [...this.#files.keys(), ...metas.map((m) => m.name)], this.#io);
        } catch (e) {
          for (const p of out.paths) if (p) rmSync(p, { force: true });
          if (tagsPath !== null && newFlushed !== this.#flushedSeq) rmSync(tagsPath, { force: true });
          throw e;
        }
        this.#io.step("manifest");
        if (newFlushed !== this.#flushedSeq && this.#flushedSeq > 0)
          rmSync(join(this.dir, tagsFileName(this.#flushedSeq)), { force: true });
        for (const m of metas) added.push(this.#addFile(m));
      } catch (e) {
        const err = isStoreError(e) ? e : fromSystemError(e, "flush");
        this.#flushError = err;
        this.#onEvent({ type: "flush", phase: "error", error: err });
        this.#retryLater();
        return;
      }
      this.#imms.shift();
      this.#flushedSeq = newFlushed;
      this.#counters.flushes++;
      this.#counters.bytesFlushed += out.bytes;
      this.#dropCoveredSegments();
      this.#onEvent({
        type: "flush",
        phase: "end",
        durationMs: Date.now() - t0,
        entries: out.entries,
        bytes: out.bytes,
        files: added.map((f) => f.path),
      });
      if (this.#autoCompact) this.#kickCompact();
    }
  }

  #retryLater(): void {
    if (this.#retryTimer || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#kickFlush();
    }, RETRY_MS);
    this.#retryTimer.unref();
  }

  /** Delete the closed WAL segments whose records are all in files. */
  #dropCoveredSegments(): void {
    while (this.#oldSegments.length > 0) {
      const s = this.#oldSegments[0] as { seg: WalSegment; bytes: number };
      if (s.seg.lastSeq > this.#flushedSeq) break;
      try {
        rmSync(s.seg.path, { force: true });
      } catch {
        break;
      }
      this.#oldSegments.shift();
    }
  }

  #addFile(meta: StoreFileName): LiveFile {
    const path = join(this.dir, meta.name);
    const reader = Reader.open(path, { verifyChecksums: true });
    const f = new LiveFile(meta, path, reader, () => {});
    this.#files.set(meta.name, f);
    return f;
  }

  /** A consistent view (the memtables as they are now and the live files) for one query; release() it when done. */
  snapshot(): StoreSnapshot {
    if (this.#closed) throw new StoreError(StoreErrorCode.CLOSED, "store is closed");
    const trees = [];
    for (const m of [...this.#imms, this.#mem]) {
      if (m.empty) continue;
      for (const v of m.views()) if (v.size > 0) trees.push(viewSource(v));
    }
    return makeSnapshot(trees, [...this.#files.values()]);
  }

  /**
   * Write the memtable out to files now (and whatever waits to be flushed); resolves when it is in
   * the manifest. Rejects with the StoreError of a flush that failed (it is retried in the background).
   */
  async flush(): Promise<void> {
    if (this.#closed) throw new StoreError(StoreErrorCode.CLOSED, "store is closed");
    while (this.#writing) await this.#writing;
    this.#rotate();
    if (this.#imms.length === 0) return;
    this.#flushError = null;
    while (this.#imms.length > 0) {
      await new Promise<void>((resolve) => {
        this.#flushWaiters.push(resolve);
        this.#kickFlush();
      });
      if (this.#closed) throw new StoreError(StoreErrorCode.CLOSED, "store closed before the flush completed");
      // a failed flush is retried in the background; this call reports the failure (NOSPACE, IO)
      if (this.#flushError && this.#imms.length > 0) throw this.#flushError;
    }
  }

  /**
   * Run compaction now (see compaction.ts), on the worker thread; resolves when no more is due.
   * Throws the StoreError of a merge that failed.
   */
  async compact(): Promise<void> {
    if (this.#closed) throw new StoreError(StoreErrorCode.CLOSED, "store is closed");
    while (this.#compacting) await this.#compacting;
    const e = await this.#compactLoop();
    if (e) throw e;
  }

  #kickCompact(): void {
    if (this.#compacting || this.#closed) return;
    this.#compacting = this.#compactLoop().then(
      () => {
        this.#compacting = null;
      },
      () => {
        this.#compacting = null;
      },
    );
  }

  /** Run the compactions due, one after another; returns the error that stopped it, if any. */
  async #compactLoop(): Promise<StoreError | null> {
    while (!this.#closed) {
      const metas = [...this.#files.values()].map((f) => f.meta);
      const job = planCompaction(metas, this.#tiers, Math.floor(this.#now() / 1000), this.#fanIn);
      if (!job) return null;
      try {
        await this.#runCompaction(job);
      } catch (e) {
        const err = isStoreError(e) ? e : fromSystemError(e, "compaction");
        if (!this.#closed) this.#onEvent({ type: "compaction", phase: "error", error: err });
        return err;
      }
    }
    return null;
  }

  async #runCompaction(job: CompactionJob): Promise<void> {
    const t0 = Date.now();
    const name = fileName({ tier: job.tier, period: job.period, seq: job.seq, id: this.#nextId++, kind: job.kind });
    const path = join(this.dir, name);
    const inputs = job.inputs.map((f) => join(this.dir, f.name));
    this.#onEvent({ type: "compaction", phase: "start", tier: job.tier, inputs: inputs.length });
    this.#compactOutput = name;
    let bytes = 0;
    try {
      if (job.link) {
        linkSync(inputs[0] as string, path);
      } else {
        this.#io.beforeFileWrite(path);
        const reply = await this.#merger.merge({
          inputs,
          output: path,
          compression: this.#format.compression,
          ...(this.#format.level !== undefined ? { level: this.#format.level } : {}),
          blockSize: this.#format.blockSizes[job.kind === "dns" ? 0 : 1],
        });
        if (!reply.ok)
          throw fromSystemError(Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {}), `cannot write ${path}`);
        bytes = statSync(path).size;
      }
      this.#io.step("compaction-output");
      if (this.#closed) throw new StoreError(StoreErrorCode.CLOSED, "store closed during compaction");
      const gone = new Set(job.inputs.map((f) => f.name));
      writeManifest(this.dir, [...[...this.#files.keys()].filter((n) => !gone.has(n)), name], this.#io);
      this.#io.step("manifest");
    } catch (e) {
      rmSync(path, { force: true });
      throw e;
    } finally {
      this.#compactOutput = null;
    }
    const out = this.#addFile(parseFileName(name) as StoreFileName);
    for (const f of job.inputs) {
      const live = this.#files.get(f.name);
      this.#files.delete(f.name);
      live?.release();
    }
    this.#counters.compactions++;
    this.#counters.bytesCompacted += bytes;
    this.#onEvent({
      type: "compaction",
      phase: "end",
      durationMs: Date.now() - t0,
      tier: job.tier,
      inputs: inputs.length,
      bytes,
      files: [out.path],
    });
  }

  stats(): StoreStats {
    const filesPerTier: Record<string, number> = {};
    for (const t of this.#tiers) filesPerTier[t.name] = 0;
    let fileBytes = 0;
    for (const f of this.#files.values()) {
      filesPerTier[f.meta.tier] = (filesPerTier[f.meta.tier] ?? 0) + 1;
      fileBytes += f.reader.fileSize;
    }
    let memBytes = this.#mem.bytes;
    let memEntries = this.#mem.entries;
    for (const m of this.#imms) {
      memBytes += m.bytes;
      memEntries += m.entries;
    }
    let walBytes = this.#wal.bytes;
    for (const s of this.#oldSegments) walBytes += s.bytes;
    return {
      walBytes,
      memtableBytes: memBytes,
      memtableEntries: memEntries,
      pendingFlushes: this.#imms.length,
      filesPerTier,
      fileBytes,
      ...this.#counters,
      seq: this.#seq,
      flushedSeq: this.#flushedSeq,
      tags: this.#tags.size,
    };
  }

  /** Write out what is queued to the WAL, wait for a flush in progress, close files. The memtable is not flushed (the WAL holds it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ageTimer) clearInterval(this.#ageTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#compactTimer) clearInterval(this.#compactTimer);
    while (this.#writing) await this.#writing;
    if (this.#flushing) await this.#flushing;
    // a merge in progress is abandoned: its temporary file and output removed (open would remove them too)
    const abandoned = this.#compactOutput;
    await this.#merger.stop();
    if (this.#compacting) await this.#compacting;
    if (abandoned) {
      rmSync(join(this.dir, abandoned), { force: true });
      for (const n of readdirSync(this.dir))
        if (n.startsWith(`.${abandoned}.`) && isTempName(n)) rmSync(join(this.dir, n), { force: true });
    }
    for (const w of this.#flushWaiters.splice(0)) w();
    this.#wal.close();
    for (const f of this.#files.values()) f.closeReader();
    this.#files.clear();
    releaseLock(this.dir);
  }
}

interface OpenState {
  conv: EntryConverter;
  tiers: Tier[];
  format: FileFormat;
  mem: Memtable;
  imms: Memtable[];
  wal: WalWriter;
  oldSegments: { seg: WalSegment; bytes: number }[];
  seq: number;
  flushedSeq: number;
  nextId: number;
  files: StoreFileName[];
  tags: TagSet;
  replayed: number;
  orphans: string[];
}

/** dnstable's converter (without the entries `entries` leaves out), or one that passes on only the entries `keepEntry` keeps. */
function converter(opts: StoreOptions): EntryConverter {
  const co: ConvertOptions = { ...opts.entries };
  const keepEntry = opts.keepEntry;
  if (keepEntry === undefined) return new EntryConverter(co);
  const keep: (key: string) => boolean = keepEntry;
  return new (class extends EntryConverter {
    constructor() {
      super(co);
    }
    #to: EntrySink = () => {};
    readonly #filter: EntrySink = (f, k, v) => {
      if (keep(k)) this.#to(f, k, v);
    };
    override entries(rr: DnstableRRset, sink: EntrySink, triplet?: string): void {
      this.#to = sink;
      if (triplet === undefined) super.entries(rr, this.#filter);
      else super.entries(rr, this.#filter, triplet);
    }
  })();
}

function checkOptions(o: StoreOptions): void {
  const pos = (name: string, v: number | undefined, min = 1): void => {
    if (v !== undefined && !(Number.isFinite(v) && v >= min)) throw new RangeError(`${name} must be a number ≥ ${min}, got ${v}`);
  };
  pos("memtableBytes", o.memtableBytes, 1024);
  pos("memtableAgeMs", o.memtableAgeMs, 1);
  pos("maxPendingFlushes", o.maxPendingFlushes, 1);
  if (o.sync !== undefined && !["always", "batch", "none"].includes(o.sync))
    throw new RangeError(`sync must be always, batch or none, got ${o.sync}`);
  if (o.tiers !== undefined) checkTiers(o.tiers);
  if (o.blockSizes !== undefined) for (const b of o.blockSizes) pos("blockSizes", b, 1024);
  pos("compactionFanIn", o.compactionFanIn, 2);
  pos("tagWindowMs", o.tagWindowMs, 1);
  pos("maxTags", o.maxTags, 1);
}

/** Open-time recovery: orphans removed, manifest read and its files checked, the WAL replayed. */
function recover(dir: string, opts: StoreOptions, io: StoreIo): OpenState {
  const tiers = opts.tiers ?? defaultTiers();
  const format: FileFormat = {
    compression: opts.compression ?? "zlib",
    blockSizes: opts.blockSizes ?? [8192, 65536],
  };
  const conv = converter(opts);
  const files = readManifest(dir);
  // a new store gets an empty manifest, so the set file is there for readers from the start
  if (files.length === 0 && !existsSync(join(dir, MANIFEST))) writeManifest(dir, [], io);
  const listed = new Set(files.map((f) => f.name));
  const orphans: string[] = [];
  let nextId = 1;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw fromSystemError(e, `cannot read ${dir}`);
  }
  const flushed = flushedSeq(files);
  for (const name of names) {
    const meta = parseFileName(name);
    if (meta) nextId = Math.max(nextId, meta.id + 1);
    // a TAGS file of another flushed sequence: an older one a crash left, or one whose manifest swap never happened
    const tagsSeq = parseTagsFileName(name);
    if ((meta && !listed.has(name)) || isTempName(name) || (tagsSeq !== null && tagsSeq !== flushed)) {
      rmSync(join(dir, name), { force: true });
      orphans.push(name);
    }
  }
  for (const f of files) {
    const p = join(dir, f.name);
    try {
      if (!statSync(p).isFile()) throw new Error("not a regular file");
    } catch (e) {
      throw new StoreError(
        StoreErrorCode.CORRUPTION,
        `${join(dir, MANIFEST)} names ${f.name}, which cannot be read: ${(e as Error).message}`,
      );
    }
  }
  const now = (opts.now ?? Date.now)();
  const tags = new TagSet({ windowMs: opts.tagWindowMs ?? DEFAULT_TAGS.windowMs, maxTags: opts.maxTags ?? DEFAULT_TAGS.maxTags });
  readTags(dir, flushed, tags, now);
  let mem = new Memtable(conv);
  const imms: Memtable[] = [];
  const memtableBytes = opts.memtableBytes ?? DEFAULTS.memtableBytes;
  const oldSegments: { seg: WalSegment; bytes: number }[] = [];
  let seq = flushed;
  let replayed = 0;
  for (const seg of listSegments(dir)) {
    const scan = scanSegment(seg, (s, payload, version) => {
      if (s <= flushed) return;
      const rec = decodePayload(payload, version);
      mem.apply(rec.batch, s, now);
      if (rec.tag !== null) tags.add(rec.tag, rec.putMs, now);
      replayed++;
      if (mem.full(memtableBytes)) {
        imms.push(mem);
        mem = new Memtable(conv);
      }
    });
    seg.lastSeq = scan.lastSeq;
    if (scan.lastSeq > seq) seq = scan.lastSeq;
    // nothing past the last flush, or no record at all (a segment created just before a crash): nothing to keep
    if (scan.lastSeq <= flushed || scan.lastSeq < seg.firstSeq) rmSync(seg.path, { force: true });
    else oldSegments.push({ seg, bytes: scan.size });
  }
  if (!mem.empty) {
    imms.push(mem);
    mem = new Memtable(conv);
  }
  const wal = WalWriter.create(dir, seq + 1, io, opts.sync !== "none");
  return { conv, tiers, format, mem, imms, wal, oldSegments, seq, flushedSeq: flushed, nextId, files, tags, replayed, orphans };
}
