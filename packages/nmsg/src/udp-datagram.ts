/** Just enough IP/UDP parsing for dnsqr's derived fields: the DNS payload and the UDP checksum. */

export interface UdpDatagram {
  /** offset of the UDP header in the packet */
  udpOff: number;
  /** DNS payload (a view into the packet) */
  payload: Uint8Array;
  v6: boolean;
}

/** Parse an IPv4 or IPv6 datagram carrying UDP; null if it is not one (or is truncated/fragmented). */
export function parseUdpDatagram(pkt: Uint8Array, v6: boolean): UdpDatagram | null {
  let off: number;
  let proto: number;
  if (!v6) {
    if (pkt.length < 20 || pkt[0]! >> 4 !== 4) return null;
    off = (pkt[0]! & 0xf) * 4;
    if (off < 20) return null;
    proto = pkt[9]!;
    const fragOff = ((pkt[6]! & 0x1f) << 8) | pkt[7]!;
    if (fragOff !== 0 || pkt[6]! & 0x20) return null;
  } else {
    if (pkt.length < 40 || pkt[0]! >> 4 !== 6) return null;
    off = 40;
    proto = pkt[6]!;
    // skip hop-by-hop, routing and destination options headers
    while (proto === 0 || proto === 43 || proto === 60) {
      if (off + 8 > pkt.length) return null;
      proto = pkt[off]!;
      off += (pkt[off + 1]! + 1) * 8;
    }
  }
  if (proto !== 17 || off + 8 > pkt.length) return null;
  const ulen = (pkt[off + 4]! << 8) | pkt[off + 5]!;
  const end = ulen >= 8 && off + ulen <= pkt.length ? off + ulen : pkt.length;
  return { udpOff: off, payload: pkt.subarray(off + 8, end), v6 };
}

/** UdpChecksum enum of a datagram: ERROR 0, ABSENT 1, INCORRECT 2, CORRECT 3. */
export function verifyUdpChecksum(pkt: Uint8Array, v6: boolean): number {
  const d = parseUdpDatagram(pkt, v6);
  if (!d) return 0;
  const u = d.udpOff;
  const ck = (pkt[u + 6]! << 8) | pkt[u + 7]!;
  if (ck === 0 && !v6) return 1;
  const ulen = (pkt[u + 4]! << 8) | pkt[u + 5]!;
  if (u + ulen > pkt.length || ulen < 8) return 0;
  let sum = 0;
  const add16 = (b: Uint8Array, s: number, e: number): void => {
    for (let i = s; i + 1 < e; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
    if ((e - s) & 1) sum += b[e - 1]! << 8;
  };
  if (!v6) {
    add16(pkt, 12, 20);
    sum += 17 + ulen;
  } else {
    add16(pkt, 8, 40);
    sum += ulen + 17;
  }
  add16(pkt, u, u + ulen);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum === 0xffff ? 3 : 2;
}
