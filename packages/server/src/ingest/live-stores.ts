import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { IngestError, IngestErrorCode } from "./errors.js";
import { type IdempotencyOptions, IdempotencyStore } from "./idempotency.js";
import type { IngestVia } from "./metrics.js";
import { type IngestObservation, SOURCE_RE } from "./observation.js";
import { type OpenStore, type StoreLike, type StoreSnapshotLike, storeErrorCode } from "./store-like.js";

/**
 * The live stores behind `--store DIR`, provenance kept apart: `DIR/sensor` holds sensor data
 * (RRsets seen with a real bailiwick: dnsdedupe over NMSG, or HTTP lines with a bailiwick);
 * `DIR/logs/SOURCE` one store per log source (observations no bailiwick was ever seen for).
 * `DIR/idempotency.journal` remembers the Idempotency-Keys of applied batches.
 */
export interface IngestStoresOptions {
  dir: string;
  open: OpenStore;
  /** the most log sources (stores under DIR/logs) (default 32) */
  maxSources?: number;
  idempotency?: IdempotencyOptions;
  /** told of each applied batch: how it came, observations, their newest time_last (epoch s) */
  onApplied?: (via: IngestVia, observations: number, newest: number) => void;
  /** told of each applied batch's observations (the parts the stores took), after they are durable */
  onObservations?: (applied: readonly IngestObservation[]) => void;
  /**
   * run on each batch not applied before, before any store gets it (the enrichment stamps, see
   * ../enrich/hook.ts): a rejection refuses the batch whole (mapped as a store's refusal)
   */
  beforeApply?: (batch: readonly IngestObservation[]) => Promise<void>;
}

/** One query's consistent view of every live store. */
export interface LiveSnapshot {
  sensor: StoreSnapshotLike;
  /** by source name, sorted */
  logs: { source: string; snapshot: StoreSnapshotLike }[];
  release(): void;
}

export interface ApplyResult {
  accepted: number;
  duplicate: boolean;
}

export const SENSOR_PART = "sensor";
const partOf = (source: string | null): string => (source === null ? SENSOR_PART : `logs/${source}`);

export class IngestStores {
  readonly dir: string;
  readonly sensor: StoreLike;
  readonly #logs = new Map<string, StoreLike>();
  readonly #opening = new Map<string, Promise<StoreLike>>();
  readonly #open: OpenStore;
  readonly #maxSources: number;
  readonly #idem: IdempotencyStore;
  readonly #inFlight = new Map<string, Promise<unknown>>();
  readonly #onApplied: ((via: IngestVia, n: number, newest: number) => void) | undefined;
  readonly #onObservations: ((applied: readonly IngestObservation[]) => void) | undefined;
  readonly #beforeApply: ((batch: readonly IngestObservation[]) => Promise<void>) | undefined;
  #closed = false;

  private constructor(opts: IngestStoresOptions, sensor: StoreLike, idem: IdempotencyStore) {
    this.dir = opts.dir;
    this.sensor = sensor;
    this.#open = opts.open;
    this.#maxSources = opts.maxSources ?? 32;
    this.#idem = idem;
    this.#onApplied = opts.onApplied;
    this.#onObservations = opts.onObservations;
    this.#beforeApply = opts.beforeApply;
  }

