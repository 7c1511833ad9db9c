/**
 * Building captures: IPv4/IPv6 UDP and TCP datagrams with correct checksums, Ethernet framing,
 * IP fragmentation, and pcap files. For tests, fixtures and traffic generators.
 */
import { ByteWriter, concatBytes } from "@dnsrep/util";
import { onesSum } from "./checksum.js";

export interface UdpSpec {
  /** 4- or 16-byte addresses */
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
  payload: Uint8Array;
  /** IPv4 identification (default 0) */
  ipId?: number;
  ttl?: number;
  /** write a wrong UDP checksum (or 0 = none when `noChecksum`) */
  badChecksum?: boolean;
  noChecksum?: boolean;
}

function sum16(b: Uint8Array, acc = 0): number {
  return onesSum(b, 0, b.length, acc);
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** the UDP/TCP checksum of the segment b[s, e) with its pseudo header */
function transportChecksum(src: Uint8Array, dst: Uint8Array, proto: number, b: Uint8Array, s: number, e: number): number {
  const c = fold(onesSum(b, s, e, sum16(src, sum16(dst)) + proto + (e - s)));
  return c === 0 ? 0xffff : c;
}

function ipHeader(src: Uint8Array, dst: Uint8Array, proto: number, payloadLen: number, ipId: number, ttl: number): Uint8Array {
  if (src.length === 4) {
    const h = new Uint8Array(20);
    const total = 20 + payloadLen;
    h.set([0x45, 0, total >> 8, total & 0xff, (ipId >> 8) & 0xff, ipId & 0xff, 0, 0, ttl, proto, 0, 0]);
    h.set(src, 12);
    h.set(dst, 16);
    const c = fold(sum16(h));
    h[10] = c >> 8;
    h[11] = c & 0xff;
    return h;
  }
  const h = new Uint8Array(40);
  h.set([0x60, 0, 0, 0, payloadLen >> 8, payloadLen & 0xff, proto, ttl]);
  h.set(src, 8);
  h.set(dst, 24);
  return h;
}

/** an address into o at `at` (a loop: TypedArray.set costs more than 4 or 16 bytes do) */
function put(o: Uint8Array, at: number, a: Uint8Array): void {
  for (let i = 0; i < a.length; i++) o[at + i] = a[i]!;
}

/** The length of the IP datagram udpDatagram(s) makes. */
export function udpDatagramLength(s: UdpSpec): number {
  return (s.src.length === 4 ? 20 : 40) + 8 + s.payload.length;
}

/**
 * Lay the IPv4 or IPv6 datagram carrying one UDP datagram out in `o` at `at` (room for
 * udpDatagramLength(s) bytes; whatever was there is overwritten); returns the offset after it.
 * No allocation.
 */
export function writeUdpDatagram(o: Uint8Array, at: number, s: UdpSpec): number {
  const v4 = s.src.length === 4;
  const ulen = 8 + s.payload.length;
  const t = at + (v4 ? 20 : 40);
  const ttl = s.ttl ?? 64;
  if (v4) {
    const total = 20 + ulen;
    const id = s.ipId ?? 0;
    // TOS, flags and fragment offset, and the checksum field (zero while summing)
    o[at + 1] = 0;
    o[at + 6] = 0;
    o[at + 7] = 0;
    o[at + 10] = 0;
    o[at + 11] = 0;
    o[at] = 0x45;
    o[at + 2] = total >> 8;
    o[at + 3] = total & 0xff;
    o[at + 4] = (id >> 8) & 0xff;
    o[at + 5] = id & 0xff;
    o[at + 8] = ttl;
    o[at + 9] = 17;
    put(o, at + 12, s.src);
    put(o, at + 16, s.dst);
    const c = fold(onesSum(o, at, at + 20, 0));
    o[at + 10] = c >> 8;
    o[at + 11] = c & 0xff;
  } else {
    // traffic class and flow label
    o[at + 1] = 0;
    o[at + 2] = 0;
    o[at + 3] = 0;
    o[at] = 0x60;
    o[at + 4] = ulen >> 8;
    o[at + 5] = ulen & 0xff;
    o[at + 6] = 17;
    o[at + 7] = ttl;
    put(o, at + 8, s.src);
    put(o, at + 24, s.dst);
  }
  o[t] = s.sport >> 8;
  o[t + 1] = s.sport & 0xff;
  o[t + 2] = s.dport >> 8;
  o[t + 3] = s.dport & 0xff;
  o[t + 4] = ulen >> 8;
  o[t + 5] = ulen & 0xff;
  o.set(s.payload, t + 8);
  o[t + 6] = 0;
  o[t + 7] = 0;
  if (!s.noChecksum) {
    let c = transportChecksum(s.src, s.dst, 17, o, t, t + ulen);
    if (s.badChecksum) c ^= 0x5555;
    o[t + 6] = c >> 8;
    o[t + 7] = c & 0xff;
  }
  return t + ulen;
}

/** An IPv4 or IPv6 datagram carrying one UDP datagram. */
export function udpDatagram(s: UdpSpec): Uint8Array {
  const o = new Uint8Array(udpDatagramLength(s));
  writeUdpDatagram(o, 0, s);
  return o;
}

export interface TcpSpec {
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** TCP flags byte (default PSH|ACK) */
  flags?: number;
  payload: Uint8Array;
}

/** An IPv4 or IPv6 datagram carrying one TCP segment (20-byte header). */
export function tcpDatagram(s: TcpSpec): Uint8Array {
  const seg = new Uint8Array(20 + s.payload.length);
  const dv = new DataView(seg.buffer);
  dv.setUint16(0, s.sport);
  dv.setUint16(2, s.dport);
  dv.setUint32(4, s.seq >>> 0);
  dv.setUint32(8, (s.ack ?? 0) >>> 0);
  seg[12] = 5 << 4;
  seg[13] = s.flags ?? 0x18;
  dv.setUint16(14, 65535);
  seg.set(s.payload, 20);
  dv.setUint16(16, transportChecksum(s.src, s.dst, 6, seg, 0, seg.length));
  return concatBytes([ipHeader(s.src, s.dst, 6, seg.length, 0, 64), seg]);
}

/**
 * Split an IP datagram into fragments carrying at most `mtuPayload` bytes of data each
 * (rounded down to a multiple of 8). IPv6 fragments get a fragment header with `id`.
 */
export function fragmentDatagram(dg: Uint8Array, mtuPayload: number, id = 0x1234): Uint8Array[] {
  const v6 = dg[0]! >> 4 === 6;
  const hl = v6 ? 40 : (dg[0]! & 0xf) * 4;
  const data = dg.subarray(hl);
  const step = Math.max(8, mtuPayload & ~7);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += step) {
    const piece = data.subarray(off, Math.min(data.length, off + step));
    const more = off + step < data.length;
    if (!v6) {
      const h = dg.slice(0, hl);
      const total = hl + piece.length;
      h[2] = total >> 8;
      h[3] = total & 0xff;
      h[4] = (id >> 8) & 0xff;
      h[5] = id & 0xff;
      const ff = (off / 8) | (more ? 0x2000 : 0);
      h[6] = ff >> 8;
      h[7] = ff & 0xff;
      h[10] = 0;
      h[11] = 0;
      const c = fold(sum16(h));
      h[10] = c >> 8;
      h[11] = c & 0xff;
      out.push(concatBytes([h, piece]));
    } else {
      const h = dg.slice(0, 40);
      const fh = new Uint8Array(8);
      fh[0] = dg[6]!;
      const ff = off | (more ? 1 : 0);
      fh[2] = ff >> 8;
      fh[3] = ff & 0xff;
      new DataView(fh.buffer).setUint32(4, id >>> 0);
      h[6] = 44;
      const plen = 8 + piece.length;
      h[4] = plen >> 8;
      h[5] = plen & 0xff;
      out.push(concatBytes([h, fh, piece]));
    }
  }
  return out;
}

