/**
 * dnstap → base/dnsqr. A *_RESPONSE message that carries its response becomes a
 * UDP_QUERY_RESPONSE: the server's answer is what dnstap saw the server send or receive, paired
 * with its query by the server itself. The dnsqr packets are IP/UDP datagrams built around the
 * DNS messages (query → server and server → query side, with dnstap's addresses and ports), so
 * every dnsqr consumer (nmsg-dns-cache's bailiwick checks take response_ip as the answering
 * server) reads them as it reads captured ones, whatever transport dnstap names (proto is UDP's).
 */
import { DnsqrEncoding, type UdpSpec, udpDatagramLength, writeUdpDatagram } from "@dnsrep/capture";
import type { DnsQR } from "@dnsrep/nmsg";
import { nameLength, skipName } from "@dnsrep/wdns";
import {
  type DnstapView,
  F_MESSAGE,
  M_QUERY_ADDRESS,
  M_QUERY_MESSAGE,
  M_QUERY_PORT,
  M_QUERY_TIME_NSEC,
  M_QUERY_TIME_SEC,
  M_QUERY_ZONE,
  M_RESPONSE_ADDRESS,
  M_RESPONSE_MESSAGE,
  M_RESPONSE_PORT,
  M_RESPONSE_TIME_NSEC,
  M_RESPONSE_TIME_SEC,
  M_SOCKET_FAMILY,
} from "./decode.js";
import { type Dnstap, DnstapType, isResponseType, MessageType, SocketFamily } from "./schema.js";

/** dnsqr's UDP_QUERY_RESPONSE */
const UDP_QUERY_RESPONSE = 1;
const IPPROTO_UDP = 17;

/** The response types converted by default: every *_RESPONSE type. */
export const DEFAULT_DNSQR_TYPES: readonly number[] = Object.values(MessageType).filter(isResponseType);

export interface DnsqrConvertStats {
  /** dnstap messages looked at */
  messages: number;
  /** dnsqr messages made */
  converted: number;
  /** frames whose Dnstap.type is not MESSAGE, or that carry no message */
  notMessage: number;
  /** messages of a type not selected (queries, or response types left out) */
  skippedType: number;
  /** selected responses without a response_message */
  noResponse: number;
  /** response messages shorter than a DNS header or whose question runs off their end */
  truncated: number;
  /** responses converted whose TC bit is set */
  tc: number;
  /** messages without a usable address family (no socket_family and no address, or an address of the wrong length) */
  noAddress: number;
  /** DNS messages too long for one UDP datagram of their address family */
  oversize: number;
}

export function newConvertStats(): DnsqrConvertStats {
  return { messages: 0, converted: 0, notMessage: 0, skippedType: 0, noResponse: 0, truncated: 0, tc: 0, noAddress: 0, oversize: 0 };
}

const ZERO4 = new Uint8Array(4);
const ZERO16 = new Uint8Array(16);

export class DnstapToDnsqr {
  readonly stats = newConvertStats();
  readonly #types: boolean[] = [];

  constructor(types: readonly number[] = DEFAULT_DNSQR_TYPES) {
    for (const t of types) this.#types[t] = true;
  }

  /** what a convertible message gives: filled by #prepare (one reused instance) */
  readonly #p = new Prepared();
  readonly #enc = new DnsqrEncoding();
  readonly #addrs = new Uint8Array(32);

  /** the message being converted, from a Dnstap object or a DnstapView (one reused instance) */
  readonly #in = new Input();