  /** Open DIR (created if missing): the sensor store, every log source's store, the journal. */
  static async open(opts: IngestStoresOptions): Promise<IngestStores> {
    mkdirSync(join(opts.dir, "logs"), { recursive: true });
    const idem = new IdempotencyStore(join(opts.dir, "idempotency.journal"), opts.idempotency);
    let sensor: StoreLike;
    try {
      sensor = await opts.open(join(opts.dir, "sensor"));
    } catch (e) {
      idem.close();
      throw e;
    }
    const s = new IngestStores(opts, sensor, idem);
    try {
      for (const d of readdirSync(join(opts.dir, "logs"), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)))
        if (d.isDirectory() && SOURCE_RE.test(d.name)) s.#logs.set(d.name, await opts.open(join(opts.dir, "logs", d.name)));
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  /** The log sources with a store, sorted. */
  get sources(): string[] {
    return [...this.#logs.keys()].sort();
  }

  /** Every store with its part name ("sensor", "logs/SOURCE"), for metrics. */
  stores(): { part: string; store: StoreLike }[] {
    return [
      { part: SENSOR_PART, store: this.sensor },
      ...this.sources.map((s) => ({ part: partOf(s), store: this.#logs.get(s) as StoreLike })),
    ];
  }

  async #logStore(source: string): Promise<StoreLike> {
    const have = this.#logs.get(source);
    if (have) return have;
    let p = this.#opening.get(source);
    if (p === undefined) {
      p = this.#open(join(this.dir, "logs", source)).then((st) => {
        this.#logs.set(source, st);
        this.#opening.delete(source);
        return st;
      });
      p.catch(() => this.#opening.delete(source));
      this.#opening.set(source, p);
    }
    return p;
  }

  /**
   * Store a checked batch: each part (the sensor store, each log source's) gets its observations
   * in one put. With `key` (an Idempotency-Key) a batch applied before is not applied again, and
   * one applied in part (a store refused its share) gets only the parts still missing. Resolves
   * once every part is durable; throws IngestError BUSY or NOSPACE when a store refused (the
   * parts that were applied are remembered under `key`).
   */
  async apply(batch: readonly IngestObservation[], key: string | null, via: IngestVia = "http"): Promise<ApplyResult> {
    if (this.#closed) throw new IngestError(IngestErrorCode.BUSY, "the server is stopping");
    if (key === null) return this.#apply(batch, null, via);
    // a retry that arrives while the first try is still running waits for it
    for (let prev = this.#inFlight.get(key); prev !== undefined; prev = this.#inFlight.get(key)) await prev.catch(() => {});
    const run = this.#apply(batch, key, via);
    this.#inFlight.set(key, run);
    try {
      return await run;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #apply(batch: readonly IngestObservation[], key: string | null, via: IngestVia): Promise<ApplyResult> {
    const seen = key === null ? null : this.#idem.get(key);
    if (seen?.done) return { accepted: seen.accepted, duplicate: true };
    const groups = new Map<string, IngestObservation[]>();
    for (const o of batch) {
      const part = partOf(o.source);
      const g = groups.get(part);
      if (g === undefined) groups.set(part, [o]);
      else g.push(o);
    }
    const newSources = [...groups.keys()].filter((p) => p !== SENSOR_PART && !this.#logs.has(p.slice(5)) && !this.#opening.has(p.slice(5)));
    if (newSources.length > 0 && this.#logs.size + this.#opening.size + newSources.length > this.#maxSources)
      throw new IngestError(
        IngestErrorCode.BAD_BATCH,
        `source: ${JSON.stringify(newSources[0]?.slice(5))} would be log source number ${this.#logs.size + this.#opening.size + 1}; this server keeps at most ${this.#maxSources}`,
      );
    // a part is applied if the journal says so, or if its store holds the key as a put tag (made
    // durable with the data: a crash before the journal line loses nothing of what was applied)
    const done = new Set(seen?.parts ?? []);
    if (key !== null)
      for (const part of groups.keys()) {
        const st = part === SENSOR_PART ? this.sensor : this.#logs.get(part.slice(5));
        if (st?.hasTag(key)) done.add(part);
      }
    if (key !== null && groups.size > 0 && [...groups.keys()].every((p) => done.has(p))) {
      this.#idem.record(key, batch.length, [...done], true);
      return { accepted: seen?.accepted ?? batch.length, duplicate: true };
    }
    // the enrichment stamps of a batch not applied before, durable before any store takes its data
    if (this.#beforeApply !== undefined) {
      try {
        await this.#beforeApply(batch);
      } catch (e) {
        throw refusal(e);
      }
    }
    const todo = [...groups].filter(([part]) => !done.has(part));
    const results = await Promise.allSettled(
      todo.map(async ([part, obs]) => {
        const store = part === SENSOR_PART ? this.sensor : await this.#logStore(part.slice(5));
        await store.put(obs, key === null ? {} : { tag: key });
        return part;
      }),
    );
    const applied = results.filter((r): r is PromiseFulfilledResult<string> => r.status === "fulfilled").map((r) => r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (applied.length > 0) {
      let newest = 0;
      let n = 0;
      for (const part of applied)
        for (const o of groups.get(part) ?? []) {
          n++;
          if (o.timeLast > newest) newest = o.timeLast;
        }
      this.#onApplied?.(via, n, newest);
      if (this.#onObservations) this.#onObservations(applied.flatMap((part) => groups.get(part) ?? []));
    }
    if (key !== null && (applied.length > 0 || failed === undefined)) this.#idem.record(key, batch.length, applied, failed === undefined);
    if (failed !== undefined) throw refusal(failed.reason);
    return { accepted: batch.length, duplicate: false };
  }

  /** A consistent view of every store for one query (release it when the query ends). */
  snapshot(): LiveSnapshot {
    const sensor = this.sensor.snapshot();
    const logs: LiveSnapshot["logs"] = [];
    try {
      for (const source of this.sources) logs.push({ source, snapshot: (this.#logs.get(source) as StoreLike).snapshot() });
    } catch (e) {
      sensor.release();
      for (const l of logs) l.snapshot.release();
      throw e;
    }
    let released = false;
    return {
      sensor,
      logs,
      release() {
        if (released) return;
        released = true;
        sensor.release();
        for (const l of logs) l.snapshot.release();
      },
    };
  }

  /** Flush every store's memtable to files (tests, shutdown by choice). */
  async flush(): Promise<void> {
    for (const { store } of this.stores()) await store.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#opening.values()]);
    const errors: unknown[] = [];
    for (const { store } of this.stores()) {
      try {
        await store.close();
      } catch (e) {
        errors.push(e);
      }
    }
    this.#idem.close();
    if (errors.length > 0) throw errors[0];
  }
}

/** A store's refusal as the IngestError the routes answer with (503, 507); other errors as they are. */
function refusal(e: unknown): unknown {
  const code = storeErrorCode(e);
  if (code === "BUSY" || code === "CLOSED")
    return new IngestError(IngestErrorCode.BUSY, `the store is busy: ${(e as Error).message} (retry later)`);
  if (code === "NOSPACE") return new IngestError(IngestErrorCode.NOSPACE, `the store's disk is full: ${(e as Error).message}`);
  return e;
}
