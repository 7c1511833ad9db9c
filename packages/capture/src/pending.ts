/**
 * The queries waiting for their response, without an object per query: each waiting query is a
 * slot of typed arrays (its 9-tuple, times, links) whose IP datagram is copied into one byte arena;
 * a hash table on the 6-tuple (protocol, ports, DNS id, addresses) finds candidates for a response,
 * and a list in arrival order gives the oldest for timeouts. Queries that cannot be a single datagram
 * (IP fragments) are kept as DnsQR objects in a slot of their own, with only their key bytes in
 * the arena, so both kinds match each other.
 *
 * The arena is bump-allocated and compacted when full: the live datagrams are moved down in arrival
 * order, which is also their order in the arena, and the arena grows to keep at least half of it
 * free (or shrinks when it is mostly empty). Its size therefore stays within a few times the bytes
 * of the queries actually waiting, which the matcher bounds by count. Offsets into the arena are valid
 * until the next insert.
 */
import type { DnsQR } from "@dnsrep/nmsg";

// the fields of a slot, F ints apart in #m
const AOFF = 0; // arena offset of the slot's bytes
const ALEN = 1; // their length
const QIP = 2; // query and response address, relative to AOFF
const RIP = 3;
const ADDR = 4; // address length, 4 or 16
const NAME = 5; // qname, relative to AOFF
const NLEN = 6; // its length, -1 without a question
const QTYPE = 7;
const QCLASS = 8;
const PROTO = 9;
const QPORT = 10;
const RPORT = 11;
const ID = 12;
const HASH = 13;
const CHAIN = 14; // next slot in the hash bucket
const PREV = 15; // arrival order
const NEXT = 16;
const F = 17;
// the times are numbers of their own (#sec, #nsec): a capture's nanoseconds can pass 2^31

/**
 * The fields of a slot that users read with PendingQueries.field(): the datagram's place in the
 * arena (packet, packetLen), the address length (4 or 16), the qname's length (-1 without a
 * question), the 9-tuple's numbers. queryIp, responseIp and name are relative to the datagram;
 * PendingQueries.at() gives their arena offsets.
 */
export const Slot = {
  packet: AOFF,
  packetLen: ALEN,
  queryIp: QIP,
  responseIp: RIP,
  addrLen: ADDR,
  name: NAME,
  nameLen: NLEN,
  qtype: QTYPE,
  qclass: QCLASS,
  proto: PROTO,
  queryPort: QPORT,
  responsePort: RPORT,
  id: ID,
} as const;
export type SlotField = (typeof Slot)[keyof typeof Slot];

const ARENA_MIN = 1 << 18;
const SLOTS_MIN = 1024;

