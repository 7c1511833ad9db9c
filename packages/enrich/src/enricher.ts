import { addressKey } from "./address.js";
import { Lru } from "./lru.js";
import type { Stamp } from "./stamp.js";
import { type WatchEvent, WatchedDatabase } from "./watched.js";

export interface EnricherOptions {
  /** a country database (GeoLite2-Country / City, DB-IP / IPinfo lite) */
  geoipDb?: string;
  /** an ASN database (GeoLite2-ASN, …) */
  asnDb?: string;
  /** stat the files this often, ms (default 5000; 0: only on check()) */
  pollMs?: number;
  /** addresses whose answers are kept (default 65536) */
  cacheSize?: number;
  onEvent?: (e: WatchEvent) => void;
}

/**
 * Country and ASN lookups for address bytes from one or two MaxMind-format databases, each
 * watched for a swap on disk, with a bounded per-address cache (emptied when a database swaps).
 */
export class Enricher {
  readonly country: WatchedDatabase | null;
  readonly asn: WatchedDatabase | null;
  readonly #cache: Lru<string, Stamp>;
  /** equal stamps as one object (bounded: emptied past 4096 or on a swap) */
  readonly #interned = new Map<string, Stamp>();
  #generation = "";

  /** Opens the databases now: throws EnrichError OPEN / FORMAT. */
  constructor(opts: EnricherOptions) {
    const w = { pollMs: opts.pollMs ?? 5000, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };
    this.country = opts.geoipDb === undefined ? null : new WatchedDatabase(opts.geoipDb, w);
    try {
      this.asn = opts.asnDb === undefined ? null : new WatchedDatabase(opts.asnDb, w);
    } catch (e) {
      this.country?.close();
      throw e;
    }
    this.#cache = new Lru(opts.cacheSize ?? 65536);
  }

  /** Poll both files now (as the timer does). */
  check(): void {
    this.country?.check();
    this.asn?.check();
  }

  /** The stamp the databases in force give an address (4 or 16 bytes). */
  lookup(address: Uint8Array): Stamp {
    const gen = `${this.country?.generation ?? -1}/${this.asn?.generation ?? -1}`;
    if (gen !== this.#generation) {
      this.#cache.clear();
      this.#interned.clear();
      this.#generation = gen;
    }
    const k = addressKey(address);
    const have = this.#cache.get(k);
    if (have !== undefined) return have;
    const s: Stamp = { countryBuild: 0, asnBuild: 0 };
    if (this.country) {
      const db = this.country.db;
      s.countryBuild = db.buildEpoch;
      const c = db.lookup(address).country;
      if (c !== undefined) s.country = c;
    }
    if (this.asn) {
      const db = this.asn.db;
      s.asnBuild = db.buildEpoch;
      const a = db.lookup(address);
      if (a.asn !== undefined) s.asn = a.asn;
      if (a.asOrg !== undefined) s.asOrg = a.asOrg;
    }
    const id = `${s.country ?? ""}|${s.asn ?? 0}|${s.countryBuild}|${s.asnBuild}|${s.asOrg ?? ""}`;
    let one = this.#interned.get(id);
    if (one === undefined) {
      if (this.#interned.size >= 4096) this.#interned.clear();
      one = s;
      this.#interned.set(id, s);
    }
    this.#cache.set(k, one);
    return one;
  }

  close(): void {
    this.country?.close();
    this.asn?.close();
  }
}
