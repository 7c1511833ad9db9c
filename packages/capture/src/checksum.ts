/** UDP checksum verification of a response, possibly spread over IP fragments (dnsqr's udp_checksum). */
import { UdpChecksum } from "@dnsrep/nmsg";
import { Datagram, IpProto, IpReject, parseIp } from "./ip.js";

const scratch = new Datagram();

/**
 * The Internet checksum's sum (RFC 1071) of the 16-bit big-endian words of b[s, e) (an odd last
 * byte padded with zero), added to acc, not folded: the high and the low bytes are summed apart,
 * eight bytes a step, rather than building each word (fewer operations a byte).
 */
export function onesSum(b: Uint8Array, s: number, e: number, acc: number): number {
  let hi = 0;
  let lo = 0;
  let i = s;
  for (; i + 7 < e; i += 8) {
    hi += b[i]! + b[i + 2]! + b[i + 4]! + b[i + 6]!;
    lo += b[i + 1]! + b[i + 3]! + b[i + 5]! + b[i + 7]!;
  }
  for (; i + 1 < e; i += 2) {
    hi += b[i]!;
    lo += b[i + 1]!;
  }
  if (i < e) hi += b[i]!;
  return acc + hi * 256 + lo;
}

/** the pseudo header's sum (addresses, protocol, UDP length) for the datagram in d, added to acc */
function pseudoHeader(b: Uint8Array, d: Datagram, ulen: number, acc: number): number {
  acc = onesSum(b, d.src, d.src + d.addrLen, acc);
  acc = onesSum(b, d.dst, d.dst + d.addrLen, acc);
  return acc + IpProto.UDP + ulen;
}

/** the verdict on a finished one's-complement sum */
function verdict(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum === 0xffff ? UdpChecksum.CORRECT : UdpChecksum.INCORRECT;
}

/**
 * Verify the UDP checksum over the IP datagrams in `packets` (one datagram, or its fragments in
 * payload order), as the sensor fills dnsqr's udp_checksum. Returns a UdpChecksum value (the
 * base/dnsqr enum, @dnsrep/nmsg's): ABSENT for a zero checksum, ERROR when the packets do not hold
 * a UDP header. (@dnsrep/nmsg's verifyUdpChecksum judges one stored datagram, for printing.)
 */
export function udpChecksumOfPackets(packets: readonly Uint8Array[]): number {
  let sum = 0;
  let haveHeader = false;
  // fragment data is summed as one byte stream: an odd-length piece shifts the next one
  let odd = false;
  for (const pkt of packets) {
    if (parseIp(scratch, pkt, 0, pkt.length) !== IpReject.NONE) return UdpChecksum.ERROR;
    const d = scratch;
    let s: number;
    let e: number;
    if (d.trans >= 0) {
      if (d.proto !== IpProto.UDP) return UdpChecksum.ERROR;
      const t = d.trans;
      const ck = (pkt[t + 6]! << 8) | pkt[t + 7]!;
      if (ck === 0) return UdpChecksum.ABSENT;
      const ulen = (pkt[t + 4]! << 8) | pkt[t + 5]!;
      haveHeader = true;
      sum = pseudoHeader(pkt, d, ulen, sum);
      s = t;
      e = d.isFragment ? d.ipEnd : Math.min(d.ipEnd, t + ulen);
    } else {
      s = d.net + d.headerLen + (d.v6 ? 8 : 0);
      e = d.ipEnd;
    }
    if (odd && s < e) {
      sum += pkt[s]!;
      s++;
      odd = false;
    }
    sum = onesSum(pkt, s, e, sum);
    if ((e - s) & 1) odd = true;
  }
  if (!haveHeader) return UdpChecksum.ERROR;
  return verdict(sum);
}

/**
 * The same verification for one whole UDP datagram already decoded into `d` (not a fragment): no
 * second parse, no array of packets.
 */
export function udpChecksumOf(d: Datagram): number {
  const b = d.buf;
  const t = d.trans;
  const ck = (b[t + 6]! << 8) | b[t + 7]!;
  if (ck === 0) return UdpChecksum.ABSENT;
  const ulen = (b[t + 4]! << 8) | b[t + 5]!;
  return verdict(onesSum(b, t, Math.min(d.ipEnd, t + ulen), pseudoHeader(b, d, ulen, 0)));
}
