/**
 * The FIFO de-duplication cache. Key: (owner, type, class, bailiwick, rdata set). An RRset seen for
 * the first time is inserted (INSERTION); seen again, its count and last-seen time grow; when it
 * leaves the cache — the oldest first, when the cache is full by entries or by bytes, or at the end
 * (flush) — it is reported with its count and first/last times (EXPIRATION), plus AUTHORITATIVE
 * for a SOA RRset served authoritatively. Nothing counted is lost: flush() reports every entry.
 *
 * Memory: the key string holds everything needed to rebuild the record (names are self-delimiting
 * wire forms, rdata length-prefixed), so an entry is its key plus one Map slot and ~40 bytes in
 * typed arrays indexed by a slot number. Insertion order is kept in a ring of slot numbers (taking
 * the first entry of a Map whose front has been deleted over and over is not O(1) in V8).
 */
import type { DnsDedupe } from "@dnsrep/nmsg";
import { SlabAllocator } from "@dnsrep/util";

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

export const DedupeType = { INSERTION: 0, EXPIRATION: 1, AUTHORITATIVE: 3 } as const;

export interface DedupeCacheOptions {
  /** most entries (default 1,000,000) */
  maxEntries?: number;
  /** most bytes of keys plus per-entry overhead (default 512 MiB) */
  maxBytes?: number;
}

export interface DedupeCacheStats {
  /** observations of an RRset already in the cache */
  hits: number;
  inserts: number;
  expirations: number;
  /** entries and accounted bytes now */
  entries: number;
  bytes: number;
}

/**
 * Receives each record. Its byte fields are views into one copy of the entry (carved from a shared
 * 8 KiB slab): to keep many records, keep them as they are; to keep a few for long, copy their
 * byte fields (slice()) so they do not hold on to their slabs.
 */
export type DedupeEmit = (d: DnsDedupe, sec: number, nsec: number) => void;

/** accounted per entry beyond its key: the Map slot and the typed-array columns */
export const ENTRY_OVERHEAD = 80;

const AUTH = 1;

export class DedupeCache {
  readonly stats: DedupeCacheStats = { hits: 0, inserts: 0, expirations: 0, entries: 0, bytes: 0 };
  readonly #emit: DedupeEmit;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #slots = new Map<string, number>();
  #free: number[] = [];
  #cap = 0;
  /** key per slot, and the ring of slots in insertion order */
  #keys: (string | undefined)[] = [];
  #ring = new Int32Array(0);
  #head = 0;
  #size = 0;
  #count = new Uint32Array(0);
  #first = new Uint32Array(0);
  #last = new Uint32Array(0);
  #ttl = new Uint32Array(0);
  #flags = new Uint8Array(0);
  /** response address per slot: length byte + up to 16 bytes */
  #ip = new Uint8Array(0);
  #nowSec = 0;
  #nowNsec = 0;

