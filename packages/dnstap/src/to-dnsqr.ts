/**
 * dnstap → base/dnsqr. A *_RESPONSE message that carries its response becomes a
 * UDP_QUERY_RESPONSE: the server's answer is what dnstap saw the server send or receive, paired
 * with its query by the server itself. The dnsqr packets are IP/UDP datagrams built around the
 * DNS messages (query → server and server → query side, with dnstap's addresses and ports), so
 * every dnsqr consumer (nmsg-dns-cache's bailiwick checks take response_ip as the answering
 * server) reads them as it reads captured ones, whatever transport dnstap names (proto is UDP's).
 */
import { udpDatagram } from "@dnsrep/capture";
import type { DnsQR } from "@dnsrep/nmsg";
import { skipName } from "@dnsrep/wdns";
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

  /**
   * The dnsqr message for one dnstap message, or undefined (counted in stats). The message owns
   * fresh datagrams; its time is `sec`/`nsec` of the result (the response time, else the query's).
   */
  convert(d: Dnstap): { qr: DnsQR; sec: number; nsec: number } | undefined {
    const s = this.stats;
    s.messages++;
    const m = d.message;
    if (d.type !== DnstapType.MESSAGE || m === undefined) {
      s.notMessage++;
      return undefined;
    }
    if (this.#types[m.type] !== true) {
      s.skippedType++;
      return undefined;
    }
    const r = m.response_message;
    if (r === undefined) {
      s.noResponse++;
      return undefined;
    }
    // the header and the question (qdcount 1): as nmsg's dnsqr module reads a captured response
    if (r.length < 12) {
      s.truncated++;
      return undefined;
    }
    const id = (r[0]! << 8) | r[1]!;
    const flags = (r[2]! << 8) | r[3]!;
    const qd = (r[4]! << 8) | r[5]!;
    let qend = 0;
    let qtype: number | undefined;
    let qclass: number | undefined;
    if (qd === 1) {
      const qe = skipName(r, 12, r.length);
      if (r.length - qe < 4) {
        s.truncated++;
        return undefined;
      }
      qend = qe;
      qtype = (r[qe]! << 8) | r[qe + 1]!;
      qclass = (r[qe + 2]! << 8) | r[qe + 3]!;
    }
    const alen = addressLength(m.socket_family, m.query_address, m.response_address);
    if (alen === 0) {
      s.noAddress++;
      return undefined;
    }
    const zero = alen === 4 ? ZERO4 : ZERO16;
    const qip = m.query_address ?? zero;
    const rip = m.response_address ?? zero;
    // IPv4: 65535 less the IP and UDP headers; IPv6: the payload length's limit less UDP's
    const most = alen === 4 ? 65507 : 65527;
    const q = m.query_message;
    if (r.length > most || (q !== undefined && q.length > most)) {
      s.oversize++;
      return undefined;
    }
    const qport = m.query_port ?? 0;
    const rport = m.response_port ?? 0;
    const rsec = m.response_time_sec ?? m.query_time_sec ?? 0;
    const rnsec = m.response_time_sec !== undefined ? (m.response_time_nsec ?? 0) : (m.query_time_nsec ?? 0);
    const resp = udpDatagram({ src: rip, dst: qip, sport: rport, dport: qport, payload: r });
    const qr: DnsQR = {
      type: UDP_QUERY_RESPONSE,
      // views into the response datagram, which the message owns (the dnstap frame is borrowed)
      query_ip: alen === 4 ? resp.subarray(16, 20) : resp.subarray(24, 40),
      response_ip: alen === 4 ? resp.subarray(12, 16) : resp.subarray(8, 24),
      proto: IPPROTO_UDP,
      query_port: qport,
      response_port: rport,
      id,
      rcode: flags & 0xf,
      query_packet: q === undefined ? [] : [udpDatagram({ src: qip, dst: rip, sport: qport, dport: rport, payload: q })],
      query_time_sec: m.query_time_sec === undefined ? [] : [m.query_time_sec],
      query_time_nsec: m.query_time_sec === undefined ? [] : [m.query_time_nsec ?? 0],
      response_packet: [resp],
      response_time_sec: [rsec],
      response_time_nsec: [rnsec],
    };
    if (qend) {
      const at = resp.length - r.length;
      qr.qname = resp.subarray(at + 12, at + qend);
      qr.qtype = qtype!;
      qr.qclass = qclass!;
    }
    if (flags & 0x0200) s.tc++;
    s.converted++;
    return { qr, sec: rsec, nsec: rnsec };
  }
}

/** 4 or 16 when the family and the addresses present agree, else 0. */
function addressLength(family: number | undefined, a: Uint8Array | undefined, b: Uint8Array | undefined): number {
  let n = family === SocketFamily.INET ? 4 : family === SocketFamily.INET6 ? 16 : 0;
  for (const x of [a, b]) {
    if (x === undefined) continue;
    if (x.length !== 4 && x.length !== 16) return 0;
    if (n === 0) n = x.length;
    else if (x.length !== n) return 0;
  }
  return n;
}
