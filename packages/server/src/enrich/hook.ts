import { Enricher, StampStore, type WatchEvent } from "@dnsrep/enrich";
import type { IngestObservation } from "../ingest/observation.js";

/** `dnstable-server --geoip-db FILE [--asn-db FILE]`: enrichment of a live store. */
export interface EnrichOptions {
  /** a country database (MaxMind format) */
  geoipDb?: string;
  /** an ASN database (MaxMind format) */
  asnDb?: string;
  /** stat the database files this often (ms, default 5000) */
  pollMs?: number;
  /** networks (/24, /48) and addresses whose database answers are cached, each (default 65536) */
  cacheSize?: number;
  /** the stamp log's sync (default: the data's, else batch) */
  sync?: "always" | "batch" | "none";
}

/** The databases and the stamp store of a server, and its hook into the ingest apply path. */
export interface Enrichment {
  readonly enricher: Enricher;
  readonly stamps: StampStore;
  /** IngestStores' beforeApply: stamps the batch's new (rrname, address) pairs, durable before the data is */
  beforeApply(batch: readonly IngestObservation[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Open the databases (EnrichError OPEN / FORMAT: a bad database at start is fatal) and the stamp
 * store in `storeDir/enrich`. A database swapped on disk later is logged once (new, or refused
 * and the old one kept).
 */
export async function openEnrichment(opts: EnrichOptions, storeDir: string, log: (line: string) => void): Promise<Enrichment> {
  const onEvent = (e: WatchEvent): void =>
    log(
      e.type === "swap"
        ? `enrich: ${e.path}: new database in use (built ${new Date(e.buildEpoch * 1000).toISOString()})`
        : `enrich: ${e.message}`,
    );
  const enricher = new Enricher({
    ...(opts.geoipDb !== undefined ? { geoipDb: opts.geoipDb } : {}),
    ...(opts.asnDb !== undefined ? { asnDb: opts.asnDb } : {}),
    pollMs: opts.pollMs ?? 5000,
    ...(opts.cacheSize !== undefined ? { cacheSize: opts.cacheSize } : {}),
    onEvent,
  });
  let stamps: StampStore;
  try {
    stamps = await StampStore.open(StampStore.dirOf(storeDir), {
      ...(opts.sync !== undefined ? { sync: opts.sync } : {}),
      onEvent: (e) =>
        log(
          e.type === "torn"
            ? `enrich: ${e.path}: dropped a torn tail of ${e.bytes} bytes at offset ${e.offset} (a batch never acknowledged)`
            : `enrich: ${e.path}: converted the old stamp store (${e.pairs} stamped pairs)`,
        ),
    });
  } catch (e) {
    enricher.close();
    throw e;
  }
  return {
    enricher,
    stamps,
    async beforeApply(batch) {
      await stamps.stamp(batch, enricher);
    },
    async close() {
      enricher.close();
      await stamps.close();
    },
  };
}
