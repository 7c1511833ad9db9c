/**
 * nmsg-dns-cache's engine: base/dnsqr messages in, SIE/dnsdedupe records out. Each answered
 * response is parsed and split into RRsets, judged by the bailiwick checker (which learns the zone
 * hierarchy from what it accepts), and counted in the FIFO de-duplication cache. DNS over TCP is
 * reassembled from the TCP messages' segments.
 */
import { Datagram, IpProto, IpReject, parseIp, Reassembler, TcpDnsReassembler } from "@dnsrep/capture";
import type { DnsDedupe, DnsQR } from "@dnsrep/nmsg";
import { copyInto } from "@dnsrep/util";
import { isWdnsError, parseMessage } from "@dnsrep/wdns";
import { BailiwickChecker, type BailiwickOptions, RejectReason } from "./bailiwick.js";
import { DedupeCache, type DedupeCacheOptions } from "./cache.js";
import { dedupeKeyLength, keyRestLength, putDedupeKey, putKeyRest } from "./dedupe-key.js";
import { DnsqrFields, scanDnsqr } from "./dnsqr-wire.js";
import { LeanResponse } from "./lean-response.js";
import { addrKey } from "./names.js";
import { ZoneCache } from "./zones.js";

const RRSETS_ONLY = { rrs: false };

export interface DnsCacheOptions extends BailiwickOptions, DedupeCacheOptions {
  /** the zone hierarchy to start from (default: the IANA root hints) */
  zones?: ZoneCache;
  /** examine DNS over TCP (reassembled from TCP messages; default true) */
  tcp?: boolean;
  /** judge the common response without a wdns Message (default true; false: always the full path, for comparison) */
  lean?: boolean;
}

export interface DnsCacheStats {
  /** dnsqr messages seen */
  messages: number;
  /** DNS responses examined (UDP answered, TCP reassembled) */
  responses: number;
  /** responses with at least one accepted RRset */
  responsesUsed: number;
  /** RRsets examined and accepted */
  rrsets: number;
  accepted: number;
  /** RRsets (or, for UNSOLICITED, responses) rejected, by reason */
  rejected: Record<RejectReason, number>;
  /** dnsqr messages with no response to examine (unanswered queries, ICMP) */
  ignored: number;
}

export class DnsCache {
  readonly stats: DnsCacheStats = {
    messages: 0,
    responses: 0,
    responsesUsed: 0,
    rrsets: 0,
    accepted: 0,
    ignored: 0,
    rejected: Object.fromEntries(Object.values(RejectReason).map((r) => [r, 0])) as Record<RejectReason, number>,
  };
  readonly zones: ZoneCache;
  readonly cache: DedupeCache;
  readonly #checker: BailiwickChecker;
  readonly #d = new Datagram();
  readonly #tcp: TcpDnsReassembler;
  readonly #frags = new Reassembler({ maxDatagrams: 64 });
  readonly #useTcp: boolean;
  #tcpSec = 0;
  readonly #fields = new DnsqrFields();
  readonly #lean: LeanResponse | undefined;