  #fromObject(d: Dnstap): Input {
    const i = this.#in;
    const m = d.message;
    i.isMessage = d.type === DnstapType.MESSAGE && m !== undefined;
    if (m === undefined) return i;
    i.type = m.type;
    i.r = m.response_message;
    i.q = m.query_message;
    i.family = m.socket_family;
    i.qa = m.query_address;
    i.ra = m.response_address;
    i.qport = m.query_port;
    i.rport = m.response_port;
    i.qsec = m.query_time_sec;
    i.qnsec = m.query_time_nsec;
    i.rsec = m.response_time_sec;
    i.rnsec = m.response_time_nsec;
    i.zone = m.query_zone;
    return i;
  }

  readonly #qa4 = new Uint8Array(4);
  readonly #qa16 = new Uint8Array(16);
  readonly #ra4 = new Uint8Array(4);
  readonly #ra16 = new Uint8Array(16);

  #fromView(v: DnstapView): Input {
    const i = this.#in;
    const h = v.msgHas;
    i.isMessage = v.type === DnstapType.MESSAGE && (v.has & F_MESSAGE) !== 0;
    if (!i.isMessage) return i;
    const b = v.b;
    i.type = v.msgType;
    // the two DNS messages as views (they are copied into the container); the addresses into scratch
    i.r = h & M_RESPONSE_MESSAGE ? b.subarray(v.responseMessage, v.responseMessageEnd) : undefined;
    i.q = h & M_QUERY_MESSAGE ? b.subarray(v.queryMessage, v.queryMessageEnd) : undefined;
    i.family = h & M_SOCKET_FAMILY ? v.socketFamily : undefined;
    i.qa = h & M_QUERY_ADDRESS ? address(b, v.queryAddress, v.queryAddressEnd, this.#qa4, this.#qa16) : undefined;
    i.ra = h & M_RESPONSE_ADDRESS ? address(b, v.responseAddress, v.responseAddressEnd, this.#ra4, this.#ra16) : undefined;
    i.qport = h & M_QUERY_PORT ? v.queryPort : undefined;
    i.rport = h & M_RESPONSE_PORT ? v.responsePort : undefined;
    i.qsec = h & M_QUERY_TIME_SEC ? v.queryTimeSec : undefined;
    i.qnsec = h & M_QUERY_TIME_NSEC ? v.queryTimeNsec : undefined;
    i.rsec = h & M_RESPONSE_TIME_SEC ? v.responseTimeSec : undefined;
    i.rnsec = h & M_RESPONSE_TIME_NSEC ? v.responseTimeNsec : undefined;
    i.zone = h & M_QUERY_ZONE ? b.subarray(v.queryZone, v.queryZoneEnd) : undefined;
    return i;
  }

  /** Check and count one message; true (and #p filled) when it becomes a dnsqr message. */
  #prepare(m: Input): boolean {
    const s = this.stats;
    s.messages++;
    if (!m.isMessage) {
      s.notMessage++;
      return false;
    }
    if (this.#types[m.type] !== true) {
      s.skippedType++;
      return false;
    }
    const r = m.r;
    if (r === undefined) {
      s.noResponse++;
      return false;
    }
    // the header and the question (qdcount 1): as nmsg's dnsqr module reads a captured response
    if (r.length < 12) {
      s.truncated++;
      return false;
    }
    const p = this.#p;
    p.flags = (r[2]! << 8) | r[3]!;
    p.qend = 0;
    if (((r[4]! << 8) | r[5]!) === 1) {
      const qe = skipName(r, 12, r.length);
      if (r.length - qe < 4) {
        s.truncated++;
        return false;
      }
      p.qend = qe;
    }
    const alen = addressLength(m.family, m.qa, m.ra);
    if (alen === 0) {
      s.noAddress++;
      return false;
    }
    const zero = alen === 4 ? ZERO4 : ZERO16;
    // IPv4: 65535 less the IP and UDP headers; IPv6: the payload length's limit less UDP's
    const most = alen === 4 ? 65507 : 65527;
    const q = m.q;
    if (r.length > most || (q !== undefined && q.length > most)) {
      s.oversize++;
      return false;
    }
    p.alen = alen;
    p.r = r;
    p.rspec.src = m.ra ?? zero;
    p.rspec.dst = m.qa ?? zero;
    p.rspec.sport = m.rport ?? 0;
    p.rspec.dport = m.qport ?? 0;
    p.rspec.payload = r;
    p.hasQuery = q !== undefined;
    if (q !== undefined) {
      p.qspec.src = p.rspec.dst;
      p.qspec.dst = p.rspec.src;
      p.qspec.sport = p.rspec.dport;
      p.qspec.dport = p.rspec.sport;
      p.qspec.payload = q;
    }
    p.qsec = m.qsec ?? -1;
    p.qnsec = m.qnsec ?? 0;
    p.rsec = m.rsec ?? m.qsec ?? 0;
    p.rnsec = m.rsec !== undefined ? (m.rnsec ?? 0) : (m.qnsec ?? 0);
    // the resolver's bailiwick for this server, when dnstap gives one (a whole, uncompressed name)
    p.zone = m.zone !== undefined && nameLength(m.zone, 0) === m.zone.length ? m.zone : undefined;
    p.rlen = udpDatagramLength(p.rspec);
    p.total = p.rlen + (p.hasQuery ? udpDatagramLength(p.qspec) : 0);
    if (p.flags & 0x0200) s.tc++;
    s.converted++;
    return true;
  }

  /** both datagrams laid out in `buf` from 0: the response, then the query (if dnstap has it) */
  #datagrams(buf: Uint8Array): void {
    const p = this.#p;
    writeUdpDatagram(buf, 0, p.rspec);
    if (p.hasQuery) writeUdpDatagram(buf, p.rlen, p.qspec);
  }

  /**
   * The dnsqr message for one dnstap message, or undefined (counted in stats). The message owns
   * fresh datagrams; its time is `sec`/`nsec` of the result (the response time, else the query's).
   * `zone` is dnstap's query_zone when it is a well-formed name: nmsg's DnsQR has no field for it,
   * so convertEncoded writes it as @dnsrep/capture's DNSQR_ZONE_FIELD (encodeDnsQR(qr) leaves it out).
   */
  convert(d: Dnstap): { qr: DnsQR; sec: number; nsec: number; zone?: Uint8Array } | undefined {
    if (!this.#prepare(this.#fromObject(d))) return undefined;
    const p = this.#p;
    const buf = new Uint8Array(p.total);
    this.#datagrams(buf);
    const resp = buf.subarray(0, p.rlen);
    const r = p.r;
    const at = p.rlen - r.length;
    const qr: DnsQR = {
      type: UDP_QUERY_RESPONSE,
      // views into the response datagram, which the message owns (the dnstap frame is borrowed)
      query_ip: p.alen === 4 ? resp.subarray(16, 20) : resp.subarray(24, 40),
      response_ip: p.alen === 4 ? resp.subarray(12, 16) : resp.subarray(8, 24),
      proto: IPPROTO_UDP,
      query_port: p.rspec.dport,
      response_port: p.rspec.sport,
      id: (r[0]! << 8) | r[1]!,
      rcode: p.flags & 0xf,
      query_packet: p.hasQuery ? [buf.subarray(p.rlen)] : [],
      // dnsqr's times run parallel to its packets: a query datagram without a dnstap time gets 0
      query_time_sec: p.hasQuery || p.qsec >= 0 ? [Math.max(p.qsec, 0)] : [],
      query_time_nsec: p.hasQuery || p.qsec >= 0 ? [p.qnsec] : [],
      response_packet: [resp],
      response_time_sec: [p.rsec],
      response_time_nsec: [p.rnsec],
    };
    if (p.qend) {
      qr.qname = resp.subarray(at + 12, at + p.qend);
      qr.qtype = (r[p.qend]! << 8) | r[p.qend + 1]!;
      qr.qclass = (r[p.qend + 2]! << 8) | r[p.qend + 3]!;
    }
    return p.zone === undefined ? { qr, sec: p.rsec, nsec: p.rnsec } : { qr, sec: p.rsec, nsec: p.rnsec, zone: p.zone };
  }

  /**
   * The same message as an nmsg EncodedMessage, without a message object or an allocation
   * (NmsgWriter.writeEncoded takes it; its datagrams are built in the container as it is
   * encoded): the same bytes `convert` gives through protobufjs. Borrows `d`'s bytes and reused
   * state: valid until the next call, and only while `d`'s frame is. Its time is
   * `encodedSec`/`encodedNsec`.
   */
  convertEncoded(d: Dnstap): DnsqrEncoding | undefined {
    return this.#prepare(this.#fromObject(d)) ? this.#encoded() : undefined;
  }

  /**
   * convertEncoded for a message decoded in place (decodeDnstapView): the same bytes, and the
   * converter's hot path — nothing allocated but two views of the DNS messages. Valid until the
   * next call, and only while the view's frame is.
   */
  convertView(v: DnstapView): DnsqrEncoding | undefined {
    return this.#prepare(this.#fromView(v)) ? this.#encoded() : undefined;
  }

  #encoded(): DnsqrEncoding {
    const p = this.#p;
    const r = p.r;
    const e = this.#enc;
    e.reset(UDP_QUERY_RESPONSE, IPPROTO_UDP, p.rspec.dport, p.rspec.sport, (r[0]! << 8) | r[1]!);
    // the addresses side by side in a small scratch buffer: querier, then server
    const a = this.#addrs;
    a.set(p.rspec.dst, 0);
    a.set(p.rspec.src, p.alen);
    e.setAddresses(a, 0, p.alen, p.alen);
    if (p.qend) {
      const qe = p.qend;
      e.setQuestion(r, 12, qe - 12, (r[qe]! << 8) | r[qe + 1]!, (r[qe + 2]! << 8) | r[qe + 3]!);
    }
    e.rcode = p.flags & 0xf;
    // the datagrams are built straight into the output container as it encodes the message
    if (p.hasQuery) e.setQueryDatagram(p.qspec, Math.max(p.qsec, 0), p.qnsec);
    else if (p.qsec >= 0) e.setQueryTime(p.qsec, p.qnsec);
    e.setResponseDatagram(p.rspec, p.rsec, p.rnsec);
    if (p.zone !== undefined) e.setZone(p.zone, 0, p.zone.length);
    e.finish();
    this.encodedSec = p.rsec;
    this.encodedNsec = p.rnsec;
    return e;
  }

  /** the time of the last convertEncoded message */
  encodedSec = 0;
  encodedNsec = 0;
}

