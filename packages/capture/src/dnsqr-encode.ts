/**
 * A base/dnsqr message laid out straight from captured bytes: the addresses, the qname and the
 * packets are offsets into the capture buffer or the table of waiting queries, never copied into
 * a message object. It encodes exactly what protobufjs encodes for the DnsQR object the matcher
 * would otherwise build (fields in number order; repeated scalars unpacked, as proto2 has them),
 * and it is an nmsg EncodedMessage, so NmsgWriter.writeEncoded puts it into the container.
 *
 * One instance is reused for every message: fill it with set*(), then finish(), then hand it to
 * the writer before the next packet (it borrows its buffers).
 */
import type { EncodedMessage } from "@dnsrep/nmsg";
import { bytesFieldLength, copyInto, putVarint, varintLength } from "@dnsrep/util";
import { type UdpSpec, udpDatagramLength, writeUdpDatagram } from "./craft.js";

function putFixed32(o: Uint8Array, p: number, v: number): number {
  o[p] = v & 255;
  o[p + 1] = (v >>> 8) & 255;
  o[p + 2] = (v >>> 16) & 255;
  o[p + 3] = (v >>> 24) & 255;
  return p + 4;
}

/**
 * A field of ours in base/dnsqr, beyond nmsg's schema (proto2: readers that do not know it skip it,
 * as nmsgtool does): the zone the resolver itself sent the query to that server for, as a wire
 * name — dnstap's query_zone, which BIND and Knot send. nmsg-dns-cache takes it as the bailiwick
 * of a response from a server its own zone cache does not know yet (see @dnsrep/dedupe).
 */
export const DNSQR_ZONE_FIELD = 1000;
/** its tag (length-delimited): two bytes of varint */
const DNSQR_ZONE_TAG = (DNSQR_ZONE_FIELD << 3) | 2;

const f64b = new Uint8Array(8);
const f64 = new DataView(f64b.buffer);
const EMPTY = new Uint8Array(0);

export class DnsqrEncoding implements EncodedMessage {
  type = 0;
  proto = 17;
  queryPort = 0;
  responsePort = 0;
  id = 0;
  /** the addresses: addrLen bytes at each offset */
  ipBuf: Uint8Array = EMPTY;
  queryIp = 0;
  responseIp = 0;
  addrLen = 4;
  /** the question's name (nameLen < 0: none, and no qtype/qclass) */
  nameBuf: Uint8Array = EMPTY;
  nameOff = 0;
  nameLen = -1;
  qtype = 0;
  qclass = 0;
  /** < 0: absent */
  rcode = -1;
  /** the query's IP datagram (queryLen < 0: none) and when it was seen */
  queryBuf: Uint8Array = EMPTY;
  queryOff = 0;
  queryLen = -1;
  querySec = 0;
  queryNsec = 0;
  responseBuf: Uint8Array = EMPTY;
  responseOff = 0;
  responseLen = -1;
  responseSec = 0;
  responseNsec = 0;
  /** datagrams to build in place while encoding (instead of copying queryBuf / responseBuf) */
  querySpec: UdpSpec | undefined;
  responseSpec: UdpSpec | undefined;
  /** a query time without a query datagram (dnstap responses that carry only the time): written when queryLen < 0 */
  queryTimeAlone = false;
  /** seconds an unanswered query waited; NaN: absent */
  timeout = Number.NaN;
  /** UdpChecksum value; < 0: absent */
  udpChecksum = -1;
  /** the zone the resolver sent the query to the server for (dnstap's query_zone; zoneLen < 0: none): see DNSQR_ZONE_FIELD */
  zoneBuf: Uint8Array = EMPTY;
  zoneOff = 0;
  zoneLen = -1;
  length = 0;

  /** Start a message with its required fields. */
  reset(type: number, proto: number, queryPort: number, responsePort: number, id: number): void {
    this.type = type;
    this.proto = proto;
    this.queryPort = queryPort;
    this.responsePort = responsePort;
    this.id = id;
    this.nameLen = -1;
    this.rcode = -1;
    this.queryLen = -1;
    this.queryTimeAlone = false;
    this.querySpec = undefined;
    this.responseSpec = undefined;
    this.responseLen = -1;
    this.timeout = Number.NaN;
    this.udpChecksum = -1;
    this.zoneLen = -1;
  }

  /** The resolver's own bailiwick for the response (a wire name): written as field DNSQR_ZONE_FIELD. */
  setZone(buf: Uint8Array, off: number, len: number): void {
    this.zoneBuf = buf;
    this.zoneOff = off;
    this.zoneLen = len;
  }

  setAddresses(buf: Uint8Array, queryIp: number, responseIp: number, addrLen: number): void {
    this.ipBuf = buf;
    this.queryIp = queryIp;
    this.responseIp = responseIp;
    this.addrLen = addrLen;
  }

  setQuestion(buf: Uint8Array, off: number, len: number, qtype: number, qclass: number): void {
    this.nameBuf = buf;
    this.nameOff = off;
    this.nameLen = len;
    this.qtype = qtype;
    this.qclass = qclass;
  }

  setQuery(buf: Uint8Array, off: number, len: number, sec: number, nsec: number): void {
    this.querySpec = undefined;
    this.queryBuf = buf;
    this.queryOff = off;
    this.queryLen = len;
    this.querySec = sec;
    this.queryNsec = nsec;
  }

