import { join } from "node:path";
import { type DnstableReader, decodeRdataKey, decodeRRsetKey, decodeTriplet, rdataKey, rrsetKey } from "@dnsrep/dnstable";
import { Store, type StoreEvent } from "@dnsrep/store";
import { addressKey } from "./address.js";
import type { Enricher } from "./enricher.js";
import { PairSet } from "./pair-set.js";
import { asnIndexRdata, countryIndexRdata, decodeStamp, earlier, encodeStamp, STAMP_TAG, type Stamp } from "./stamp.js";

/**
 * The stamp store: a second @dnsrep/store (WAL, memtable, flushes to dnstable files, tiered
 * compaction) beside the data, holding one record per stamped (rrname, address):
 *
 *   rrname    = the observation's rrname + one label of the address in lower-case hex (8 or 32 digits)
 *   rrtype    = 65280 (private use), bailiwick = the root
 *   rdata     = { "a" u32 asn, "c" country, "s" stamp }   (the index parts only when known)
 *   time_first = time_last = when it was ingested (epoch s), count = 1
 *
 * dnstable's own RDATA index entries of the "a" and "c" rdatas are the indexes by ASN and by
 * country (a prefix scan, no full scan). First wins without a read before each write: a stamp
 * made under other databases is another key; readers take the one with the least time_first
 * (in one second, the older databases). A bounded cache of pairs already stamped by this process
 * keeps repeated observations from writing at all. Across a restart nothing is remembered, so
 * open() returns only once the second it opened the store in is over: every stamp of the last
 * process (made before it let go of the store, or died) sorts before every stamp of the new one,
 * even when the restart took less than a second and the databases changed in between.
 */
export const STAMP_RRTYPE = 65280;
const ROOT = Uint8Array.of(0);
const HEXD = "0123456789abcdef";

/**
 * The stamp record's owner name for (rrname, address): the rrname's labels, then one label of the
 * address in hex, then the root — so dnstable's reversed names sort the index entries by address
 * first. Null when it would pass 255 octets.
 */
export function stampName(rrname: Uint8Array, address: Uint8Array): Uint8Array | null {
  const label = address.length * 2;
  if (rrname.length + 1 + label > 255) return null;
  const out = new Uint8Array(rrname.length + 1 + label);
  const head = rrname.length - 1; // without the root
  out.set(rrname.subarray(0, head), 0);
  out[head] = label;
  for (let i = 0; i < address.length; i++) {
    const b = address[i] as number;
    out[head + 1 + 2 * i] = HEXD.charCodeAt(b >> 4);
    out[head + 2 + 2 * i] = HEXD.charCodeAt(b & 15);
  }
  out[out.length - 1] = 0;
  return out;
}

/** Split a stamp record's owner name back into (address, rrname); null when it is not one. */
export function splitStampName(name: Uint8Array): { address: Uint8Array; rrname: Uint8Array } | null {
  let last = -1;
  for (let p = 0; p < name.length && name[p] !== 0; p += (name[p] as number) + 1) last = p;
  if (last < 0) return null;
  const label = name[last] as number;
  if ((label !== 8 && label !== 32) || last + label + 2 !== name.length) return null;
  const address = new Uint8Array(label / 2);
  for (let i = 0; i < address.length; i++) {
    const h = HEXD.indexOf(String.fromCharCode(name[last + 1 + 2 * i] as number));
    const l = HEXD.indexOf(String.fromCharCode(name[last + 2 + 2 * i] as number));
    if (h < 0 || l < 0) return null;
    address[i] = (h << 4) | l;
  }
  const rrname = new Uint8Array(last + 1);
  rrname.set(name.subarray(0, last), 0);
  return { address, rrname };
}

/** What a stamper needs of an observation: A (1) and AAAA (28) rdata are the addresses. */
export interface StampableObservation {
  rrname: Uint8Array;
  rrtype: number;
  rdata: readonly Uint8Array[];
}

