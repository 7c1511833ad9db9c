import type { DnstableReader } from "@dnsrep/dnstable";
import type { RRsetObservation } from "@dnsrep/store";

/**
 * What the ingest side needs of a live store: @dnsrep/store's `Store` (contract §1), seen
 * structurally so the routes can be tested with a store that refuses (BUSY, NOSPACE).
 */
export type StoreObservation = RRsetObservation;

export interface StoreSnapshotLike {
  reader(aggregated: boolean): DnstableReader;
  release(): void;
}

export interface StoreLike {
  /**
   * Resolves once durable; rejects with an error whose `code` is "BUSY", "NOSPACE", "CLOSED" …
   * `tag` (an Idempotency-Key) is made durable with the batch: a put whose tag the store holds is
   * not applied again.
   */
  put(batch: readonly StoreObservation[], opts?: { tag?: string }): Promise<void>;
  /** whether the store holds a batch put with `tag` (recent ones: within the idempotency window) */
  hasTag(tag: string): boolean;
  snapshot(): StoreSnapshotLike;
  flush(): Promise<void>;
  /** counters for /metrics (field names as @dnsrep/store's StoreStats; absent ones are left out) */
  stats(): object;
  close(): Promise<void>;
}

/** Opens (or creates) a store in a directory. */
export type OpenStore = (dir: string) => Promise<StoreLike>;

/** The code of a store's refusal ("BUSY", "NOSPACE", …), or null for another error. */
export function storeErrorCode(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code.replace(/^ERR_/, "") : null;
}
