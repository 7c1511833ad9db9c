import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type AggregateLimits, Aggregates, type DashObservation } from "./aggregates.js";
import type { StampOf } from "./enrich-counts.js";
import { FILES_SOURCE, type FileScan, filesIdentity, scanFiles } from "./file-aggregates.js";
import { loadAggregates, saveAggregates, saveAggregatesAsync } from "./persist.js";
import { scanFilesInThread } from "./scan-thread.js";
import { type DashboardView, dashboardView, type RangeName } from "./view.js";

export interface DashboardOptions {
  /** the live store's directory: the aggregates are kept in DIR/dashboard/aggregates.bin (none: no live part) */
  storeDir?: string;
  /** the DATA files now (called at each request: a reload changes them) */
  files: () => readonly string[];
  limits?: AggregateLimits;
  /** how often changed aggregates are written (ms, default 2000); close() writes them too */
  saveMs?: number;
  /** RRSET entries of the files counted at most (default 5,000,000); past it the panels say "partial" */
  maxFileEntries?: number;
  /** a source silent this long is highlighted (seconds, default 900) */
  silentAfterSeconds?: number;
  /** DATA files of at least this many bytes in all are counted on a worker thread (default 16 MiB) */
  threadFromBytes?: number;
  /** how long a request waits for a files scan before answering without it (ms, default 500) */
  scanWaitMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

/** The files' sizes summed (a file that cannot be read counts 0: the scan reports it). */
function totalBytes(files: readonly string[]): number {
  let n = 0;
  for (const f of files) {
    try {
      n += statSync(f).size;
    } catch {}
  }
  return n;
}

/** One scan of a set of DATA files: running, done (`result`) or failed (`error`). */
interface FilesScan {
  id: string;
  promise: Promise<FileScan>;
  result: FileScan | null;
  error: string | null;
  /** ends the scan's thread (a newer set of files, or close) */
  stop: () => void;
}

/**
 * The dashboard's data: the live aggregates (fed by `observe` as each ingest batch is applied,
 * written crash-safely beside the store every `saveMs` and on close, read back on open) and the
 * DATA files' aggregates (one bounded scan per set of files, cached by their identity, run on a
 * worker thread when the files are large, so that counting millions of entries never holds up a
 * lookup).
 */
export class Dashboard {
  readonly live: Aggregates | null;
  readonly #path: string | null;
  readonly #opts: DashboardOptions;
  readonly #now: () => number;
  #dirty = false;
  /** a background save in progress */
  #saving: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #scan: FilesScan | null = null;
  #stampOf: StampOf | null = null;