export interface StampStoreOptions {
  /** pairs remembered as stamped by this process (default 524288) */
  cacheSize?: number;
  /** memtable flush threshold (default 16 MiB) */
  memtableBytes?: number;
  sync?: "always" | "batch" | "none";
  onEvent?: (e: StoreEvent) => void;
  /** clock, epoch s (tests: open() then does not wait for the next second; stamps never carry the second it opened in) */
  now?: () => number;
}

/**
 * The entries of a stamp record the readers use: the RRSET entry (lookup) and the RDATA entries of
 * the "a" and "c" rdatas (byAsn, byCountry). Not made at all: RRSET_NAME_FWD and the RDATA entry of
 * the "s" rdata, which nothing reads (stores written before hold them; readers pass them by).
 */
const STAMP_ENTRIES = { nameFwd: false, indexRdata: (rdata: Uint8Array): boolean => rdata[0] !== STAMP_TAG } as const;

/** A stamped (rrname, address) found by an index scan. */
export interface StampedPair {
  rrname: Uint8Array;
  address: Uint8Array;
  stamp: Stamp;
  /** when it was first ingested, epoch s */
  stamped: number;
}

const lower = (n: Uint8Array): Uint8Array => {
  let copy: Uint8Array | null = null;
  for (let i = 0; i < n.length; ) {
    const len = n[i] as number;
    for (let j = i + 1; j <= i + len; j++) {
      const c = n[j] as number;
      if (c >= 0x41 && c <= 0x5a) {
        copy ??= n.slice();
        copy[j] = c | 0x20;
      }
    }
    if (len === 0) break;
    i += len + 1;
  }
  return copy ?? n;
};

export class StampStore {
  readonly store: Store;
  readonly #stamped: PairSet;
  readonly #now: () => number;
  /** the least second this process stamps with: the one after it opened the store */
  readonly #floor: number;

  private constructor(store: Store, opts: StampStoreOptions) {
    this.store = store;
    this.#stamped = new PairSet(opts.cacheSize ?? 524288);
    this.#now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.#floor = this.#now() + 1;
  }

