import { PairSet } from "./pair-set.js";
import { decodeStamp, encodeStamp, type Stamp } from "./stamp.js";

/** A stamped (rrname, address) (found by lookup, byAsn, byCountry). */
export interface StampedPair {
  /** wire form, lower case */
  rrname: Uint8Array;
  address: Uint8Array;
  stamp: Stamp;
  /** when it was first ingested, epoch s */
  stamped: number;
}

/** A-Z to a-z (a name's length octets are at most 63, below "A": only label bytes fold) */
const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/**
 * Every stamped pair in memory, in typed arrays: records in the order of the log (time, stamp id,
 * where the key starts in one byte arena), the keys as the log holds them (alen, address, nlen,
 * name in lower case), and an open-addressing table of the pairs' 64-bit hashes (PairSet.hash)
 * pointing at records, at most half full. A lookup compares the key bytes: a hash collision never
 * gives another pair's stamp. Stamps are interned (the few distinct answers of the databases,
 * one per network), so a record holds a 4-byte id. Memory: 17 bytes a record, 24–48 of table, and
 * its key (the name's wire length + 6): about 70–100 bytes a pair, no object per pair.
 *
 * Records are only appended (a record whose write failed is marked dead, never reused), so a
 * reader's view is the record count when it began.
 */
export class StampIndex {
  #n = 0;
  #time = new Uint32Array(16384);
  #sid = new Uint32Array(16384);
  #keyAt = new Float64Array(16384);
  #dead = new Uint8Array(16384);
  #arena = new Uint8Array(1 << 20);
  #arenaLen = 0;
  #slots = new Uint32Array(3 * 65536);
  #mask = 65535;
  #dying = 0;
  /** the empty slot the last find() ended at, for the pair of hash h1, when the index held #freeAt records */
  #free = -1;
  #freeH1 = 0;
  #freeAt = -1;
  #lastStamp: Stamp | null = null;
  #lastId = -1;
  readonly #stamps: Stamp[] = [];
  readonly #encoded: Uint8Array[] = [];
  readonly #byObject = new Map<Stamp, number>();
  readonly #byBytes = new Map<string, number>();

  /** records, dead ones included */
  get size(): number {
    return this.#n;
  }

  /** records whose write failed */
  get dead(): number {
    return this.#dying;
  }

  get stampCount(): number {
    return this.#stamps.length;
  }