  /** the query as a UDP datagram built in place around spec's payload while encoding (no copy of a finished datagram) */
  setQueryDatagram(spec: UdpSpec, sec: number, nsec: number): void {
    this.querySpec = spec;
    this.queryLen = udpDatagramLength(spec);
    this.querySec = sec;
    this.queryNsec = nsec;
  }

  /** the response likewise */
  setResponseDatagram(spec: UdpSpec, sec: number, nsec: number): void {
    this.responseSpec = spec;
    this.responseLen = udpDatagramLength(spec);
    this.responseSec = sec;
    this.responseNsec = nsec;
  }

  /** the query's time alone, for a message that has no query datagram */
  setQueryTime(sec: number, nsec: number): void {
    this.queryTimeAlone = true;
    this.querySec = sec;
    this.queryNsec = nsec;
  }

  setResponse(buf: Uint8Array, off: number, len: number, sec: number, nsec: number): void {
    this.responseSpec = undefined;
    this.responseBuf = buf;
    this.responseOff = off;
    this.responseLen = len;
    this.responseSec = sec;
    this.responseNsec = nsec;
  }

  /** Compute the encoded length (call after the last set*). */
  finish(): void {
    const a = this.addrLen;
    let n =
      2 +
      2 * bytesFieldLength(a) +
      1 +
      varintLength(this.proto) +
      1 +
      varintLength(this.queryPort) +
      1 +
      varintLength(this.responsePort) +
      1 +
      varintLength(this.id);
    if (this.nameLen >= 0) n += bytesFieldLength(this.nameLen) + 1 + varintLength(this.qtype) + 1 + varintLength(this.qclass);
    if (this.rcode >= 0) n += 1 + varintLength(this.rcode);
    if (this.queryLen >= 0) n += bytesFieldLength(this.queryLen) + 1 + varintLength(this.querySec) + 5;
    else if (this.queryTimeAlone) n += 1 + varintLength(this.querySec) + 5;
    if (this.responseLen >= 0) n += bytesFieldLength(this.responseLen) + 2 + varintLength(this.responseSec) + 6;
    if (!Number.isNaN(this.timeout)) n += 10;
    if (this.udpChecksum >= 0) n += 2 + varintLength(this.udpChecksum);
    if (this.zoneLen >= 0) n += 1 + bytesFieldLength(this.zoneLen);
    this.length = n;
  }

  putAt(o: Uint8Array, p: number): void {
    const a = this.addrLen;
    o[p++] = 0x08;
    o[p++] = this.type;
    o[p++] = 0x12;
    o[p++] = a;
    p = copyInto(o, p, this.ipBuf, this.queryIp, a);
    o[p++] = 0x1a;
    o[p++] = a;
    p = copyInto(o, p, this.ipBuf, this.responseIp, a);
    o[p++] = 0x20;
    p = putVarint(o, p, this.proto);
    o[p++] = 0x28;
    p = putVarint(o, p, this.queryPort);
    o[p++] = 0x30;
    p = putVarint(o, p, this.responsePort);
    o[p++] = 0x38;
    p = putVarint(o, p, this.id);
    if (this.nameLen >= 0) {
      o[p++] = 0x42;
      p = putVarint(o, p, this.nameLen);
      p = copyInto(o, p, this.nameBuf, this.nameOff, this.nameLen);
      o[p++] = 0x48;
      p = putVarint(o, p, this.qtype);
      o[p++] = 0x50;
      p = putVarint(o, p, this.qclass);
    }
    if (this.rcode >= 0) {
      o[p++] = 0x58;
      p = putVarint(o, p, this.rcode);
    }
    if (this.queryLen >= 0) {
      o[p++] = 0x62;
      p = putVarint(o, p, this.queryLen);
      p = this.querySpec ? writeUdpDatagram(o, p, this.querySpec) : copyInto(o, p, this.queryBuf, this.queryOff, this.queryLen);
      o[p++] = 0x68;
      p = putVarint(o, p, this.querySec);
      o[p++] = 0x75;
      p = putFixed32(o, p, this.queryNsec);
    } else if (this.queryTimeAlone) {
      o[p++] = 0x68;
      p = putVarint(o, p, this.querySec);
      o[p++] = 0x75;
      p = putFixed32(o, p, this.queryNsec);
    }
    if (this.responseLen >= 0) {
      o[p++] = 0x7a;
      p = putVarint(o, p, this.responseLen);
      p = this.responseSpec
        ? writeUdpDatagram(o, p, this.responseSpec)
        : copyInto(o, p, this.responseBuf, this.responseOff, this.responseLen);
      o[p++] = 0x80;
      o[p++] = 0x01;
      p = putVarint(o, p, this.responseSec);
      o[p++] = 0x8d;
      o[p++] = 0x01;
      p = putFixed32(o, p, this.responseNsec);
    }
    if (!Number.isNaN(this.timeout)) {
      o[p++] = 0xa1;
      o[p++] = 0x01;
      f64.setFloat64(0, this.timeout, true);
      for (let i = 0; i < 8; i++) o[p++] = f64b[i] as number;
    }
    if (this.udpChecksum >= 0) {
      o[p++] = 0xa8;
      o[p++] = 0x01;
      p = putVarint(o, p, this.udpChecksum);
    }
    if (this.zoneLen >= 0) {
      o[p++] = (DNSQR_ZONE_TAG & 0x7f) | 0x80;
      o[p++] = DNSQR_ZONE_TAG >> 7;
      p = putVarint(o, p, this.zoneLen);
      p = copyInto(o, p, this.zoneBuf, this.zoneOff, this.zoneLen);
    }
  }
}
