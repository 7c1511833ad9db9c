/**
 * The FIFO de-duplication cache. Key: (owner, type, class, bailiwick, rdata set). An RRset seen for
 * the first time is inserted (INSERTION); seen again, its count and last-seen time grow; when it
 * leaves the cache — the oldest first, when the cache is full by entries or by bytes, or at the end
 * (flush) — it is reported with its count and first/last times (EXPIRATION), plus AUTHORITATIVE
 * for a SOA RRset served authoritatively. Nothing counted is lost: flush() reports every entry.
 *
 * No object per entry. Entries leave in the order they came, so everything is a ring: an entry's
 * slot is its place in a ring of typed-array columns (count, times, TTL, flags, server address,
 * key place, hash, hash chain), and the keys' bytes follow one another through a byte ring (the
 * key holds everything needed to rebuild the record: names are self-delimiting wire forms, rdata
 * length-prefixed). A hash table of slot chains finds a key: chains hold the newest first, so the
 * entry that leaves is always the last of its chain. The hash is seeded per process, so crafted
 * names cannot aim at one chain.
 *
 * Records go out as DnsDedupe objects (the emit callback) or, with the `raw` option, as a
 * DedupeEncoding laid out from the rings for NmsgWriter.writeEncoded.
 */
import { randomInt } from "node:crypto";
import type { DnsDedupe } from "@dnsrep/nmsg";
import { DedupeEncoding } from "./dedupe-encoding.js";
import { splitKey } from "./dedupe-key.js";

export const DedupeType = { INSERTION: 0, EXPIRATION: 1, AUTHORITATIVE: 3 } as const;

/** Receives each record as bytes (see DedupeEncoding): valid only during the call. */
export type DedupeRawEmit = (m: DedupeEncoding, sec: number, nsec: number) => void;

