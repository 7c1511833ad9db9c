/**
 * An SIE/dnsdedupe record laid out straight from the cache's rings: the owner, the bailiwick and
 * the rdata are read out of the entry's key bytes, never copied into a message object. It encodes
 * exactly what protobufjs encodes for the DnsDedupe object the cache would otherwise report (every
 * field present, in field-number order), and it is an nmsg EncodedMessage, so
 * NmsgWriter.writeEncoded puts it into the container.
 *
 * The cache reuses one instance for every record: it is valid only during the raw callback.
 */
import type { EncodedMessage } from "@dnsrep/nmsg";
import { bytesFieldLength, copyInto, putVarint, varintLength } from "@dnsrep/util";

const AUTHORITATIVE = 3;

/** end of a key's wire name at b[p] (after its root label), clipped to end */
export function keyNameEnd(b: Uint8Array, p: number, end: number): number {
  while (p < end && b[p] !== 0) p += b[p]! + 1;
  return Math.min(p + 1, end);
}

export class DedupeEncoding implements EncodedMessage {
  length = 0;
  type = 0;
  count = 0;
  rrttl = 0;
  timeFirst = 0;
  timeLast = 0;
  /** zone_time_first/last instead of time_first/last (AUTHORITATIVE records) */
  zoneTimes = false;
  rrtype = 0;
  rrclass = 0;
  #key: Uint8Array = new Uint8Array(0);
  #keyAt = 0;
  #keyEnd = 0;
  #nameEnd = 0;
  #zoneEnd = 0;
  #ip: Uint8Array = new Uint8Array(0);
  #ipAt = 0;
  #ipLen = 0;

  /** Lay out the record of the key key[at, at + len) and the address ip[ipAt, ipAt + ipLen). */
  set(
    key: Uint8Array,
    at: number,
    len: number,
    ip: Uint8Array,
    ipAt: number,
    ipLen: number,
    type: number,
    count: number,
    rrttl: number,
    first: number,
    last: number,
    zoneTimes: boolean,
  ): void {
    this.#key = key;
    this.#keyAt = at;
    const end = at + len;
    this.#keyEnd = end;
    this.#ip = ip;
    this.#ipAt = ipAt;
    this.#ipLen = ipLen;
    this.type = type;
    this.count = count;
    this.rrttl = rrttl;
    this.timeFirst = first;
    this.timeLast = last;
    this.zoneTimes = zoneTimes || type === AUTHORITATIVE;
    const ne = keyNameEnd(key, at, end);
    const ze = keyNameEnd(key, ne, end);
    this.#nameEnd = ne;
    this.#zoneEnd = ze;
    // the same parts splitKey (cache.ts) reads for the object records
    this.rrtype = ze + 2 <= end ? (key[ze]! << 8) | key[ze + 1]! : 0;
    this.rrclass = ze + 4 <= end ? (key[ze + 2]! << 8) | key[ze + 3]! : 0;
    let n = bytesFieldLength(ne - at) + 1 + varintLength(this.rrtype) + 1 + varintLength(this.rrclass) + 1 + varintLength(rrttl);
    for (let p = ze + 4; p + 2 <= end; ) {
      const rl = Math.min((key[p]! << 8) | key[p + 1]!, end - p - 2);
      n += bytesFieldLength(rl);
      p += 2 + rl;
    }
    n += 1 + varintLength(count) + 1 + varintLength(type) + bytesFieldLength(ipLen) + 1 + bytesFieldLength(ze - ne);
    // time_first/last (fields 11, 12) or zone_time_first/last (17, 18: two-byte tags)
    n += this.zoneTimes ? 4 + varintLength(first) + varintLength(last) : 2 + varintLength(first) + varintLength(last);
    this.length = n;
  }

  putAt(o: Uint8Array, p: number): number {
    const k = this.#key;
    const at = this.#keyAt;
    const end = this.#keyEnd;
    const ne = this.#nameEnd;
    const ze = this.#zoneEnd;
    o[p++] = 0x0a; // rrname = 1
    p = putBytes(o, p, k, at, ne - at);
    o[p++] = 0x10; // rrtype = 2
    p = putVarint(o, p, this.rrtype);
    o[p++] = 0x18; // rrclass = 3
    p = putVarint(o, p, this.rrclass);
    o[p++] = 0x20; // rrttl = 4
    p = putVarint(o, p, this.rrttl);
    for (let q = ze + 4; q + 2 <= end; ) {
      const rl = Math.min((k[q]! << 8) | k[q + 1]!, end - q - 2);
      o[p++] = 0x2a; // rdata = 5
      p = putBytes(o, p, k, q + 2, rl);
      q += 2 + rl;
    }
    o[p++] = 0x50; // count = 10
    p = putVarint(o, p, this.count);
    if (!this.zoneTimes) {
      o[p++] = 0x58; // time_first = 11
      p = putVarint(o, p, this.timeFirst);
      o[p++] = 0x60; // time_last = 12
      p = putVarint(o, p, this.timeLast);
    }
    o[p++] = 0x68; // type = 13
    p = putVarint(o, p, this.type);
    o[p++] = 0x72; // response_ip = 14
    p = putBytes(o, p, this.#ip, this.#ipAt, this.#ipLen);
    o[p++] = 0x82; // bailiwick = 16
    o[p++] = 0x01;
    p = putBytes(o, p, k, ne, ze - ne);
    if (this.zoneTimes) {
      o[p++] = 0x88; // zone_time_first = 17
      o[p++] = 0x01;
      p = putVarint(o, p, this.timeFirst);
      o[p++] = 0x90; // zone_time_last = 18
      o[p++] = 0x01;
      p = putVarint(o, p, this.timeLast);
    }
    return p;
  }
}

function putBytes(o: Uint8Array, p: number, src: Uint8Array, at: number, n: number): number {
  return copyInto(o, putVarint(o, p, n), src, at, n);
}