/** What #prepare reads of a message, wherever it came from (one reused instance per converter). */
class Input {
  isMessage = false;
  type = 0;
  r: Uint8Array | undefined;
  q: Uint8Array | undefined;
  family: number | undefined;
  qa: Uint8Array | undefined;
  ra: Uint8Array | undefined;
  qport: number | undefined;
  rport: number | undefined;
  qsec: number | undefined;
  qnsec: number | undefined;
  rsec: number | undefined;
  rnsec: number | undefined;
  zone: Uint8Array | undefined;
}

/** an address field copied into the scratch array of its length; other lengths as a view (rejected later) */
function address(b: Uint8Array, s: number, e: number, four: Uint8Array, sixteen: Uint8Array): Uint8Array {
  const n = e - s;
  const out = n === 4 ? four : n === 16 ? sixteen : null;
  if (out === null) return b.subarray(s, e);
  for (let i = 0; i < n; i++) out[i] = b[s + i]!;
  return out;
}

/** The checked parts of a message to convert (one reused instance per converter). */
class Prepared {
  alen = 4;
  flags = 0;
  qend = 0;
  r: Uint8Array = ZERO4;
  hasQuery = false;
  rspec: UdpSpec = { src: ZERO4, dst: ZERO4, sport: 0, dport: 0, payload: ZERO4 };
  qspec: UdpSpec = { src: ZERO4, dst: ZERO4, sport: 0, dport: 0, payload: ZERO4 };
  qsec = -1;
  qnsec = 0;
  rsec = 0;
  rnsec = 0;
  rlen = 0;
  total = 0;
  zone: Uint8Array | undefined;
}

/** 4 or 16 when the family and the addresses present agree, else 0. */
function addressLength(family: number | undefined, a: Uint8Array | undefined, b: Uint8Array | undefined): number {
  const n = family === SocketFamily.INET ? 4 : family === SocketFamily.INET6 ? 16 : 0;
  const m = agree(n, a);
  return m === 0 && a !== undefined ? 0 : agree(m, b);
}

/** the length so far (0: none yet) with one more address: its length, or 0 when they disagree */
function agree(n: number, x: Uint8Array | undefined): number {
  if (x === undefined) return n;
  if (x.length !== 4 && x.length !== 16) return 0;
  return n === 0 || x.length === n ? x.length : 0;
}
