/**
 * Query/response matching into base/dnsqr messages, as nmsg's dnsqr module does it: UDP queries
 * wait in a table keyed by the 9-tuple (addresses, protocol, ports, DNS id, qname, qtype,
 * qclass) until a response arrives (UDP_QUERY_RESPONSE), they time out or the input ends
 * (UDP_UNANSWERED_QUERY); responses nobody asked for are UDP_UNSOLICITED_RESPONSE; TCP segments
 * on port 53 are passed through whole (TCP); ICMP errors about DNS packets become ICMP messages.
 */
import { type DnsQR, DnsQRType, UdpChecksum } from "@dnsrep/nmsg";
import { copyBytes } from "@dnsrep/util";
import { skipName } from "@dnsrep/wdns";
import { udpChecksumOf, udpChecksumOfPackets } from "./checksum.js";
import { DnsqrEncoding } from "./dnsqr-encode.js";
import { Datagram, IpProto, IpReject, parseIp } from "./ip.js";
import { type LinkOut, linkOffset } from "./link.js";
import { PendingQueries, Slot } from "./pending.js";
import { type ReasmOptions, type Reassembled, Reassembler } from "./reasm.js";
import { type TcpDnsMessage, TcpDnsReassembler } from "./tcp.js";

// base/dnsqr's type values: nmsg's table (DnsQRKind, also exported as DnsQRType), re-exported under the name this package has always had
export { DnsQRType };

export interface DnsqrOptions {
  /** UDP ports that carry DNS (default 53 and 5353) */
  udpPorts?: readonly number[];
  /** TCP ports whose segments are passed through (default 53) */
  tcpPorts?: readonly number[];
  /** seconds an unanswered query waits (DNSQR_QUERY_TIMEOUT; default 60) */
  queryTimeout?: number;
  /** most queries waiting at once; the oldest leaves as unanswered (DNSQR_STATE_TABLE_MAX; default 131072) */
  maxPending?: number;
  /** 0: emit UDP queries alone (UDP_QUERY_ONLY), 1: responses alone (UDP_RESPONSE_ONLY); default: pair them */
  captureQr?: 0 | 1;
  /** keep only queries with this RD bit (DNSQR_CAPTURE_RD) */
  captureRd?: 0 | 1;
  /** zero the resolver's address in the message and the packets (DNSQR_ZERO_RESOLVER_ADDRESS) */
  zeroResolverAddress?: boolean;
  /** keep only these qnames and names below them (lower-case wire names) */
  qnameInclude?: readonly Uint8Array[];
  /** drop these qnames and names below them (lower-case wire names) */
  qnameExclude?: readonly Uint8Array[];
  /** emit ICMP messages (default true; libnmsg never manages to) */
  icmp?: boolean;
  reassembly?: ReasmOptions;
  /** DNS messages carried over TCP, reassembled from the segments (which still pass through as TCP) */
  onTcpMessage?: (m: TcpDnsMessage) => void;
  /**
   * Let emitted messages borrow the capture buffer for what is not kept (responses, TCP, ICMP):
   * they are then valid only during the emit callback, which must encode or copy them. Saves a
   * copy per response. Ignored with zeroResolverAddress (which rewrites the packets).
   */
  borrow?: boolean;
  /**
   * Receives the UDP messages made of single datagrams as encodings laid out straight from the
   * captured bytes (no DnsQR object, no copy of a response). The encoding borrows the capture
   * buffer and the table of waiting queries: encode it (NmsgWriter.writeEncoded) or copy it
   * before the callback returns. Messages this path does not make (TCP, ICMP, IP fragments)
   * still go to the emit callback. Used only without the message-rewriting and filtering options
   * (captureQr, captureRd, zeroResolverAddress, qname lists), which need the message object.
   */
  raw?: DnsqrRawEmit;
}