  constructor(emit: (d: DnsDedupe, sec: number, nsec: number) => void, opts: DnsCacheOptions = {}) {
    this.zones = opts.zones ?? ZoneCache.withRootHints();
    this.#checker = new BailiwickChecker(this.zones, opts);
    this.cache = new DedupeCache(emit, opts);
    this.#useTcp = opts.tcp ?? true;
    // the fast path takes only responses without RD, which the recursive option does not concern
    if (opts.lean !== false) this.#lean = new LeanResponse();
    this.#tcp = new TcpDnsReassembler((m) => {
      if (!m.toServer) this.response(m.message, m.serverIp, m.sec, m.nsec);
    });
  }

  /** Feed one base/dnsqr message. */
  dnsqr(q: DnsQR): void {
    this.stats.messages++;
    switch (q.type) {
      case 1: {
        // UDP_QUERY_RESPONSE: the response datagram (or its fragments)
        const dns = this.#udpPayload(q.response_packet, q.response_time_sec, q.response_time_nsec);
        const n = q.response_time_sec.length - 1;
        if (!dns) {
          this.stats.responses++;
          this.stats.rejected.malformed++;
          return;
        }
        this.response(dns, q.response_ip, q.response_time_sec[n] ?? 0, q.response_time_nsec[n] ?? 0);
        return;
      }
      case 3:
        this.stats.responses++;
        this.stats.rejected.unsolicited++;
        return;
      case 4: {
        if (!q.tcp || !this.#useTcp) {
          this.stats.ignored++;
          return;
        }
        const d = this.#d;
        if (parseIp(d, q.tcp, 0, q.tcp.length) !== IpReject.NONE) return;
        // TCP messages carry no per-segment time in the protobuf: the time is the nmsg payload's
        // (dnsqrAt)
        this.#tcp.add(d, this.#tcpSec, 0);
        return;
      }
      default:
        this.stats.ignored++;
    }
  }

  /**
   * Feed an encoded base/dnsqr message without decoding it, when it is an answered UDP query with
   * one response datagram (most are): true when it was taken; false when the caller must decode
   * it and feed the object (dnsqrAt), which also handles every other kind and malformed messages.
   */
  dnsqrBytes(b: Uint8Array): boolean {
    const f = this.#fields;
    if (!scanDnsqr(b, f)) return false;
    this.stats.messages++;
    const d = this.#d;
    const p = f.responsePacket;
    if (parseIp(d, p, 0, p.length) !== IpReject.NONE || d.proto !== IpProto.UDP || d.trans < 0 || d.isFragment) {
      this.stats.responses++;
      this.stats.rejected.malformed++;
      return true;
    }
    this.response(p.subarray(d.payload, d.payload + d.payloadLen), f.responseIp, f.sec, f.nsec, f.zone);
    return true;
  }

  /** Feed a dnsqr message with the time of its nmsg payload (used for TCP segments). */
  dnsqrAt(q: DnsQR, sec: number): void {
    this.#tcpSec = sec;
    this.dnsqr(q);
  }

  /**
   * Examine one DNS response (wire bytes) from `server` (4 or 16 address bytes) received at
   * sec/nsec; `zone` is the resolver's own bailiwick for it when the input says (dnstap's
   * query_zone): see BailiwickChecker.check.
   */
  response(wire: Uint8Array, server: Uint8Array, sec: number, nsec: number, zone: Uint8Array | null = null): void {
    if (this.#lean !== undefined && this.#leanResponse(this.#lean, wire, server, sec, nsec)) return;
    const st = this.stats;
    st.responses++;
    let msg: ReturnType<typeof parseMessage>;
    try {
      msg = parseMessage(wire, RRSETS_ONLY);
    } catch (e) {
      if (!isWdnsError(e)) throw e;
      st.rejected.malformed++;
      return;
    }
    if (!(msg.flags & 0x8000)) {
      st.ignored++;
      return;
    }
    const v = this.#checker.check(msg, addrKey(server), zone);
    if (v.rejectedCount > 0)
      for (const r in v.rejected) {
        const n = v.rejected[r as RejectReason]!;
        st.rejected[r as RejectReason] += n;
        st.rrsets += n;
      }
    if (v.accepted.length === 0) return;
    st.responsesUsed++;
    const aa = (msg.flags & 0x0400) !== 0;
    for (const a of v.accepted) {
      st.rrsets++;
      st.accepted++;
      const r = a.rrset;
      const n = dedupeKeyLength(r.name, a.bailiwick, r.rdatas);
      // the owner's wire bytes: downcased by the check (a.owner is their key)
      putDedupeKey(this.cache.keyBuffer(n), r.name, a.bailiwick, r.rrtype, r.rrclass, r.rdatas);
      this.cache.observeBuffered(n, r.rrttl, server, sec, nsec, aa && r.rrtype === 6);
    }
  }

  /**
   * The common case without a wdns Message (see lean-response.ts): false, with nothing changed, when the
   * response is anything else. The same steps as response() with BailiwickChecker.check.
   */
  #leanResponse(l: LeanResponse, wire: Uint8Array, server: Uint8Array, sec: number, nsec: number): boolean {
    if (!l.scan(wire)) return false;
    const zones = this.zones;
    const zone = zones.servedZone(l.qnameKey(), addrKey(server));
    if (zone === undefined) return false;
    const out = l.judge(zone);
    // learning, as the check does: delegations first, so that their glue counts
    const names = l.names;
    for (let i = 0; i < l.count; i++) {
      const s = l.sets[i]!;
      if (s.accepted && s.type === 2 && s.cls === 1) zones.learnNSRdata(l.ownerKey(i), s.rdatas);
    }
    for (let i = 0; i < l.count; i++) {
      const s = l.sets[i]!;
      const t = s.type;
      if (!s.accepted || s.cls !== 1 || (t !== 1 && t !== 28) || !zones.mayServe(names, s.at, s.len)) continue;
      const owner = l.ownerKey(i);
      for (const rd of s.rdatas) if (rd.length === (t === 1 ? 4 : 16)) zones.learnAddress(owner, addrKey(rd));
    }
    const st = this.stats;
    st.responses++;
    if (out > 0) {
      st.rejected.out_of_bailiwick += out;
      st.rrsets += out;
    }
    if (out === l.count) return true;
    st.responsesUsed++;
    const aa = (l.flags & 0x0400) !== 0;
    const cache = this.cache;
    for (let i = 0; i < l.count; i++) {
      const s = l.sets[i]!;
      if (!s.accepted) continue;
      st.rrsets++;
      st.accepted++;
      // the key (see putDedupeKey) straight from the names arena
      const n = s.len + keyRestLength(zone, s.rdatas);
      const k = cache.keyBuffer(n);
      putKeyRest(k, copyInto(k, 0, names, s.at, s.len), zone, s.type, s.cls, s.rdatas);
      cache.observeBuffered(n, s.ttl, server, sec, nsec, aa && s.type === 6);
    }
    return true;
  }

  /** End of input or shutdown: every cached RRset is reported. */
  flush(): void {
    this.cache.flush();
  }

  /** The UDP payload of a response datagram, reassembling fragments; null if there is none. */
  #udpPayload(packets: readonly Uint8Array[], secs: readonly number[], nsecs: readonly number[]): Uint8Array | null {
    const d = this.#d;
    if (packets.length === 1) {
      const p = packets[0]!;
      if (parseIp(d, p, 0, p.length) !== IpReject.NONE || d.proto !== IpProto.UDP || d.trans < 0 || d.isFragment) return null;
      return p.subarray(d.payload, d.payload + d.payloadLen);
    }
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      if (parseIp(d, p, 0, p.length) !== IpReject.NONE || !d.isFragment) return null;
      const whole = this.#frags.add(d, secs[i] ?? 0, nsecs[i] ?? 0);
      if (whole) {
        if (parseIp(d, whole.datagram, 0, whole.datagram.length) !== IpReject.NONE || d.proto !== IpProto.UDP || d.trans < 0) return null;
        return whole.datagram.subarray(d.payload, d.payload + d.payloadLen);
      }
    }
    return null;
  }
}
