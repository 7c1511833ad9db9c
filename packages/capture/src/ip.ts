/** IPv4/IPv6 and transport header decoding over offsets into a borrowed buffer (no copies). */

export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, FRAGMENT: 44, ICMPV6: 58 } as const;

/** A decoded IP datagram: offsets into `buf`, rewritten in place by parseIp (reuse one per stream). */
export class Datagram {
  buf: Uint8Array = new Uint8Array(0);
  /** IP header offset and end of the captured datagram (the end includes any link-layer padding) */
  net = 0;
  end = 0;
  /** end of the datagram by its own length fields (<= end) */
  ipEnd = 0;
  v6 = false;
  /** upper-layer protocol after any IPv6 extension headers */
  proto = 0;
  /** transport header offset, -1 for a fragment that does not carry it */
  trans = -1;
  /** transport payload */
  payload = 0;
  payloadLen = 0;
  /** source and destination address offsets (4 or 16 bytes) */
  src = 0;
  dst = 0;
  isFragment = false;
  /** fragment identification, offset in bytes, more-fragments flag */
  fragId = 0;
  fragOffset = 0;
  moreFragments = false;
  /** IPv6: offset of the fragment header and of the next-header byte that names it */
  fragHdr = 0;
  fragNextPtr = 0;
  /** header bytes before the fragmentable part (IPv4 header, or IPv6 header + unfragmentable extensions) */
  headerLen = 0;

  get addrLen(): number {
    return this.v6 ? 16 : 4;
  }
}

/** Why parseIp rejected a datagram (for counters). */
export const IpReject = { NONE: 0, MALFORMED: 1, UNSUPPORTED: 2 } as const;
export type IpReject = (typeof IpReject)[keyof typeof IpReject];

/**
 * Decode the IP datagram in `buf[net, end)` into `d`. Returns IpReject.NONE on success. Transport
 * headers are decoded for UDP, TCP and ICMP/ICMPv6; other protocols succeed with trans = -1.
 */
export function parseIp(d: Datagram, buf: Uint8Array, net: number, end: number): IpReject {
  d.buf = buf;
  d.net = net;
  d.end = end;
  d.trans = -1;
  d.payload = 0;
  d.payloadLen = 0;
  d.isFragment = false;
  d.moreFragments = false;
  d.fragOffset = 0;
  const len = end - net;
  if (len < 1) return IpReject.MALFORMED;
  const ver = buf[net]! >> 4;
  let p: number;
  if (ver === 4) {
    if (len < 20) return IpReject.MALFORMED;
    const hl = (buf[net]! & 0xf) * 4;
    if (hl < 20 || hl > len) return IpReject.MALFORMED;
    const total = (buf[net + 2]! << 8) | buf[net + 3]!;
    if (total < hl) return IpReject.MALFORMED;
    d.v6 = false;
    d.ipEnd = Math.min(end, net + total);
    d.proto = buf[net + 9]!;
    d.src = net + 12;
    d.dst = net + 16;
    d.headerLen = hl;
    const ff = (buf[net + 6]! << 8) | buf[net + 7]!;
    d.fragOffset = (ff & 0x1fff) * 8;
    d.moreFragments = (ff & 0x2000) !== 0;
    d.isFragment = d.fragOffset !== 0 || d.moreFragments;
    d.fragId = (buf[net + 4]! << 8) | buf[net + 5]!;
    p = net + hl;
  } else if (ver === 6) {
    if (len < 40) return IpReject.MALFORMED;
    const plen = (buf[net + 4]! << 8) | buf[net + 5]!;
    if (plen === 0) return IpReject.UNSUPPORTED; // jumbograms
    d.v6 = true;
    d.ipEnd = Math.min(end, net + 40 + plen);
    d.src = net + 8;
    d.dst = net + 24;
    let nh = buf[net + 6]!;
    let nhPtr = net + 6;
    p = net + 40;
    for (;;) {
      if (nh === 0 || nh === 43 || nh === 60 || nh === 51) {
        if (p + 8 > d.ipEnd) return IpReject.MALFORMED;
        const hlen = nh === 51 ? (buf[p + 1]! + 2) * 4 : (buf[p + 1]! + 1) * 8;
        nhPtr = p;
        nh = buf[p]!;
        p += hlen;
        continue;
      }
      if (nh === IpProto.FRAGMENT) {
        if (p + 8 > d.ipEnd) return IpReject.MALFORMED;
        d.isFragment = true;
        d.fragHdr = p;
        d.fragNextPtr = nhPtr;
        const ff = (buf[p + 2]! << 8) | buf[p + 3]!;
        d.fragOffset = ff & 0xfff8;
        d.moreFragments = (ff & 1) !== 0;
        d.fragId = ((buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!) >>> 0;
        d.headerLen = p - net;
        nh = buf[p]!;
        p += 8;
        // an atomic fragment (offset 0, no more fragments) is a whole datagram
        if (d.fragOffset === 0 && !d.moreFragments) d.isFragment = false;
        if (d.fragOffset !== 0) {
          // a later fragment: what follows is data, not headers
          d.proto = nh;
          return p > d.ipEnd ? IpReject.MALFORMED : IpReject.NONE;
        }
        continue;
      }
      if (nh === 50) return IpReject.UNSUPPORTED; // ESP: encrypted
      break;
    }
    if (p > d.ipEnd) return IpReject.MALFORMED;
    d.proto = nh;
    if (!d.isFragment) d.headerLen = p - net;
  } else {
    return IpReject.MALFORMED;
  }
  if (d.isFragment && d.fragOffset !== 0) return IpReject.NONE;
  return parseTransport(d, p);
}

function parseTransport(d: Datagram, p: number): IpReject {
  const buf = d.buf;
  const avail = d.ipEnd - p;
  switch (d.proto) {
    case IpProto.UDP: {
      if (avail < 8) return d.isFragment ? IpReject.NONE : IpReject.MALFORMED;
      const ulen = (buf[p + 4]! << 8) | buf[p + 5]!;
      if (ulen < 8 && !(ulen === 0 && d.v6)) return IpReject.MALFORMED;
      d.trans = p;
      d.payload = p + 8;
      d.payloadLen = Math.min(Math.max(ulen - 8, 0), avail - 8);
      return IpReject.NONE;
    }
    case IpProto.TCP: {
      if (avail < 20) return d.isFragment ? IpReject.NONE : IpReject.MALFORMED;
      const doff = (buf[p + 12]! >> 4) * 4;
      if (doff < 20 || doff > avail) return IpReject.MALFORMED;
      d.trans = p;
      d.payload = p + doff;
      d.payloadLen = avail - doff;
      return IpReject.NONE;
    }
    case IpProto.ICMP:
    case IpProto.ICMPV6: {
      if (avail < 8) return IpReject.MALFORMED;
      d.trans = p;
      d.payload = p + 8;
      d.payloadLen = avail - 8;
      return IpReject.NONE;
    }
    default:
      return IpReject.NONE;
  }
}

/** Source or destination port of the transport header (UDP/TCP), -1 without one. */
export function port(d: Datagram, which: 0 | 2): number {
  return d.trans < 0 ? -1 : (d.buf[d.trans + which]! << 8) | d.buf[d.trans + which + 1]!;
}