export interface DnsqrStats {
  packets: number;
  /** records cut short by the snapshot length */
  snaplenCut: number;
  /** frames that are not IP (ARP, unsupported link types) */
  notIp: number;
  /** IP headers that do not parse */
  malformedIp: number;
  /** UDP/TCP/ICMP not on a DNS port */
  notDns: number;
  /** DNS payloads shorter than a header or with a broken question */
  malformedDns: number;
  udpQueries: number;
  udpResponses: number;
  queryResponse: number;
  unanswered: number;
  unsolicited: number;
  tcp: number;
  /** DNS messages found in the TCP streams */
  tcpMessages: number;
  icmp: number;
  /** dropped by the RD / qname filters */
  filtered: number;
  /** queries waiting now */
  pending: number;
  /** high-water mark of waiting queries */
  pendingMax: number;
}

/** Receives each finished message with the time nmsg stamps on its payload. */
export type DnsqrEmit = (q: DnsQR, sec: number, nsec: number) => void;

/** Receives a message encoded straight from the capture (see DnsqrOptions.raw). */
export type DnsqrRawEmit = (m: DnsqrEncoding, sec: number, nsec: number) => void;

const EMPTY = new Uint8Array(0);

export class DnsqrMatcher {
  readonly stats: DnsqrStats = {
    packets: 0,
    snaplenCut: 0,
    notIp: 0,
    malformedIp: 0,
    notDns: 0,
    malformedDns: 0,
    udpQueries: 0,
    udpResponses: 0,
    queryResponse: 0,
    unanswered: 0,
    unsolicited: 0,
    tcp: 0,
    tcpMessages: 0,
    icmp: 0,
    filtered: 0,
    pending: 0,
    pendingMax: 0,
  };
  readonly reassembler: Reassembler;
  readonly tcpStreams: TcpDnsReassembler;
  readonly #emit: DnsqrEmit;
  readonly #udp: Set<number>;
  readonly #tcp: Set<number>;
  readonly #timeout: number;
  readonly #max: number;
  readonly #o: DnsqrOptions;
  readonly #borrow: boolean;
  readonly #include: Set<string> | undefined;
  readonly #exclude: Set<string> | undefined;
  /** the queries waiting for their response */
  readonly #pending = new PendingQueries();
  /** the raw path's sink and its one reused encoding (undefined: every message is an object) */
  readonly #raw: DnsqrRawEmit | undefined;
  readonly #enc = new DnsqrEncoding();
  #nowSec = 0;
  #nowNsec = 0;
  readonly #d = new Datagram();
  readonly #inner = new Datagram();
  readonly #link: LinkOut = { ipVersion: 0 };