/** Wrap an IP datagram in an Ethernet II frame (with an optional 802.1Q tag). */
export function ethernetFrame(dg: Uint8Array, vlan?: number): Uint8Array {
  const v6 = dg[0]! >> 4 === 6;
  const hdr = new Uint8Array(vlan === undefined ? 14 : 18);
  hdr.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
  let p = 12;
  if (vlan !== undefined) {
    hdr.set([0x81, 0x00, (vlan >> 8) & 0x0f, vlan & 0xff], 12);
    p = 16;
  }
  hdr[p] = v6 ? 0x86 : 0x08;
  hdr[p + 1] = v6 ? 0xdd : 0x00;
  return concatBytes([hdr, dg]);
}

export interface CapturedPacket {
  data: Uint8Array;
  sec: number;
  /** microseconds within the second */
  usec?: number;
  /** original length, when the record was cut by a snapshot length */
  origlen?: number;
}

/** A little-endian, microsecond pcap file. */
export function encodePcap(packets: readonly CapturedPacket[], linktype = 1, snaplen = 262144): Uint8Array {
  const w = new ByteWriter(24 + packets.reduce((n, p) => n + 16 + p.data.length, 0));
  const u32 = (v: number): void => {
    w.byte(v & 0xff)
      .byte((v >>> 8) & 0xff)
      .byte((v >>> 16) & 0xff)
      .byte((v >>> 24) & 0xff);
  };
  u32(0xa1b2c3d4);
  w.byte(2).byte(0).byte(4).byte(0);
  u32(0);
  u32(0);
  u32(snaplen);
  u32(linktype);
  for (const p of packets) {
    u32(p.sec);
    u32(p.usec ?? 0);
    u32(p.data.length);
    u32(p.origlen ?? p.data.length);
    w.bytes(p.data);
  }
  return w.toBytes();
}