  /** Open (or create) the stamp store in `dir` (the live store's `DIR/enrich`). */
  static async open(dir: string, opts: StampStoreOptions = {}): Promise<StampStore> {
    const store = await Store.open(dir, {
      memtableBytes: opts.memtableBytes ?? 16 << 20,
      sync: opts.sync ?? "batch",
      entries: STAMP_ENTRIES,
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    const st = new StampStore(store, opts);
    if (opts.now === undefined) {
      // the clock fence: stamps of this process start in the second after the one it opened in
      const wait = st.#floor * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    return st;
  }

  static dirOf(storeDir: string): string {
    return join(storeDir, "enrich");
  }

  /**
   * Stamp the A/AAAA addresses of a batch not stamped before (as far as this process knows) with
   * what `enricher` says now; resolves once the stamps are durable. Rejects as the store's put does
   * (BUSY, NOSPACE …): the caller then refuses the batch.
   */
  async stamp(batch: readonly StampableObservation[], enricher: Enricher): Promise<number> {
    const now = Math.max(this.#now(), this.#floor);
    const puts = [];
    // at most this many pairs: the set of the batch's pairs holds them all (it was sized by
    // observations, and forgot pairs of an observation with many addresses: stamped twice)
    let addresses = 0;
    for (const o of batch) addresses += o.rdata.length;
    // each put's pair hashed once (PairSet.hash), at 2 × its index: checked here, added once durable
    const hashes = new Uint32Array(2 * addresses);
    let inBatch: PairSet | null = null;
    for (const o of batch) {
      if (o.rrtype !== 1 && o.rrtype !== 28) continue;
      const len = o.rrtype === 1 ? 4 : 16;
      for (const a of o.rdata) {
        if (a.length !== len) continue;
        const at = 2 * puts.length;
        PairSet.hash(o.rrname, a, hashes, at);
        const h0 = hashes[at] as number;
        const h1 = hashes[at + 1] as number;
        if (this.#stamped.hasHash(h0, h1) || inBatch?.hasHash(h0, h1)) continue;
        // (the store downcases the name)
        const name = stampName(o.rrname, a);
        if (name === null) continue;
        inBatch ??= new PairSet(2 * addresses + 2);
        inBatch.addHash(h0, h1);
        const rdata = rdatasOf(enricher.lookup(a));
        puts.push({ rrname: name, rrtype: STAMP_RRTYPE, bailiwick: ROOT, rdata, timeFirst: now, timeLast: now, count: 1 });
      }
    }
    if (puts.length === 0) return 0;
    await this.store.put(puts);
    for (let i = 0; i < 2 * puts.length; i += 2) this.#stamped.addHash(hashes[i] as number, hashes[i + 1] as number);
    return puts.length;
  }

  /** The first stamp of (rrname, address) in a snapshot's reader (aggregated), or null. */
  static lookup(reader: DnstableReader, rrname: Uint8Array, address: Uint8Array): StampedPair | null {
    const name = stampName(lower(rrname), address);
    if (name === null) return null;
    const it = reader.source.getPrefix(rrsetKey(name, STAMP_RRTYPE, ROOT, []));
    let best: StampedPair | null = null;
    while (it.next()) {
      const t = decodeTriplet(it.value);
      if (t === null) continue;
      const rd = lastRdata(it.key);
      const s = rd === null ? null : decodeStamp(rd);
      if (s === null) continue;
      if (best === null || earlier(t.timeFirst, s, best.stamped, best.stamp))
        best = { rrname: lower(rrname), address, stamp: s, stamped: t.timeFirst };
    }
    return best;
  }

  /** Every (rrname, address) whose first stamp has this ASN. */
  static *byAsn(reader: DnstableReader, asn: number): Generator<StampedPair> {
    yield* scan(reader, asnIndexRdata(asn), (s) => s.asn === asn);
  }

  /** Every (rrname, address) whose first stamp has this country code. */
  static *byCountry(reader: DnstableReader, cc: string): Generator<StampedPair> {
    yield* scan(reader, countryIndexRdata(cc), (s) => s.country === cc);
  }

  snapshot(): ReturnType<Store["snapshot"]> {
    return this.store.snapshot();
  }

  flush(): Promise<void> {
    return this.store.flush();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/**
 * A stamp's record rdatas, made once per stamp: the Enricher interns equal stamps (all the
 * addresses of one network share one object), so a batch allocates only the names.
 */
const encoded = new WeakMap<Stamp, Uint8Array[]>();
function rdatasOf(s: Stamp): Uint8Array[] {
  let rd = encoded.get(s);
  if (rd === undefined) {
    rd = [];
    if (s.asn !== undefined) rd.push(asnIndexRdata(s.asn));
    if (s.country !== undefined) rd.push(countryIndexRdata(s.country));
    rd.push(encodeStamp(s));
    encoded.set(s, rd);
  }
  return rd;
}

/** The last rdata of an RRSET key (the "s" stamp sorts last), or null when it does not decode. */
function lastRdata(key: Uint8Array): Uint8Array | null {
  try {
    return decodeRRsetKey(key).rdatas.at(-1) ?? null;
  } catch {
    return null;
  }
}

function* scan(reader: DnstableReader, indexRdata: Uint8Array, wins: (s: Stamp) => boolean): Generator<StampedPair> {
  // RDATA key prefix: 02 | rdata | varint rrtype (rdataKey with an empty name gives it plus 00 and the length)
  const full = rdataKey(indexRdata, STAMP_RRTYPE, ROOT);
  const prefix = full.subarray(0, full.length - 3);
  // streamed: index entries come by address (the stamp name's last label sorts first), then name
  const it = reader.source.getPrefix(prefix);
  let last = "";
  while (it.next()) {
    const k = decodeRdataKey(it.key);
    if (k === null) continue;
    const key = addressKey(k.rrname);
    if (key === last) continue;
    last = key;
    const pair = splitStampName(k.rrname);
    if (pair === null) continue;
    const first = StampStore.lookup(reader, pair.rrname, pair.address);
    if (first !== null && wins(first.stamp)) yield first;
  }
}
