import { addressKey } from "./address.js";
import type { DatabaseAnswer, MmdbDatabase } from "./database.js";
import { SeenMap } from "./seen-map.js";
import type { Stamp } from "./stamp.js";
import { type WatchEvent, WatchedDatabase } from "./watched.js";

export interface EnricherOptions {
  /** a country database (GeoLite2-Country / City, DB-IP / IPinfo lite) */
  geoipDb?: string;
  /** an ASN database (GeoLite2-ASN, …) */
  asnDb?: string;
  /** stat the files this often, ms (default 5000; 0: only on check()) */
  pollMs?: number;
  /** networks (/24 of IPv4, /48 of IPv6) and addresses whose answers are kept, each (default 65536) */
  cacheSize?: number;
  onEvent?: (e: WatchEvent) => void;
}

/** the /24 of an IPv4 address and the /48 of an IPv6 one: the networks answers are cached for */
const NET4 = 24;
const NET6 = 48;
/** IPv4 network keys sit above every IPv6 one (a /48 is below 2^48) */
const NET4_BASE = 2 ** 48;

/**
 * Country and ASN lookups for address bytes from one or two MaxMind-format databases, each
 * watched for a swap on disk, with bounded caches (emptied when a database swaps): one by
 * network — when both databases answer for a network at least as wide as the address's /24
 * (IPv4) or /48 (IPv6), every address in it gets that answer without a lookup — and one by
 * address for the rest.
 */
export class Enricher {
  readonly country: WatchedDatabase | null;
  readonly asn: WatchedDatabase | null;
  readonly #byNet: SeenMap<number, Stamp>;
  readonly #byAddress: SeenMap<string, Stamp>;
  /** equal stamps as one object (bounded: emptied past 4096 or on a swap) */
  readonly #interned = new Map<string, Stamp>();
  #countryGen = -2;
  #asnGen = -2;

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
    this.#byNet = new SeenMap(opts.cacheSize ?? 65536);
    this.#byAddress = new SeenMap(opts.cacheSize ?? 65536);
  }

  /** Poll both files now (as the timer does). */
  check(): void {
    this.country?.check();
    this.asn?.check();
  }

  /** The stamp the databases in force give an address (4 or 16 bytes). */
  lookup(address: Uint8Array): Stamp {
    const cg = this.country?.generation ?? -1;
    const ag = this.asn?.generation ?? -1;
    if (cg !== this.#countryGen || ag !== this.#asnGen) {
      this.#byNet.clear();
      this.#byAddress.clear();
      this.#interned.clear();
      this.#countryGen = cg;
      this.#asnGen = ag;
    }
    const net = netKey(address);
    if (net >= 0) {
      const have = this.#byNet.get(net);
      if (have !== undefined) return have;
    }
    const k = addressKey(address);
    const have = this.#byAddress.get(k);
    if (have !== undefined) return have;
    const s: Stamp = { countryBuild: 0, asnBuild: 0 };
    // the widest prefix both databases answer for
    let prefix = 0;
    const ask = (db: MmdbDatabase): DatabaseAnswer => {
      const r = db.lookupNetwork(address);
      if (r.prefix > prefix) prefix = r.prefix;
      return r.answer;
    };
    if (this.country) {
      const db = this.country.db;
      s.countryBuild = db.buildEpoch;
      const c = ask(db).country;
      if (c !== undefined) s.country = c;
    }
    if (this.asn) {
      const db = this.asn.db;
      s.asnBuild = db.buildEpoch;
      const a = ask(db);
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
    if (net >= 0 && prefix <= (address.length === 4 ? NET4 : NET6)) this.#byNet.set(net, one);
    else this.#byAddress.set(k, one);
    return one;
  }

  close(): void {
    this.country?.close();
    this.asn?.close();
  }
}

/** The cache key of the address's /24 (IPv4) or /48 (IPv6); -1 for another length. */
function netKey(a: Uint8Array): number {
  if (a.length === 4) return NET4_BASE + (((a[0] as number) << 16) | ((a[1] as number) << 8) | (a[2] as number));
  if (a.length !== 16) return -1;
  return (
    ((a[0] as number) * 256 + (a[1] as number)) * 2 ** 32 +
    ((((a[2] as number) << 24) | ((a[3] as number) << 16) | ((a[4] as number) << 8) | (a[5] as number)) >>> 0)
  );
}
