/**
 * What the ingest paths hand the store: one RRset observation in wire form (the store's
 * `RRsetObservation`; rdatas downcased where they hold names, sorted as libwdns sorts an RRset,
 * no duplicates), plus where it came from. `source` is null for sensor data (an RRset seen
 * with a real bailiwick); log-derived observations (no bailiwick was ever seen) carry the name of
 * their source and the root as a placeholder bailiwick that is never shown.
 */
import type { RRsetObservation } from "@dnsrep/store";

export interface IngestObservation extends RRsetObservation {
  /** null: sensor data (with a bailiwick); else the log source it came from */
  source: string | null;
}

/** The root name in wire form: the placeholder bailiwick of log-derived observations. */
export const ROOT_NAME: Uint8Array = new Uint8Array([0]);

/** Source names: 1 to 64 of letters, digits and `._-` (they name a directory of the store). */
export const SOURCE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The largest epoch second or count an observation may carry (what a dnstable triplet holds safely). */
export const MAX_UINT32 = 0xffff_ffff;