  /**
   * The id of a stamp (interned by object, then by its encoding). Ids are the log's: a new one is
   * one past the largest defined, so a restarted process never gives an id of the log another meaning.
   */
  idOf(s: Stamp): number {
    if (s === this.#lastStamp) return this.#lastId;
    const id = this.#byObject.get(s);
    if (id !== undefined) {
      this.#lastStamp = s;
      this.#lastId = id;
      return id;
    }
    const b = encodeStamp(s);
    const k = String.fromCharCode.apply(null, b as unknown as number[]);
    let i = this.#byBytes.get(k);
    if (i === undefined) {
      i = this.#stamps.length;
      this.#stamps.push(s);
      this.#encoded.push(b);
      this.#byBytes.set(k, i);
    }
    this.#byObject.set(s, i);
    return i;
  }

  /**
   * A stamp definition from the log: `id` means the stamp `b`. False when `b` does not decode or the
   * id already means another stamp (a damaged log); true for a repeated definition.
   */
  define(id: number, b: Uint8Array): boolean {
    const had = this.#encoded[id];
    if (had !== undefined) return had.length === b.length && had.every((x, i) => x === b[i]);
    const s = decodeStamp(b);
    if (s === null || id > 0x7fff_ffff) return false;
    const copy = b.slice();
    while (this.#stamps.length < id) {
      // ids not (yet) defined: holes no record may use
      this.#stamps.push(undefined as unknown as Stamp);
      this.#encoded.push(undefined as unknown as Uint8Array);
    }
    this.#stamps[id] = s;
    this.#encoded[id] = copy;
    const k = String.fromCharCode.apply(null, copy as unknown as number[]);
    if (!this.#byBytes.has(k)) this.#byBytes.set(k, id);
    return true;
  }

  /** `id` has a definition */
  has(id: number): boolean {
    return this.#encoded[id] !== undefined;
  }

  stamp(id: number): Stamp {
    return this.#stamps[id] as Stamp;
  }

  encoded(id: number): Uint8Array {
    return this.#encoded[id] as Uint8Array;
  }

  /** The live record of (rrname, address) among the first `limit`, or -1; `h0`, `h1` its PairSet.hash. */
  find(h0: number, h1: number, rrname: Uint8Array, address: Uint8Array, limit: number): number {
    const s = this.#slots;
    for (let i = (h1 & this.#mask) >>> 0; ; i = (i + 1) & this.#mask) {
      const r = s[3 * i + 2] as number;
      if (r === 0) {
        // where add() puts this pair if it comes next (no record added, no growth in between)
        this.#free = i;
        this.#freeH1 = h1;
        this.#freeAt = this.#n;
        return -1;
      }
      if (s[3 * i] === h0 && s[3 * i + 1] === h1) {
        const rec = r - 1;
        if (rec < limit && this.#dead[rec] === 0 && this.#keyIs(rec, rrname, address)) return rec;
      }
    }
  }

  #keyIs(rec: number, rrname: Uint8Array, address: Uint8Array): boolean {
    const k = this.#arena;
    let p = this.#keyAt[rec] as number;
    if (k[p++] !== address.length) return false;
    for (let i = 0; i < address.length; i++) if (k[p++] !== address[i]) return false;
    if (k[p++] !== rrname.length) return false;
    for (let i = 0; i < rrname.length; i++) if (k[p++] !== fold(rrname[i] as number)) return false;
    return true;
  }

  /** Add a record: its key is `src[at .. end)` (alen, address, nlen, lower-case name). */
  add(h0: number, h1: number, time: number, sid: number, src: Uint8Array, at: number, end: number): number {
    const rec = this.#n;
    if (rec === this.#time.length) this.#growRecords();
    if (2 * (rec + 1) > this.#mask + 1) this.#growTable();
    const len = end - at;
    if (this.#arenaLen + len > this.#arena.length) {
      const a = new Uint8Array(Math.max(2 * this.#arena.length, this.#arenaLen + len));
      a.set(this.#arena.subarray(0, this.#arenaLen));
      this.#arena = a;
    }
    const k = this.#arena;
    let q = this.#arenaLen;
    this.#keyAt[rec] = q;
    for (let i = at; i < end; i++) k[q++] = src[i] as number;
    this.#arenaLen = q;
    this.#time[rec] = time;
    this.#sid[rec] = sid;
    this.#n = rec + 1;
    const s = this.#slots;
    let i: number;
    if (this.#freeAt === rec && this.#freeH1 === h1 && this.#free >= 0) i = this.#free;
    else {
      i = (h1 & this.#mask) >>> 0;
      while (s[3 * i + 2] !== 0) i = (i + 1) & this.#mask;
    }
    this.#free = -1;
    s[3 * i] = h0;
    s[3 * i + 1] = h1;
    s[3 * i + 2] = rec + 1;
    return rec;
  }

  /** Add a record from the log (replay): hashes it and skips a pair already held (the first stays). */
  addFromLog(time: number, sid: number, src: Uint8Array, at: number, end: number): boolean {
    const alen = src[at] as number;
    const address = src.subarray(at + 1, at + 1 + alen);
    const rrname = src.subarray(at + 2 + alen, end);
    PairSet.hash(rrname, address, H, 0);
    const h0 = H[0] as number;
    const h1 = H[1] as number;
    if (this.find(h0, h1, rrname, address, this.#n) >= 0) return false;
    this.add(h0, h1, time, sid, src, at, end);
    return true;
  }

  /** A record whose write failed: never found again. */
  kill(rec: number): void {
    if (this.#dead[rec] === 0) this.#dying++;
    this.#dead[rec] = 1;
  }

  pair(rec: number): StampedPair {
    const k = this.#arena;
    const p = this.#keyAt[rec] as number;
    const alen = k[p] as number;
    const nlen = k[p + 1 + alen] as number;
    return {
      rrname: k.slice(p + 2 + alen, p + 2 + alen + nlen),
      address: k.slice(p + 1, p + 1 + alen),
      stamp: this.#stamps[this.#sid[rec] as number] as Stamp,
      stamped: this.#time[rec] as number,
    };
  }

  /**
   * The live records among the first `limit` whose stamp passes `wants`, ordered by address
   * (IPv4 first), then name: what the rdata/asn and rdata/country routes group by. A scan of the
   * 4-byte stamp ids (the test is made once per distinct stamp), then a sort of the matches.
   */
  matching(wants: (s: Stamp) => boolean, limit: number): number[] {
    const ok = new Uint8Array(this.#stamps.length);
    let any = false;
    for (let i = 0; i < ok.length; i++)
      if (this.#stamps[i] !== undefined && wants(this.#stamps[i] as Stamp)) {
        ok[i] = 1;
        any = true;
      }
    const out: number[] = [];
    if (!any) return out;
    const sid = this.#sid;
    const dead = this.#dead;
    for (let r = 0; r < limit; r++) if (ok[sid[r] as number] === 1 && dead[r] === 0) out.push(r);
    const k = this.#arena;
    const at = this.#keyAt;
    return out.sort((a, b) => {
      let p = at[a] as number;
      let q = at[b] as number;
      const la = 2 + (k[p] as number) + (k[p + 1 + (k[p] as number)] as number);
      const lb = 2 + (k[q] as number) + (k[q + 1 + (k[q] as number)] as number);
      const end = p + Math.min(la, lb);
      for (; p < end; p++, q++) if (k[p] !== k[q]) return (k[p] as number) - (k[q] as number);
      return la - lb;
    });
  }

  #growRecords(): void {
    const n = 2 * this.#time.length;
    const grow = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.#time = grow(this.#time, new Uint32Array(n));
    this.#sid = grow(this.#sid, new Uint32Array(n));
    this.#keyAt = grow(this.#keyAt, new Float64Array(n));
    this.#dead = grow(this.#dead, new Uint8Array(n));
  }

  #growTable(): void {
    const old = this.#slots;
    const cap = 2 * (this.#mask + 1);
    const s = new Uint32Array(3 * cap);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j += 3) {
      if (old[j + 2] === 0) continue;
      let i = ((old[j + 1] as number) & mask) >>> 0;
      while (s[3 * i + 2] !== 0) i = (i + 1) & mask;
      s[3 * i] = old[j] as number;
      s[3 * i + 1] = old[j + 1] as number;
      s[3 * i + 2] = old[j + 2] as number;
    }
    this.#slots = s;
    this.#mask = mask;
    this.#free = -1;
  }
}

/** scratch for a replayed pair's hash */
const H = new Uint32Array(2);