export interface DedupeCacheOptions {
  /** most entries (default 1,000,000) */
  maxEntries?: number;
  /** most bytes of keys plus per-entry overhead (default 512 MiB) */
  maxBytes?: number;
  /** report records as encoded messages instead of objects (the emit callback is not called) */
  raw?: DedupeRawEmit;
  /** first size of the key ring in bytes (default 64 KiB; it doubles when full) */
  keyRingBytes?: number;
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

/** accounted per entry beyond its key: the columns (50 bytes), the hash table and the key ring's slack */
export const ENTRY_OVERHEAD = 64;

const AUTH = 1;
const SLOTS_MIN = 1024;
const KEYS_MIN = 1 << 16;

/**
 * murmur3's 32-bit mix over a key of n bytes, seeded: the whole words from k32 (a little-endian
 * view of the same 4-byte-aligned bytes as k), the tail from k
 */
function hashKey(k32: Int32Array, k: Uint8Array, n: number, seed: number): number {
  let h = seed ^ n;
  const words = n >> 2;
  for (let i = 0; i < words; i++) {
    let w = Math.imul(k32[i]!, 0xcc9e2d51);
    w = Math.imul((w << 15) | (w >>> 17), 0x1b873593);
    h ^= w;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let w = 0;
  for (let i = words * 4, s = 0; i < n; i++, s += 8) w |= k[i]! << s;
  w = Math.imul(w, 0xcc9e2d51);
  h ^= Math.imul((w << 15) | (w >>> 17), 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** a typed array's bytes rounded up to whole words */
const words = (n: number): number => (n + 3) >> 2;

// a slot's columns: M ints of #meta (hash, key place and length, chain), V of #vals (count, times,
// TTL) and IP bytes of #ip (flags, address length, address): the lookup reads one line of #meta
const M = 4;
const HASH = 0;
const KEY_AT = 1;
const KEY_LEN = 2;
const CHAIN = 3;
const V = 4;
const COUNT = 0;
const FIRST = 1;
const LAST = 2;
const TTL = 3;
const IP = 18;
const FLAGS = 0;
const IP_LEN = 1;

export class DedupeCache {
  readonly stats: DedupeCacheStats = { hits: 0, inserts: 0, expirations: 0, entries: 0, bytes: 0 };
  readonly #emit: DedupeEmit;
  readonly #raw: DedupeRawEmit | undefined;
  readonly #enc = new DedupeEncoding();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #seed = randomInt(0x7fffffff);
  // the ring of slots: #size entries from #head, oldest first
  #cap = 0;
  #head = 0;
  #size = 0;
  #meta = new Int32Array(0);
  #vals = new Uint32Array(0);
  #ip = new Uint8Array(0);
  #buckets = new Int32Array(0);
  #mask = 0;
  // the ring of keys: the live keys' bytes run from #keyHead to #keyTail, wrapping at most once
  #keys: Uint8Array;
  #keys32: Int32Array;
  // where keys are built (keyBuffer) and looked up from: word-aligned, like the ring's keys
  #scratch = new Uint8Array(1024);
  #scratch32 = new Int32Array(this.#scratch.buffer);
  #keyHead = 0;
  #keyTail = 0;
  #nowSec = 0;
  #nowNsec = 0;

  constructor(emit: DedupeEmit, opts: DedupeCacheOptions = {}) {
    this.#emit = emit;
    this.#raw = opts.raw;
    this.#maxEntries = opts.maxEntries ?? 1_000_000;
    this.#maxBytes = opts.maxBytes ?? 512 << 20;
    this.#keys = new Uint8Array(4 * words(Math.max(16, opts.keyRingBytes ?? KEYS_MIN)));
    this.#keys32 = new Int32Array(this.#keys.buffer);
    if (!(this.#maxEntries >= 1)) throw new RangeError("maxEntries must be at least 1");
  }

  /**
   * Record one sighting of an RRset: its key is key[0, keyLen), from dedupeKey() or
   * putDedupeKey(); `ip` is the responding server; `sec`/`nsec` the response time;
   * `authoritative` marks a SOA RRset from an AA response. The key's bytes are copied.
   */
  observe(key: Uint8Array, ttl: number, ip: Uint8Array, sec: number, nsec: number, authoritative: boolean, keyLen = key.length): void {
    if (!(keyLen > 0 && keyLen <= key.length)) throw new RangeError("empty or out-of-range dedupe key");
    this.keyBuffer(keyLen).set(key.subarray(0, keyLen));
    this.observeBuffered(keyLen, ttl, ip, sec, nsec, authoritative);
  }

  /** A buffer of at least n bytes to build a key in (putDedupeKey) for observeBuffered(); valid until the next call. */
  keyBuffer(n: number): Uint8Array {
    if (n > this.#scratch.length) {
      this.#scratch = new Uint8Array(4 * words(2 * n));
      this.#scratch32 = new Int32Array(this.#scratch.buffer);
    }
    return this.#scratch;
  }

  /** observe() for the key of keyLen bytes built in keyBuffer(): no copy, and words at a time. */
  observeBuffered(keyLen: number, ttl: number, ip: Uint8Array, sec: number, nsec: number, authoritative: boolean): void {
    if (!(keyLen > 0 && keyLen <= this.#scratch.length)) throw new RangeError("empty or out-of-range dedupe key");
    this.#nowSec = sec;
    this.#nowNsec = nsec;
    const key = this.#scratch;
    const key32 = this.#scratch32;
    const h = hashKey(key32, key, keyLen, this.#seed);
    const whole = keyLen >> 2;
    if (this.#size > 0) {
      const ks = this.#keys;
      const ks32 = this.#keys32;
      const m = this.#meta;
      next: for (let s = this.#buckets[h & this.#mask]!; s >= 0; s = m[s * M + CHAIN]!) {
        const o = s * M;
        if (m[o + HASH] !== h || m[o + KEY_LEN] !== keyLen) continue;
        const at = m[o + KEY_AT]!;
        const at32 = at >> 2;
        for (let i = 0; i < whole; i++) if (ks32[at32 + i] !== key32[i]) continue next;
        for (let i = whole * 4; i < keyLen; i++) if (ks[at + i] !== key[i]) continue next;
        this.stats.hits++;
        const v = this.#vals;
        const w = s * V;
        v[w + COUNT]!++;
        if (sec > v[w + LAST]!) v[w + LAST] = sec;
        if (sec < v[w + FIRST]!) v[w + FIRST] = sec;
        v[w + TTL] = ttl;
        if (authoritative) this.#ip[s * IP + FLAGS]! |= AUTH;
        return;
      }
    }
    if (this.#size === this.#cap) this.#grow();
    // keys take whole words of the ring: copied a word at a time (the last one padded)
    const at = this.#allocKey(4 * words(keyLen));
    const ks32 = this.#keys32;
    const n32 = words(keyLen);
    for (let i = 0, d = at >> 2; i < n32; i++) ks32[d + i] = key32[i]!;
    let s = this.#head + this.#size++;
    if (s >= this.#cap) s -= this.#cap;
    const m = this.#meta;
    const o = s * M;
    m[o + HASH] = h;
    m[o + KEY_AT] = at;
    m[o + KEY_LEN] = keyLen;
    const b = h & this.#mask;
    m[o + CHAIN] = this.#buckets[b]!;
    this.#buckets[b] = s;
    const v = this.#vals;
    const w = s * V;
    v[w + COUNT] = 1;
    v[w + FIRST] = sec;
    v[w + LAST] = sec;
    v[w + TTL] = ttl;
    const ipLen = Math.min(ip.length, 16);
    const ips = this.#ip;
    const a = s * IP;
    ips[a + FLAGS] = authoritative ? AUTH : 0;
    ips[a + IP_LEN] = ipLen;
    for (let i = 0; i < ipLen; i++) ips[a + 2 + i] = ip[i]!;
    const st = this.stats;
    st.inserts++;
    st.entries++;
    st.bytes += keyLen + ENTRY_OVERHEAD;
    this.#report(s, DedupeType.INSERTION, sec, nsec);
    while (st.entries > this.#maxEntries || (st.bytes > this.#maxBytes && st.entries > 1)) this.#expireOldest();
  }

  /** Report every entry (oldest first) and empty the cache: end of input or shutdown. */
  flush(): void {
    // every entry leaves, oldest first, as #expireOldest would take them; the hash table is
    // emptied at once at the end instead of entry by entry (a random access each)
    const st = this.stats;
    const m = this.#meta;
    while (this.#size > 0) {
      const s = this.#head;
      this.#head = s + 1 === this.#cap ? 0 : s + 1;
      this.#size--;
      st.entries--;
      st.bytes -= m[s * M + KEY_LEN]! + ENTRY_OVERHEAD;
      st.expirations++;
      this.#report(s, DedupeType.EXPIRATION, this.#nowSec, this.#nowNsec);
      if (this.#ip[s * IP + FLAGS]! & AUTH) this.#report(s, DedupeType.AUTHORITATIVE, this.#nowSec, this.#nowNsec);
    }
    this.#buckets.fill(-1);
    this.#head = 0;
    this.#keyHead = 0;
    this.#keyTail = 0;
  }

  #expireOldest(): void {
    const s = this.#head;
    this.#head = s + 1 === this.#cap ? 0 : s + 1;
    this.#size--;
    // the oldest entry is the last of its chain
    const m = this.#meta;
    const o = s * M;
    const b = m[o + HASH]! & this.#mask;
    let p = this.#buckets[b]!;
    if (p === s) this.#buckets[b] = m[o + CHAIN]!;
    else {
      while (m[p * M + CHAIN] !== s) p = m[p * M + CHAIN]!;
      m[p * M + CHAIN] = m[o + CHAIN]!;
    }
    const st = this.stats;
    st.entries--;
    st.bytes -= m[o + KEY_LEN]! + ENTRY_OVERHEAD;
    st.expirations++;
    // the key's bytes stay where they are until the next insert
    this.#report(s, DedupeType.EXPIRATION, this.#nowSec, this.#nowNsec);
    if (this.#ip[s * IP + FLAGS]! & AUTH) this.#report(s, DedupeType.AUTHORITATIVE, this.#nowSec, this.#nowNsec);
    if (this.#size === 0) {
      this.#keyHead = 0;
      this.#keyTail = 0;
    } else this.#keyHead = m[this.#head * M + KEY_AT]!;
  }

  /** Room for n key bytes (whole words) at the ring's tail (wrapping to the front, or growing the ring). */
  #allocKey(n: number): number {
    const head = this.#keyHead;
    const tail = this.#keyTail;
    if (tail >= head) {
      // not wrapped: free space after the tail, and before the head
      if (tail + n <= this.#keys.length) {
        this.#keyTail = tail + n;
        return tail;
      }
      if (n < head) {
        this.#keyTail = n;
        return 0;
      }
    } else if (tail + n < head) {
      this.#keyTail = tail + n;
      return tail;
    }
    // full: a bigger ring, the live keys moved to its front oldest first
    const live = tail >= head ? tail - head : this.#keys.length - head + tail;
    const bigger = new Uint8Array(4 * words(Math.max(2 * this.#keys.length, 2 * (live + n))));
    const m = this.#meta;
    let o = 0;
    for (let i = 0, s = this.#head; i < this.#size; i++, s = s + 1 === this.#cap ? 0 : s + 1) {
      const at = m[s * M + KEY_AT]!;
      const len = m[s * M + KEY_LEN]!;
      bigger.set(this.#keys.subarray(at, at + len), o);
      m[s * M + KEY_AT] = o;
      o += 4 * words(len);
    }
    this.#keys = bigger;
    this.#keys32 = new Int32Array(bigger.buffer);
    this.#keyHead = 0;
    this.#keyTail = o + n;
    return o;
  }

  /** Twice the slots: the ring unrolled to the front, the hash table rebuilt. */
  #grow(): void {
    const cap = Math.max(SLOTS_MIN, 2 * this.#cap);
    const meta = new Int32Array(cap * M);
    const vals = new Uint32Array(cap * V);
    const ip = new Uint8Array(cap * IP);
    // the ring's two runs, [head, cap) then [0, head), to the front
    const first = this.#cap - this.#head;
    const runs: [number, number, number][] = [
      [this.#head, Math.min(this.#cap, this.#head + this.#size), 0],
      [0, Math.max(0, this.#size - first), first],
    ];
    for (const [from, to, at] of runs) {
      meta.set(this.#meta.subarray(from * M, to * M), at * M);
      vals.set(this.#vals.subarray(from * V, to * V), at * V);
      ip.set(this.#ip.subarray(from * IP, to * IP), at * IP);
    }
    let nb = SLOTS_MIN;
    while (nb < cap) nb *= 2;
    const buckets = new Int32Array(nb).fill(-1);
    const mask = nb - 1;
    // oldest first, each at its chain's head: chains end up newest first
    for (let s = 0; s < this.#size; s++) {
      const b = meta[s * M + HASH]! & mask;
      meta[s * M + CHAIN] = buckets[b]!;
      buckets[b] = s;
    }
    this.#meta = meta;
    this.#vals = vals;
    this.#ip = ip;
    this.#buckets = buckets;
    this.#mask = mask;
    this.#cap = cap;
    this.#head = 0;
  }

  #report(s: number, type: number, sec: number, nsec: number): void {
    const m = this.#meta;
    const v = this.#vals;
    const at = m[s * M + KEY_AT]!;
    const len = m[s * M + KEY_LEN]!;
    const a = s * IP;
    const ipLen = this.#ip[a + IP_LEN]!;
    const count = v[s * V + COUNT]!;
    const first = v[s * V + FIRST]!;
    const last = v[s * V + LAST]!;
    const ttl = v[s * V + TTL]!;
    if (this.#raw !== undefined) {
      const e = this.#enc;
      e.set(this.#keys, at, len, this.#ip, a + 2, ipLen, type, count, ttl, first, last, type === DedupeType.AUTHORITATIVE);
      this.#raw(e, sec, nsec);
      return;
    }
    // one buffer holds the key's parts and, after them, the response address
    const k = splitKey(this.#keys, at, len, ipLen);
    const ip = new Uint8Array(k.rrname.buffer, k.rrname.byteOffset + len, ipLen);
    for (let i = 0; i < ipLen; i++) ip[i] = this.#ip[a + 2 + i]!;
    const d: DnsDedupe = {
      type,
      count,
      response_ip: ip,
      bailiwick: k.bailiwick,
      rrname: k.rrname,
      rrclass: k.rrclass,
      rrtype: k.rrtype,
      rrttl: ttl,
      rdata: k.rdata,
    };
    if (type === DedupeType.AUTHORITATIVE) {
      d.zone_time_first = first;
      d.zone_time_last = last;
    } else {
      d.time_first = first;
      d.time_last = last;
    }
    this.#emit(d, sec, nsec);
  }
}