  constructor(emit: DedupeEmit, opts: DedupeCacheOptions = {}) {
    this.#emit = emit;
    this.#maxEntries = opts.maxEntries ?? 1_000_000;
    this.#maxBytes = opts.maxBytes ?? 512 << 20;
    if (!(this.#maxEntries >= 1)) throw new RangeError("maxEntries must be at least 1");
  }

  /**
   * Record one sighting of an RRset. `key` comes from dedupeKey(); `ip` is the responding server;
   * `sec`/`nsec` the response time; `authoritative` marks a SOA RRset from an AA response.
   */
  observe(key: string, ttl: number, ip: Uint8Array, sec: number, nsec: number, authoritative: boolean): void {
    this.#nowSec = sec;
    this.#nowNsec = nsec;
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      this.stats.hits++;
      this.#count[slot]!++;
      if (sec > this.#last[slot]!) this.#last[slot] = sec;
      if (sec < this.#first[slot]!) this.#first[slot] = sec;
      this.#ttl[slot] = ttl;
      if (authoritative) this.#flags[slot]! |= AUTH;
      return;
    }
    const s = this.#alloc();
    this.#slots.set(key, s);
    this.#keys[s] = key;
    this.#ring[(this.#head + this.#size++) % this.#cap] = s;
    this.#count[s] = 1;
    this.#first[s] = sec;
    this.#last[s] = sec;
    this.#ttl[s] = ttl;
    this.#flags[s] = authoritative ? AUTH : 0;
    const ipLen = Math.min(ip.length, 16);
    this.#ip[s * 17] = ipLen;
    for (let i = 0; i < ipLen; i++) this.#ip[s * 17 + 1 + i] = ip[i]!;
    this.stats.inserts++;
    this.stats.entries++;
    this.stats.bytes += key.length + ENTRY_OVERHEAD;
    this.#emit(this.#record(key, s, DedupeType.INSERTION), sec, nsec);
    while (this.stats.entries > this.#maxEntries || (this.stats.bytes > this.#maxBytes && this.stats.entries > 1)) this.#expireOldest();
  }

  /** Report every entry (oldest first) and empty the cache: end of input or shutdown. */
  flush(): void {
    while (this.stats.entries > 0) this.#expireOldest();
  }

  #expireOldest(): void {
    if (this.#size === 0) return;
    const s = this.#ring[this.#head]!;
    this.#head = (this.#head + 1) % this.#cap;
    this.#size--;
    const key = this.#keys[s]!;
    this.#keys[s] = undefined;
    this.#slots.delete(key);
    this.stats.entries--;
    this.stats.bytes -= key.length + ENTRY_OVERHEAD;
    this.stats.expirations++;
    this.#emit(this.#record(key, s, DedupeType.EXPIRATION), this.#nowSec, this.#nowNsec);
    if (this.#flags[s]! & AUTH) this.#emit(this.#record(key, s, DedupeType.AUTHORITATIVE), this.#nowSec, this.#nowNsec);
    this.#free.push(s);
  }

  #alloc(): number {
    const s = this.#free.pop();
    if (s !== undefined) return s;
    const n = this.#slots.size + this.#free.length;
    if (n >= this.#cap) this.#grow(Math.max(1024, this.#cap * 2));
    return n;
  }

  #grow(cap: number): void {
    const g32 = (a: Uint32Array): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    this.#count = g32(this.#count);
    this.#first = g32(this.#first);
    this.#last = g32(this.#last);
    this.#ttl = g32(this.#ttl);
    const f = new Uint8Array(cap);
    f.set(this.#flags);
    this.#flags = f;
    const ip = new Uint8Array(cap * 17);
    ip.set(this.#ip);
    this.#ip = ip;
    // unroll the ring into the front of the bigger one
    const ring = new Int32Array(cap);
    for (let i = 0; i < this.#size; i++) ring[i] = this.#ring[(this.#head + i) % this.#cap]!;
    this.#ring = ring;
    this.#head = 0;
    this.#cap = cap;
  }

  #record(key: string, s: number, type: number): DnsDedupe {
    // one buffer holds the key's parts and, after them, the response address
    const ipLen = this.#ip[s * 17]!;
    const k = splitKey(key, ipLen);
    const ip = new Uint8Array(k.rrname.buffer, k.rrname.byteOffset + key.length, ipLen);
    for (let i = 0; i < ipLen; i++) ip[i] = this.#ip[s * 17 + 1 + i]!;
    const d: DnsDedupe = {
      type,
      count: this.#count[s]!,
      response_ip: ip,
      bailiwick: k.bailiwick,
      rrname: k.rrname,
      rrclass: k.rrclass,
      rrtype: k.rrtype,
      rrttl: this.#ttl[s]!,
      rdata: k.rdata,
    };
    if (type === DedupeType.AUTHORITATIVE) {
      d.zone_time_first = this.#first[s]!;
      d.zone_time_last = this.#last[s]!;
    } else {
      d.time_first = this.#first[s]!;
      d.time_last = this.#last[s]!;
    }
    return d;
  }
}

/**
 * The cache key of an RRset: owner and bailiwick wire names, type, class, then each rdata with a
 * 16-bit length; every character is a byte, so the key stays a one-byte string.
 */
export function dedupeKey(owner: string, bailiwick: string, rrtype: number, rrclass: number, rdatas: readonly Uint8Array[]): string {
  // built in a byte buffer and decoded once: a flat one-byte string, hashed once by the Map,
  // instead of a chain of concatenations V8 must flatten first
  let n = owner.length + bailiwick.length + 4;
  for (const rd of rdatas) n += 2 + rd.length;
  if (n > keyScratch.length) keyScratch = new Uint8Array(n * 2);
  const b = keyScratch;
  let o = 0;
  for (let i = 0; i < owner.length; i++) b[o++] = owner.charCodeAt(i);
  for (let i = 0; i < bailiwick.length; i++) b[o++] = bailiwick.charCodeAt(i);
  b[o++] = rrtype >> 8;
  b[o++] = rrtype & 0xff;
  b[o++] = rrclass >> 8;
  b[o++] = rrclass & 0xff;
  for (const rd of rdatas) {
    b[o++] = rd.length >> 8;
    b[o++] = rd.length & 0xff;
    b.set(rd, o);
    o += rd.length;
  }
  return latin1Slice.call(b, 0, o);
}
let keyScratch = new Uint8Array(1024);

/** The parts of a dedupeKey(): views into one copy of the key's bytes. */
export function parseDedupeKey(key: string): {
  rrname: Uint8Array;
  bailiwick: Uint8Array;
  rrtype: number;
  rrclass: number;
  rdata: Uint8Array[];
} {
  return splitKey(key, 0);
}

/** record bytes: 8 KiB slabs, so a record a user keeps holds on to at most 8 KiB */
const recordBytes = new SlabAllocator(8192);

/** splitKey's parts, and `extra` bytes after the key's copy in the same buffer (for the response address) */
function splitKey(
  key: string,
  extra: number,
): {
  rrname: Uint8Array;
  bailiwick: Uint8Array;
  rrtype: number;
  rrclass: number;
  rdata: Uint8Array[];
} {
  const n = key.length;
  // from a shared slab, and the parts as views made directly: a small array of its own lives on the
  // V8 heap, and its first subarray() moves its bytes out (the dearest step of rebuilding a record)
  const b = recordBytes.alloc(n + extra);
  const ab = b.buffer;
  const at = b.byteOffset;
  for (let i = 0; i < n; i++) b[i] = key.charCodeAt(i); // cheaper than Buffer#latin1Write's native call for keys this short
  // the two names are self-delimiting wire forms, the rdata length-prefixed
  let o = 0;
  while (b[o] !== 0) o += b[o]! + 1;
  o++;
  let z = o;
  while (b[z] !== 0) z += b[z]! + 1;
  z++;
  const rdata: Uint8Array[] = [];
  for (let p = z + 4; p < n; ) {
    const len = (b[p]! << 8) | b[p + 1]!;
    rdata.push(new Uint8Array(ab, at + p + 2, len));
    p += 2 + len;
  }
  return {
    rrname: new Uint8Array(ab, at, o),
    bailiwick: new Uint8Array(ab, at + o, z - o),
    rrtype: (b[z]! << 8) | b[z + 1]!,
    rrclass: (b[z + 2]! << 8) | b[z + 3]!,
    rdata,
  };
}
