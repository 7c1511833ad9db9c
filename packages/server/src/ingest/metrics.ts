import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { StoreLike } from "./store-like.js";

/** How observations arrived: the ingest route, the YAPDNS routes, an NMSG listener. */
export type IngestVia = "http" | "yapdns" | "nmsg";

/** A store event as @dnsrep/store reports it (the fields used here). */
export interface StoreEventLike {
  type: string;
  phase: string;
  durationMs?: number;
  tier?: string;
}

/** What @dnsrep/store's stats() gives (the fields used here; absent ones are left out). */
interface StatsLike {
  walBytes?: number;
  memtableBytes?: number;
  memtableEntries?: number;
  pendingFlushes?: number;
  filesPerTier?: Record<string, number>;
  fileBytes?: number;
}

const RATE_WINDOW_S = 10;

/**
 * The live store's metrics, in the server's registry: observations ingested (by way in), the
 * ingest rate over the last 10 s, the ingest lag (wall clock minus the newest time_last of the
 * last batch acknowledged), and per store (`store`: "sensor", "logs/SOURCE") WAL and memtable
 * sizes, flushes waiting, files per tier, flush and compaction durations (histograms, seconds;
 * their `_count` is the number done) and failures.
 */
export class IngestMetrics {
  readonly #observations: Counter<"via">;
  readonly #flush: Histogram<"store">;
  readonly #compaction: Histogram<"store" | "tier">;
  readonly #failures: Counter<"store" | "op">;
  readonly #now: () => number;
  /** observations per second of the last RATE_WINDOW_S seconds, by second */
  readonly #buckets = new Float64Array(RATE_WINDOW_S);
  #bucketSecond = 0;
  #lag = 0;

  constructor(registry: Registry, stores: () => { part: string; store: StoreLike }[], now: () => number = Date.now) {
    const registers = [registry];
    this.#now = now;
    this.#observations = new Counter({
      name: "dnstable_server_ingest_observations_total",
      help: "Observations acknowledged, by way in (http, yapdns, nmsg)",
      labelNames: ["via"],
      registers,
    });
    const self = this;
    new Gauge({
      name: "dnstable_server_ingest_rate",
      help: `Observations acknowledged per second, averaged over the last ${RATE_WINDOW_S} s`,
      registers,
      collect() {
        this.set(self.rate());
      },
    });
    new Gauge({
      name: "dnstable_server_ingest_lag_seconds",
      help: "Wall clock at acknowledgement minus the newest time_last of the last batch acknowledged",
      registers,
      collect() {
        this.set(self.#lag);
      },
    });
    this.#flush = new Histogram({
      name: "dnstable_server_store_flush_duration_seconds",
      help: "Memtable flushes to files, by store: duration (the _count is the number of flushes)",
      labelNames: ["store"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.#compaction = new Histogram({
      name: "dnstable_server_store_compaction_duration_seconds",
      help: "Compactions, by store and tier: duration (the _count is the number of compactions)",
      labelNames: ["store", "tier"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    });
    this.#failures = new Counter({
      name: "dnstable_server_store_failures_total",
      help: "Flushes and compactions that failed, by store and operation",
      labelNames: ["store", "op"],
      registers,
    });
    const perStore = (name: string, help: string, pick: (s: StatsLike) => number | undefined): void => {
      new Gauge({
        name,
        help,
        labelNames: ["store"],
        registers,
        collect() {
          this.reset();
          for (const { part, store } of stores()) {
            const v = pick(store.stats() as StatsLike);
            if (typeof v === "number") this.set({ store: part }, v);
          }
        },
      });
    };
    perStore("dnstable_server_store_wal_bytes", "Bytes in the write-ahead log, by store", (s) => s.walBytes);
    perStore(
      "dnstable_server_store_memtable_bytes",
      "Bytes in memtables (the live one and those waiting to be flushed), by store",
      (s) => s.memtableBytes,
    );
    perStore("dnstable_server_store_memtable_entries", "Entries in memtables, by store", (s) => s.memtableEntries);
    perStore("dnstable_server_store_pending_flushes", "Memtables waiting to be flushed, by store", (s) => s.pendingFlushes);
    perStore("dnstable_server_store_file_bytes", "Bytes of live files, by store", (s) => s.fileBytes);
    new Gauge({
      name: "dnstable_server_store_files",
      help: "Live files, by store and tier",
      labelNames: ["store", "tier"],
      registers,
      collect() {
        this.reset();
        for (const { part, store } of stores())
          for (const [tier, n] of Object.entries((store.stats() as StatsLike).filesPerTier ?? {})) this.set({ store: part, tier }, n);
      },
    });
  }

  #advance(): number {
    const sec = Math.floor(this.#now() / 1000);
    const gap = sec - this.#bucketSecond;
    if (gap > 0) {
      for (let i = 1; i <= Math.min(gap, RATE_WINDOW_S); i++) this.#buckets[(this.#bucketSecond + i) % RATE_WINDOW_S] = 0;
      this.#bucketSecond = sec;
    }
    return sec;
  }

  /** A batch was acknowledged: `n` observations, the newest time_last among them (epoch s). */
  applied(via: IngestVia, n: number, newest: number): void {
    this.#observations.inc({ via }, n);
    const sec = this.#advance();
    this.#buckets[sec % RATE_WINDOW_S] = (this.#buckets[sec % RATE_WINDOW_S] ?? 0) + n;
    if (newest > 0) this.#lag = Math.max(0, this.#now() / 1000 - newest);
  }

  /** Observations per second over the last RATE_WINDOW_S seconds. */
  rate(): number {
    this.#advance();
    let sum = 0;
    for (const b of this.#buckets) sum += b;
    return sum / RATE_WINDOW_S;
  }

  /** A store event (flush / compaction start, end, error). */
  event(part: string, e: StoreEventLike): void {
    if (e.phase === "end" && typeof e.durationMs === "number") {
      if (e.type === "flush") this.#flush.observe({ store: part }, e.durationMs / 1000);
      else if (e.type === "compaction") this.#compaction.observe({ store: part, tier: e.tier ?? "-" }, e.durationMs / 1000);
    } else if (e.phase === "error" && (e.type === "flush" || e.type === "compaction")) this.#failures.inc({ store: part, op: e.type });
  }
}