  constructor(emit: DnsqrEmit, opts: DnsqrOptions = {}) {
    this.#emit = emit;
    this.#o = opts;
    this.#borrow = (opts.borrow ?? false) && !opts.zeroResolverAddress;
    const plain =
      opts.captureQr === undefined &&
      opts.captureRd === undefined &&
      !opts.zeroResolverAddress &&
      !opts.qnameInclude?.length &&
      !opts.qnameExclude?.length;
    this.#raw = plain ? opts.raw : undefined;
    this.#udp = new Set(opts.udpPorts ?? [53, 5353]);
    this.#tcp = new Set(opts.tcpPorts ?? [53]);
    this.#timeout = opts.queryTimeout ?? 60;
    this.#max = opts.maxPending ?? 131072;
    this.reassembler = new Reassembler(opts.reassembly);
    const onTcp = opts.onTcpMessage;
    this.tcpStreams = new TcpDnsReassembler(
      (m) => {
        this.stats.tcpMessages++;
        onTcp?.(m);
      },
      { ports: [...this.#tcp] },
    );
    const names = (l: readonly Uint8Array[] | undefined): Set<string> | undefined => (l?.length ? new Set(l.map(latin1)) : undefined);
    this.#include = names(opts.qnameInclude);
    this.#exclude = names(opts.qnameExclude);
  }

  /** Feed one captured frame (borrowed: what is kept is copied; a plain Uint8Array is fastest). */
  packet(data: Uint8Array, off: number, caplen: number, origlen: number, sec: number, nsec: number, linktype: number): void {
    const st = this.stats;
    st.packets++;
    this.#trim();
    if (caplen !== origlen) {
      st.snaplenCut++;
      return;
    }
    const net = linkOffset(linktype, data, off, caplen, this.#link);
    if (net < 0) {
      st.notIp++;
      return;
    }
    const d = this.#d;
    if (parseIp(d, data, net, off + caplen) !== IpReject.NONE || (d.v6 ? 6 : 4) !== this.#link.ipVersion) {
      st.malformedIp++;
      return;
    }
    this.#nowSec = sec;
    this.#nowNsec = nsec;
    let frags: Reassembled | null = null;
    if (d.isFragment) {
      frags = this.reassembler.add(d, sec, nsec);
      if (!frags) return;
      if (parseIp(d, frags.datagram, 0, frags.datagram.length) !== IpReject.NONE) {
        st.malformedIp++;
        return;
      }
    }
    if (d.trans < 0) {
      st.notDns++;
      return;
    }
    switch (d.proto) {
      case IpProto.UDP:
        this.#udpPacket(d, frags, sec, nsec);
        return;
      case IpProto.TCP:
        this.#tcpPacket(d, sec, nsec);
        return;
      case IpProto.ICMP:
      case IpProto.ICMPV6:
        this.#icmpPacket(d, sec, nsec);
        return;
      default:
        st.notDns++;
    }
  }

  /** End of input (or shutdown): every waiting query leaves as UDP_UNANSWERED_QUERY. */
  flush(): void {
    this.#trim(true);
  }

  /** Whether the datagram's source or destination port is one of `ports` (counted as not DNS if not). */
  #onPorts(d: Datagram, ports: Set<number>): boolean {
    const b = d.buf;
    if (ports.has((b[d.trans]! << 8) | b[d.trans + 1]!) || ports.has((b[d.trans + 2]! << 8) | b[d.trans + 3]!)) return true;
    this.stats.notDns++;
    return false;
  }

  #udpPacket(d: Datagram, frags: Reassembled | null, sec: number, nsec: number): void {
    if (!this.#onPorts(d, this.#udp)) return;
    const b = d.buf;
    const sport = (b[d.trans]! << 8) | b[d.trans + 1]!;
    const dport = (b[d.trans + 2]! << 8) | b[d.trans + 3]!;
    const p = d.payload;
    const len = d.payloadLen;
    if (len < 12) {
      this.stats.malformedDns++;
      return;
    }
    const id = (b[p]! << 8) | b[p + 1]!;
    const flags = (b[p + 2]! << 8) | b[p + 3]!;
    const qd = (b[p + 4]! << 8) | b[p + 5]!;
    const isResponse = flags >> 15 === 1;
    if (this.#raw !== undefined && frags === null && this.#udpRaw(d, sport, dport, id, flags, qd, isResponse, sec, nsec)) return;
    const q = newQR(0, IpProto.UDP, isResponse ? dport : sport, isResponse ? sport : dport, id);
    // one private copy of the datagram; the message's addresses and qname are views into it
    const view = b.subarray(d.net, d.end);
    const own = frags ? b : isResponse && this.#borrow ? view : copyBytes(view);
    const base = frags ? 0 : d.net;
    if (qd === 1 && len > 12) {
      // libwdns wdns_skip_name: a name running off the end is clamped there, leaving no room for type and class
      const nlen = skipName(b, p + 12, p + len) - (p + 12);
      if (len - 12 - nlen < 4) {
        this.stats.malformedDns++;
        return;
      }
      const qe = p + 12 + nlen;
      q.qname = own.subarray(p + 12 - base, qe - base);
      q.qtype = (b[qe]! << 8) | b[qe + 1]!;
      q.qclass = (b[qe + 2]! << 8) | b[qe + 3]!;
    }
    const n = d.addrLen;
    const src = own.subarray(d.src - base, d.src - base + n);
    const dst = own.subarray(d.dst - base, d.dst - base + n);
    q.query_ip = isResponse ? dst : src;
    q.response_ip = isResponse ? src : dst;
    const packets = frags ? frags.fragments.map((f) => f.packet) : [own];
    const secs = frags ? frags.fragments.map((f) => f.sec) : [sec];
    const nsecs = frags ? frags.fragments.map((f) => f.nsec) : [nsec];
    const cqr = this.#o.captureQr;
    if (!isResponse) this.stats.udpQueries++;
    else this.stats.udpResponses++;
    if (cqr !== undefined) {
      if (cqr === 0 && !isResponse) {
        q.type = DnsQRType.UDP_QUERY_ONLY;
        setQuery(q, packets, secs, nsecs);
        this.#out(q, sec, nsec);
      } else if (cqr === 1 && isResponse) {
        q.type = DnsQRType.UDP_RESPONSE_ONLY;
        q.rcode = flags & 0xf;
        setResponse(q, packets, secs, nsecs);
        this.#out(q, sec, nsec);
      }
      return;
    }
    if (!isResponse) {
      q.type = DnsQRType.UDP_UNANSWERED_QUERY;
      setQuery(q, packets, secs, nsecs);
      this.#insert(q);
      return;
    }
    q.rcode = flags & 0xf;
    setResponse(q, packets, secs, nsecs);
    const query = this.#retrieve(q, q.rcode);
    if (!query) {
      q.type = DnsQRType.UDP_UNSOLICITED_RESPONSE;
      if (this.#rdFiltered(flags) || this.#nameFiltered(q)) {
        this.stats.filtered++;
        return;
      }
      this.stats.unsolicited++;
      this.#out(q, q.response_time_sec[0]!, q.response_time_nsec[0]!);
      return;
    }
    q.type = DnsQRType.UDP_QUERY_RESPONSE;
    q.query_packet = query.query_packet;
    q.query_time_sec = query.query_time_sec;
    q.query_time_nsec = query.query_time_nsec;
    if (q.qname === undefined && query.qname !== undefined) q.qname = query.qname;
    if (q.qtype === undefined && query.qtype !== undefined) q.qtype = query.qtype;
    if (q.qclass === undefined && query.qclass !== undefined) q.qclass = query.qclass;
    if (this.#filtered(q)) {
      this.stats.filtered++;
      return;
    }
    this.stats.queryResponse++;
    this.#out(q, q.query_time_sec[0]!, q.query_time_nsec[0]!);
  }

  #tcpPacket(d: Datagram, sec: number, nsec: number): void {
    if (!this.#onPorts(d, this.#tcp)) return;
    const b = d.buf;
    this.stats.tcp++;
    this.tcpStreams.add(d, sec, nsec);
    this.#out(passThrough(DnsQRType.TCP, IpProto.TCP, "tcp", this.#keep(b.subarray(d.net, d.end))), sec, nsec);
  }

  #icmpPacket(d: Datagram, sec: number, nsec: number): void {
    if (this.#o.icmp === false) return;
    const b = d.buf;
    // only error messages quote the offending datagram: v4 unreachable/time exceeded/parameter problem, v6 types 1-4
    const t = b[d.trans]!;
    const isError = d.proto === IpProto.ICMP ? t === 3 || t === 11 || t === 12 : t >= 1 && t <= 4;
    const inner = this.#inner;
    if (!isError || parseIp(inner, b, d.payload, d.payload + d.payloadLen) !== IpReject.NONE || inner.v6 !== d.v6) {
      this.stats.notDns++;
      return;
    }
    // the quoted datagram is usually cut after 8 transport bytes: the ports are all we need
    if (d.payload + d.payloadLen - inner.net < inner.headerLen + 4) {
      this.stats.notDns++;
      return;
    }
    const tp = inner.net + inner.headerLen;
    const sport = (b[tp]! << 8) | b[tp + 1]!;
    const dport = (b[tp + 2]! << 8) | b[tp + 3]!;
    const ports = inner.proto === IpProto.UDP ? this.#udp : inner.proto === IpProto.TCP ? this.#tcp : undefined;
    if (!ports || (!ports.has(sport) && !ports.has(dport))) {
      this.stats.notDns++;
      return;
    }
    this.stats.icmp++;
    this.#out(passThrough(DnsQRType.ICMP, d.proto, "icmp", this.#keep(b.subarray(d.net, d.end))), sec, nsec);
  }

  /** Bytes of a message emitted right away: borrowed when allowed, else copied. */
  #keep(v: Uint8Array): Uint8Array {
    return this.#borrow ? v : copyBytes(v);
  }

  #out(q: DnsQR, sec: number, nsec: number): void {
    if (q.response_packet.length > 0)
      q.udp_checksum = q.resolver_address_zeroed ? UdpChecksum.ERROR : udpChecksumOfPackets(q.response_packet);
    if (this.#o.zeroResolverAddress) zeroResolver(q);
    this.#emit(q, sec, nsec);
  }

  /**
   * The raw path for a whole UDP datagram: queries are copied into the table, answers and
   * unsolicited responses are encoded from the capture buffer and the table. Returns false (having
   * changed nothing) when the response answers a query kept as an object, which the object path
   * then handles.
   */
  #udpRaw(
    d: Datagram,
    sport: number,
    dport: number,
    id: number,
    flags: number,
    qd: number,
    isResponse: boolean,
    sec: number,
    nsec: number,
  ): boolean {
    // times beyond 2^53 s (a crafted pcapng offset or resolution): protobufjs's int64 rules, on the object path
    if (sec > Number.MAX_SAFE_INTEGER) return false;
    const b = d.buf;
    const p = d.payload;
    const len = d.payloadLen;
    let nlen = -1;
    let qtype = 0;
    let qclass = 0;
    if (qd === 1 && len > 12) {
      nlen = skipName(b, p + 12, p + len) - (p + 12);
      if (len - 12 - nlen < 4) {
        this.stats.malformedDns++;
        return true;
      }
      const qe = p + 12 + nlen;
      qtype = (b[qe]! << 8) | b[qe + 1]!;
      qclass = (b[qe + 2]! << 8) | b[qe + 3]!;
    }
    const n = d.addrLen;
    const t = this.#pending;
    const st = this.stats;
    if (!isResponse) {
      st.udpQueries++;
      t.insertPacket(b, d.net, d.end, d.src, d.dst, n, p + 12, nlen, qtype, qclass, IpProto.UDP, sport, dport, id, sec, nsec);
      if (++st.pending > st.pendingMax) st.pendingMax = st.pending;
      return true;
    }
    const rcode = flags & 0xf;
    const s = t.find(b, d.dst, b, d.src, n, IpProto.UDP, dport, sport, id, b, p + 12, nlen, qtype, qclass, rcode);
    if (s >= 0 && t.isObject(s)) return false;
    st.udpResponses++;
    const e = this.#enc;
    e.reset(s < 0 ? DnsQRType.UDP_UNSOLICITED_RESPONSE : DnsQRType.UDP_QUERY_RESPONSE, IpProto.UDP, dport, sport, id);
    e.setAddresses(b, d.dst, d.src, n);
    if (nlen >= 0) e.setQuestion(b, p + 12, nlen, qtype, qclass);
    e.rcode = rcode;
    e.setResponse(b, d.net, d.end - d.net, sec, nsec);
    e.udpChecksum = udpChecksumOf(d);
    if (s < 0) {
      e.finish();
      st.unsolicited++;
      this.#raw!(e, sec, nsec);
      return true;
    }
    const qsec = t.sec(s);
    const qnsec = t.nsec(s);
    // a response without a question takes the query's
    this.#setQuery(e, s, nlen < 0);
    e.finish();
    // the slot's bytes stay readable until the next insert
    this.#removed(s);
    st.queryResponse++;
    this.#raw!(e, qsec, qnsec);
    return true;
  }

  /** The query of slot s into the encoding: its datagram and times, and its question when `question`. */
  #setQuery(e: DnsqrEncoding, s: number, question: boolean): void {
    const t = this.#pending;
    const ar = t.arena;
    if (question && t.field(s, Slot.nameLen) >= 0)
      e.setQuestion(ar, t.at(s, Slot.name), t.field(s, Slot.nameLen), t.field(s, Slot.qtype), t.field(s, Slot.qclass));
    e.setQuery(ar, t.field(s, Slot.packet), t.field(s, Slot.packetLen), t.sec(s), t.nsec(s));
  }