const rd32 = (b: Uint8Array, i: number): number => (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;

function hashKey(
  qb: Uint8Array,
  qi: number,
  rb: Uint8Array,
  ri: number,
  n: number,
  proto: number,
  qport: number,
  rport: number,
  id: number,
): number {
  let h = Math.imul(proto ^ (qport << 16) ^ rport, 0x9e3779b1) ^ id;
  for (let i = 0; i < n; i += 4) {
    h = Math.imul(h ^ rd32(qb, qi + i), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ rd32(rb, ri + i), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h;
}

function sameBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

export class PendingQueries {
  /** the waiting datagrams (and the key bytes of object slots) */
  arena = new Uint8Array(ARENA_MIN);
  /** queries waiting */
  size = 0;
  #top = 0;
  #live = 0;
  #cap = SLOTS_MIN;
  #m = new Int32Array(SLOTS_MIN * F);
  #sec = new Float64Array(SLOTS_MIN);
  #nsec = new Float64Array(SLOTS_MIN);
  #objs: (DnsQR | undefined)[] = [];
  #free = new Int32Array(SLOTS_MIN);
  #nfree = 0;
  #buckets = new Int32Array(2 * SLOTS_MIN).fill(-1);
  #head = -1;
  #tail = -1;

  constructor() {
    for (let i = SLOTS_MIN - 1; i >= 0; i--) this.#free[this.#nfree++] = i;
  }

  /** the oldest waiting query's slot, or -1 */
  oldest(): number {
    return this.#head;
  }

  isObject(s: number): boolean {
    return this.#objs[s] !== undefined;
  }
  object(s: number): DnsQR | undefined {
    return this.#objs[s];
  }
  sec(s: number): number {
    return this.#sec[s]!;
  }
  nsec(s: number): number {
    return this.#nsec[s]!;
  }
  /** a slot's field (see Slot) */
  field(s: number, f: SlotField): number {
    return this.#m[s * F + f]!;
  }
  /** where a slot's address or qname (Slot.queryIp, responseIp, name) starts in the arena */
  at(s: number, f: SlotField): number {
    return this.#m[s * F + AOFF]! + this.#m[s * F + f]!;
  }

  /**
   * A query that is one IP datagram, buf[start, end): the addresses and the qname are given as
   * offsets into buf (nameLen -1: no question). Copies the datagram; returns the slot.
   */
  insertPacket(
    buf: Uint8Array,
    start: number,
    end: number,
    queryIp: number,
    responseIp: number,
    addrLen: number,
    nameOff: number,
    nameLen: number,
    qtype: number,
    qclass: number,
    proto: number,
    queryPort: number,
    responsePort: number,
    id: number,
    sec: number,
    nsec: number,
  ): number {
    const s = this.#claim(end - start, queryIp - start, responseIp - start, nameLen >= 0 ? nameOff - start : 0);
    this.arena.set(buf.subarray(start, end), this.#m[s * F + AOFF]!);
    this.#link(s, addrLen, nameLen, qtype, qclass, proto, queryPort, responsePort, id, sec, nsec);
    return s;
  }

  /** A query kept as a message (its key bytes go into the arena); returns the slot. */
  insertObject(q: DnsQR): number {
    const a = q.query_ip.length;
    const name = q.qname;
    const nlen = name === undefined ? -1 : name.length;
    // the key bytes: the two addresses, then the qname
    const s = this.#claim(2 * a + Math.max(nlen, 0), 0, a, 2 * a);
    const at = this.#m[s * F + AOFF]!;
    const ar = this.arena;
    ar.set(q.query_ip, at);
    ar.set(q.response_ip.subarray(0, a), at + a);
    if (name !== undefined) ar.set(name, at + 2 * a);
    this.#objs[s] = q;
    this.#link(
      s,
      a,
      nlen,
      q.qtype ?? 0,
      q.qclass ?? 0,
      q.proto,
      q.query_port,
      q.response_port,
      q.id,
      q.query_time_sec[0] ?? 0,
      q.query_time_nsec[0] ?? 0,
    );
    return s;
  }

  /**
   * The oldest waiting query a response answers, or -1: the same 6-tuple, and the same question
   * when both have one, else (a response without a question) an error rcode other than NXDOMAIN.
   */
  find(
    qb: Uint8Array,
    qi: number,
    rb: Uint8Array,
    ri: number,
    addrLen: number,
    proto: number,
    queryPort: number,
    responsePort: number,
    id: number,
    nb: Uint8Array,
    nameOff: number,
    nameLen: number,
    qtype: number,
    qclass: number,
    rcode: number,
  ): number {
    const h = hashKey(qb, qi, rb, ri, addrLen, proto, queryPort, responsePort, id);
    const m = this.#m;
    const ar = this.arena;
    const errorRcode = rcode >= 1 && rcode <= 5 && rcode !== 3;
    let found = -1;
    // newest first along the chain: the last match is the oldest
    for (let s = this.#buckets[h & (this.#buckets.length - 1)]!; s >= 0; s = m[s * F + CHAIN]!) {
      const o = s * F;
      if (m[o + HASH] !== h || m[o + PROTO] !== proto || m[o + QPORT] !== queryPort || m[o + RPORT] !== responsePort || m[o + ID] !== id)
        continue;
      if (m[o + ADDR] !== addrLen) continue;
      const base = m[o + AOFF]!;
      if (!sameBytes(ar, base + m[o + QIP]!, qb, qi, addrLen) || !sameBytes(ar, base + m[o + RIP]!, rb, ri, addrLen)) continue;
      const n = m[o + NLEN]!;
      if (nameLen >= 0 && n >= 0) {
        if (m[o + QTYPE] !== qtype || m[o + QCLASS] !== qclass || n !== nameLen || !sameBytes(ar, base + m[o + NAME]!, nb, nameOff, n))
          continue;
      } else if (!errorRcode) continue;
      found = s;
    }
    return found;
  }

  /** Forget a slot (its arena bytes stay readable until the next insert). */
  remove(s: number): void {
    const m = this.#m;
    const o = s * F;
    // out of its bucket
    const b = m[o + HASH]! & (this.#buckets.length - 1);
    let p = this.#buckets[b]!;
    if (p === s) this.#buckets[b] = m[o + CHAIN]!;
    else {
      while (m[p * F + CHAIN] !== s) p = m[p * F + CHAIN]!;
      m[p * F + CHAIN] = m[o + CHAIN]!;
    }
    // out of the arrival order
    const prev = m[o + PREV]!;
    const next = m[o + NEXT]!;
    if (prev >= 0) m[prev * F + NEXT] = next;
    else this.#head = next;
    if (next >= 0) m[next * F + PREV] = prev;
    else this.#tail = prev;
    this.#live -= m[o + ALEN]!;
    this.#objs[s] = undefined;
    this.#free[this.#nfree++] = s;
    this.size--;
    if (this.size === 0) {
      // nothing waits: the arena starts over
      this.#top = 0;
      this.#live = 0;
    }
  }

  /**
   * A slot with len arena bytes of its own (filled by the caller before #link), the addresses and
   * the qname at the given offsets into them.
   */
  #claim(len: number, queryIp: number, responseIp: number, name: number): number {
    const at = this.#alloc(len);
    const s = this.#slot();
    const m = this.#m;
    const o = s * F;
    m[o + AOFF] = at;
    m[o + ALEN] = len;
    m[o + QIP] = queryIp;
    m[o + RIP] = responseIp;
    m[o + NAME] = name;
    return s;
  }

  #link(
    s: number,
    addrLen: number,
    nameLen: number,
    qtype: number,
    qclass: number,
    proto: number,
    queryPort: number,
    responsePort: number,
    id: number,
    sec: number,
    nsec: number,
  ): void {
    const m = this.#m;
    const o = s * F;
    m[o + ADDR] = addrLen;
    m[o + NLEN] = nameLen;
    m[o + QTYPE] = qtype;
    m[o + QCLASS] = qclass;
    m[o + PROTO] = proto;
    m[o + QPORT] = queryPort;
    m[o + RPORT] = responsePort;
    m[o + ID] = id;
    this.#sec[s] = sec;
    this.#nsec[s] = nsec;
    const base = m[o + AOFF]!;
    const h = hashKey(this.arena, base + m[o + QIP]!, this.arena, base + m[o + RIP]!, addrLen, proto, queryPort, responsePort, id);
    m[o + HASH] = h;
    const b = h & (this.#buckets.length - 1);
    m[o + CHAIN] = this.#buckets[b]!;
    this.#buckets[b] = s;
    m[o + PREV] = this.#tail;
    m[o + NEXT] = -1;
    if (this.#tail >= 0) m[this.#tail * F + NEXT] = s;
    else this.#head = s;
    this.#tail = s;
    this.size++;
  }

  /** A free slot, growing the tables (and rehashing) when there is none. */
  #slot(): number {
    if (this.#nfree === 0) {
      const cap = this.#cap;
      const m = new Int32Array(2 * cap * F);
      m.set(this.#m);
      this.#m = m;
      const sec = new Float64Array(2 * cap);
      sec.set(this.#sec);
      this.#sec = sec;
      const nsec = new Float64Array(2 * cap);
      nsec.set(this.#nsec);
      this.#nsec = nsec;
      this.#free = new Int32Array(2 * cap);
      for (let i = 2 * cap - 1; i >= cap; i--) this.#free[this.#nfree++] = i;
      this.#cap = 2 * cap;
      // two buckets a slot; live slots chained again
      const buckets = new Int32Array(4 * cap).fill(-1);
      const mask = buckets.length - 1;
      for (let s = this.#head; s >= 0; s = m[s * F + NEXT]!) {
        const b = m[s * F + HASH]! & mask;
        m[s * F + CHAIN] = buckets[b]!;
        buckets[b] = s;
      }
      this.#buckets = buckets;
    }
    return this.#free[--this.#nfree]!;
  }

  /** n bytes at the top of the arena, compacting or resizing it first when they do not fit. */
  #alloc(n: number): number {
    if (this.#top + n > this.arena.length) this.#compact(n);
    const at = this.#top;
    this.#top += n;
    this.#live += n;
    return at;
  }

  #compact(n: number): void {
    const need = this.#live + n;
    let size = this.arena.length;
    while (size < 2 * need) size *= 2;
    while (size > ARENA_MIN && size >= 8 * need) size /= 2;
    const src = this.arena;
    const dst = size === src.length ? src : new Uint8Array(size);
    const m = this.#m;
    let p = 0;
    // arrival order is arena order, so moving each slot down never overwrites one not yet moved
    for (let s = this.#head; s >= 0; s = m[s * F + NEXT]!) {
      const o = s * F;
      const at = m[o + AOFF]!;
      const len = m[o + ALEN]!;
      if (dst !== src) dst.set(src.subarray(at, at + len), p);
      else if (at !== p) src.copyWithin(p, at, at + len);
      m[o + AOFF] = p;
      p += len;
    }
    this.arena = dst;
    this.#top = p;
  }
}