  constructor(opts: DashboardOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    if (opts.storeDir !== undefined) {
      const dir = join(opts.storeDir, "dashboard");
      mkdirSync(dir, { recursive: true });
      this.#path = join(dir, "aggregates.bin");
      try {
        this.live = loadAggregates(this.#path, opts.limits ?? {});
      } catch (e) {
        opts.log?.(`${this.#path}: ${(e as Error).message}; the dashboard starts its live counts anew`);
        this.live = new Aggregates(opts.limits ?? {});
      }
      // the periodic saves write in the background (10 MB of filters and an fsync must not hold up lookups)
      this.#timer = setInterval(() => this.#saveInBackground(), opts.saveMs ?? 2000);
      this.#timer.unref();
    } else {
      this.#path = null;
      this.live = null;
    }
    this.#files();
  }

  /**
   * Count each A/AAAA address of the batches observed from now on by ASN and country, under what
   * `stampOf` says of it (the server's enrichment: its Enricher's cached lookup, the databases in
   * force at ingest). The view's ASN and country panels are null until this is called.
   */
  useEnrichment(stampOf: StampOf): void {
    this.#stampOf = stampOf;
  }

  /** Count an applied batch (the ingest hook); `source` is "sensor" or the log source's name. */
  observe(batch: Iterable<{ obs: DashObservation; source: string }>): void {
    const live = this.live;
    if (live === null) return;
    const now = this.#now();
    const stampOf = this.#stampOf;
    for (const { obs, source } of batch) {
      live.observe(obs, source);
      live.contact(source, now);
      if (stampOf !== null) live.observeStamps(obs, stampOf, Math.floor(now / 1000));
    }
    this.#dirty = true;
  }

  /** Write the live aggregates if they changed (a failure is logged; the next save tries again). */
  save(): void {
    if (!this.#dirty || this.live === null || this.#path === null) return;
    try {
      saveAggregates(this.#path, this.live);
      this.#dirty = false;
    } catch (e) {
      this.#opts.log?.(`${this.#path}: cannot write the dashboard aggregates: ${(e as Error).message}`);
    }
  }

  /** save() with the file written off the event loop; one at a time (the next interval tries again while one runs). */
  #saveInBackground(): void {
    if (this.#saving !== null || !this.#dirty || this.live === null || this.#path === null) return;
    const path = this.#path;
    this.#dirty = false;
    this.#saving = saveAggregatesAsync(path, this.live)
      .catch((e: unknown) => {
        this.#dirty = true;
        this.#opts.log?.(`${path}: cannot write the dashboard aggregates: ${(e as Error).message}`);
      })
      .finally(() => {
        this.#saving = null;
      });
  }

  /** The files' scan for the files in use now (started when they changed). */
  #files(): FilesScan | null {
    const files = this.#opts.files();
    if (files.length === 0) return null;
    let id: string;
    try {
      id = filesIdentity(files);
    } catch {
      return this.#scan;
    }
    if (this.#scan?.id === id) return this.#scan;
    this.#scan?.stop();
    const req = {
      files,
      maxEntries: this.#opts.maxFileEntries ?? 5_000_000,
      ...(this.#opts.limits ? { limits: this.#opts.limits } : {}),
    };
    // small files are counted here in a few milliseconds (a thread would take longer to start);
    // large ones on a worker thread, so that the count never holds up a lookup
    const t =
      totalBytes(files) < (this.#opts.threadFromBytes ?? 16 << 20)
        ? { promise: scanFiles(files, req), stop: () => {} }
        : scanFilesInThread(req);
    let stopped = false;
    const s: FilesScan = {
      id,
      result: null,
      error: null,
      promise: t.promise,
      stop: () => {
        stopped = true;
        t.stop();
      },
    };
    s.promise.then(
      (r) => {
        s.result = r;
      },
      (e: unknown) => {
        if (stopped) return; // for newer files, or by close(): not a failure
        s.error = (e as Error).message;
        this.#opts.log?.(`dashboard: cannot count the data files: ${s.error}`);
      },
    );
    this.#scan = s;
    return s;
  }

  /** The dashboard for `range`. */
  async view(range: RangeName): Promise<DashboardView> {
    const scan = this.#files();
    if (scan !== null && scan.result === null && scan.error === null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        scan.promise.catch(() => {}),
        new Promise((r) => {
          timer = setTimeout(r, this.#opts.scanWaitMs ?? 500);
        }),
      ]);
      clearTimeout(timer);
    }
    const parts: { aggs: Aggregates; kind: "live" | "files" }[] = [];
    if (this.live !== null) parts.push({ aggs: this.live, kind: "live" });
    let files: DashboardView["files"] = { state: "none", files: 0, rrsets: 0, partial: false };
    if (scan !== null) {
      const n = this.#opts.files().length;
      if (scan.result !== null) {
        parts.push({ aggs: scan.result.aggs, kind: "files" });
        files = { state: "ready", files: n, rrsets: scan.result.rrsets, partial: scan.result.partial };
      } else if (scan.error !== null) files = { state: "failed", files: n, rrsets: 0, partial: false, message: scan.error };
      else files = { state: "computing", files: n, rrsets: 0, partial: false };
    }
    return dashboardView(parts, range, this.#now(), this.#opts.silentAfterSeconds ?? 900, files, this.#stampOf !== null);
  }

  /** Stop the files' scan and the saves; the last save (after one in progress) writes what is counted. */
  async close(): Promise<void> {
    this.#scan?.stop();
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#saving !== null) await this.#saving;
    this.save();
  }
}

export { FILES_SOURCE };