  // ---- the table of waiting queries

  #insert(q: DnsQR): void {
    this.#pending.insertObject(q);
    const st = this.stats;
    if (++st.pending > st.pendingMax) st.pendingMax = st.pending;
  }

  #removed(s: number): void {
    this.#pending.remove(s);
    this.stats.pending--;
  }

  #retrieve(r: DnsQR, rcode: number): DnsQR | undefined {
    const t = this.#pending;
    const nm = r.qname;
    const s = t.find(
      r.query_ip,
      0,
      r.response_ip,
      0,
      r.query_ip.length,
      r.proto,
      r.query_port,
      r.response_port,
      r.id,
      nm ?? EMPTY,
      0,
      nm === undefined ? -1 : nm.length,
      r.qtype ?? 0,
      r.qclass ?? 0,
      rcode,
    );
    if (s < 0) return undefined;
    const q = t.object(s) ?? this.#materialize(s);
    this.#removed(s);
    return q;
  }

  /** A query of the table as the message the object path would have kept (its own copy of the datagram). */
  #materialize(s: number): DnsQR {
    const t = this.#pending;
    const off = t.field(s, Slot.packet);
    const own = t.arena.slice(off, off + t.field(s, Slot.packetLen));
    const q = newQR(
      DnsQRType.UDP_UNANSWERED_QUERY,
      t.field(s, Slot.proto),
      t.field(s, Slot.queryPort),
      t.field(s, Slot.responsePort),
      t.field(s, Slot.id),
    );
    const a = t.field(s, Slot.addrLen);
    q.query_ip = own.subarray(t.at(s, Slot.queryIp) - off, t.at(s, Slot.queryIp) - off + a);
    q.response_ip = own.subarray(t.at(s, Slot.responseIp) - off, t.at(s, Slot.responseIp) - off + a);
    const nlen = t.field(s, Slot.nameLen);
    if (nlen >= 0) {
      q.qname = own.subarray(t.at(s, Slot.name) - off, t.at(s, Slot.name) - off + nlen);
      q.qtype = t.field(s, Slot.qtype);
      q.qclass = t.field(s, Slot.qclass);
    }
    setQuery(q, [own], [t.sec(s)], [t.nsec(s)]);
    return q;
  }

  /** Emit queries that waited too long (or all of them, at the end). */
  #trim(all = false): void {
    const t = this.#pending;
    for (;;) {
      const s = t.oldest();
      if (s < 0) break;
      const qsec = t.sec(s);
      const qnsec = t.nsec(s);
      if (!all && this.stats.pending <= this.#max && this.#nowSec - qsec <= this.#timeout) break;
      let ts = this.#nowSec - qsec;
      let tn = this.#nowNsec - qnsec;
      if (tn < 0) {
        ts -= 1;
        tn += 1e9;
      }
      const timeout = ts + tn / 1e9;
      if (!t.isObject(s) && this.#raw !== undefined) {
        const e = this.#enc;
        e.reset(
          DnsQRType.UDP_UNANSWERED_QUERY,
          t.field(s, Slot.proto),
          t.field(s, Slot.queryPort),
          t.field(s, Slot.responsePort),
          t.field(s, Slot.id),
        );
        e.setAddresses(t.arena, t.at(s, Slot.queryIp), t.at(s, Slot.responseIp), t.field(s, Slot.addrLen));
        this.#setQuery(e, s, true);
        e.timeout = timeout;
        e.finish();
        this.#removed(s);
        this.stats.unanswered++;
        this.#raw(e, qsec, qnsec);
        continue;
      }
      const q = t.object(s) ?? this.#materialize(s);
      this.#removed(s);
      q.timeout = timeout;
      if (this.#filtered(q)) {
        this.stats.filtered++;
        continue;
      }
      this.stats.unanswered++;
      this.#out(q, qsec, qnsec);
    }
  }

  // ---- filters (dnsqr's environment knobs)

  #filtered(q: DnsQR): boolean {
    const rd = this.#o.captureRd;
    if (rd !== undefined && q.query_packet.length > 0) {
      const flags = queryFlags(q.query_packet[0]!, this.#inner);
      if (flags >= 0 && ((flags >> 8) & 1) !== rd) return true;
    }
    return this.#nameFiltered(q);
  }

  #rdFiltered(flags: number): boolean {
    const rd = this.#o.captureRd;
    return rd !== undefined && ((flags >> 8) & 1) !== rd;
  }

  #nameFiltered(q: DnsQR): boolean {
    if (!q.qname || (!this.#include && !this.#exclude)) return false;
    const name = lowerName(q.qname);
    if (this.#include) {
      if (!suffixIn(name, this.#include)) return true;
    }
    return this.#exclude !== undefined && suffixIn(name, this.#exclude);
  }
}

function setQuery(q: DnsQR, packets: Uint8Array[], secs: number[], nsecs: number[]): void {
  q.query_packet = packets;
  q.query_time_sec = secs;
  q.query_time_nsec = nsecs;
}

function setResponse(q: DnsQR, packets: Uint8Array[], secs: number[], nsecs: number[]): void {
  q.response_packet = packets;
  q.response_time_sec = secs;
  q.response_time_nsec = nsecs;
}

/** A DnsQR with its required fields set and no packets. */
function newQR(type: number, proto: number, queryPort: number, responsePort: number, id: number): DnsQR {
  return {
    type,
    query_ip: EMPTY,
    response_ip: EMPTY,
    proto,
    query_port: queryPort,
    response_port: responsePort,
    id,
    query_packet: [],
    query_time_sec: [],
    query_time_nsec: [],
    response_packet: [],
    response_time_sec: [],
    response_time_nsec: [],
  };
}

function passThrough(type: number, proto: number, field: "tcp" | "icmp", pkt: Uint8Array): DnsQR {
  const q = newQR(type, proto, 0, 0, 0);
  q[field] = pkt;
  return q;
}

function queryFlags(pkt: Uint8Array, d: Datagram): number {
  if (parseIp(d, pkt, 0, pkt.length) !== IpReject.NONE || d.trans < 0 || d.payloadLen < 12) return -1;
  return (pkt[d.payload + 2]! << 8) | pkt[d.payload + 3]!;
}

function zeroResolver(q: DnsQR): void {
  if (q.query_packet.length > 0 || q.response_packet.length > 0) q.resolver_address_zeroed = true;
  q.query_ip = new Uint8Array(q.query_ip.length);
  // the resolver is the query's source and the response's destination
  for (const p of q.query_packet) zeroAddr(p, true);
  for (const p of q.response_packet) zeroAddr(p, false);
}

function zeroAddr(p: Uint8Array, src: boolean): void {
  const v = p.length > 0 ? p[0]! >> 4 : 0;
  if (v === 4 && p.length >= 20) p.fill(0, src ? 12 : 16, src ? 16 : 20);
  else if (v === 6 && p.length >= 40) p.fill(0, src ? 8 : 24, src ? 24 : 40);
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function lowerName(n: Uint8Array): Uint8Array {
  const out = n.slice();
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    if (c >= 0x41 && c <= 0x5a) out[i] = c | 0x20;
  }
  return out;
}

/** Whether the wire name or any name above it is in `set` (label by label, as wdns_left_chop does). */
function suffixIn(name: Uint8Array, set: Set<string>): boolean {
  let p = 0;
  for (;;) {
    if (set.has(latin1(name.subarray(p)))) return true;
    const c = name[p];
    if (c === undefined || c === 0 || c >= 0xc0) return false;
    p += c + 1;
  }
}
