/**
 * The few fields of an encoded base/dnsqr message that de-duplication reads from an answered UDP
 * query (type, response address, the one response datagram and its time), found by scanning the
 * protobuf bytes instead of decoding a DnsQR object. Anything else — other types, fragmented
 * responses, a required field missing, any encoding this scanner does not take — says "not
 * handled", and the caller decodes the message in full (which also reports malformed ones).
 */
import { DNSQR_ZONE_FIELD } from "@dnsrep/capture";

/** What scanDnsqr found: views into the scanned bytes. */
export class DnsqrFields {
  type = -1;
  responseIp: Uint8Array = new Uint8Array(0);
  responsePacket: Uint8Array = new Uint8Array(0);
  /** the last response time (as the object path takes it), 0 when absent */
  sec = 0;
  nsec = 0;
  /** the resolver's bailiwick for the response (our field DNSQR_ZONE_FIELD, from dnstap's query_zone); null when absent */
  zone: Uint8Array | null = null;
}

// a varint's value and end; vEnd -1: truncated, longer than `most` bytes or beyond 2^49 (left to
// the full decoder). Tags and lengths take at most 4 bytes here: protobufjs refuses some longer
// (padded) forms of them, and no real message needs one.
let vEnd = 0;
function varint(b: Uint8Array, p: number, end: number, most = 7): number {
  // most tags, lengths and values are one byte
  if (p < end && b[p]! < 0x80) {
    vEnd = p + 1;
    return b[p]!;
  }
  let v = 0;
  let mul = 1;
  for (let i = 0; i < most; i++) {
    if (p >= end) break;
    const c = b[p++]!;
    v += (c & 0x7f) * mul;
    if (c < 0x80) {
      vEnd = p;
      return v;
    }
    mul *= 128;
  }
  vEnd = -1;
  return 0;
}

// the required fields of DnsQR: type, query_ip, response_ip, proto, query_port, response_port, id
const REQUIRED = 0b11111110;
/** each DnsQR field's wire type (index = field number; -1 unknown) */
const WIRE = Int8Array.of(-1, 0, 2, 2, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 5, 2, 0, 5, 2, 2, 1, 0, 0);

/**
 * Scan the DnsQR message b for de-duplication: true (and f filled) for a UDP_QUERY_RESPONSE with
 * exactly one response datagram and every required field; false when the caller must decode it.
 */
export function scanDnsqr(b: Uint8Array, f: DnsqrFields): boolean {
  const end = b.length;
  let seen = 0;
  let packets = 0;
  let secs = 0;
  let nsecs = 0;
  f.type = -1;
  f.sec = 0;
  f.nsec = 0;
  f.zone = null;
  let p = 0;
  while (p < end) {
    const tag = varint(b, p, end, 4);
    if (vEnd < 0) return false;
    p = vEnd;
    const field = tag < 0x80 ? tag >> 3 : Math.floor(tag / 8);
    const wt = tag & 7;
    if (field === DNSQR_ZONE_FIELD && wt === 2) {
      const n = varint(b, p, end, 4);
      if (vEnd < 0 || vEnd + n > end) return false;
      f.zone = b.subarray(vEnd, vEnd + n);
      p = vEnd + n;
      continue;
    }
    // unknown fields, packed repeated times and unexpected wire types: the full decoder's call
    if (field >= WIRE.length || WIRE[field] !== wt) return false;
    if (field < 8) seen |= 1 << field;
    if (wt === 0) {
      const v = varint(b, p, end);
      if (vEnd < 0) return false;
      p = vEnd;
      if (field === 1) f.type = v;
      else if (field === 16) {
        f.sec = v;
        secs++;
      }
    } else if (wt === 2) {
      const n = varint(b, p, end, 4);
      if (vEnd < 0 || vEnd + n > end) return false;
      p = vEnd;
      if (field === 3) f.responseIp = b.subarray(p, p + n);
      else if (field === 15) {
        f.responsePacket = b.subarray(p, p + n);
        packets++;
      }
      p += n;
    } else if (wt === 5) {
      if (p + 4 > end) return false;
      if (field === 17) {
        f.nsec = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24) | 0;
        nsecs++;
      }
      p += 4;
    } else if (wt === 1) {
      if (p + 8 > end) return false;
      p += 8;
    } else return false;
  }
  // the object path takes the nsec at the index of the last sec: none without a sec
  if (secs === 0) f.nsec = 0;
  return f.type === 1 && packets === 1 && (seen & REQUIRED) === REQUIRED && secs <= 1 && nsecs <= 1;
}
