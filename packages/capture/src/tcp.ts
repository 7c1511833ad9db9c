/**
 * DNS over TCP: reassemble each connection's byte streams and cut them into the length-prefixed
 * DNS messages they carry (RFC 1035 4.2.2, RFC 7766), however the messages fall across segments:
 * one message in several segments, several messages in one segment, retransmissions and
 * out-of-order segments. Bounded: a fixed number of connections (oldest evicted), a cap on
 * buffered bytes per direction, idle connections dropped after a timeout.
 */

import { copyBytes } from "@dnsrep/util";
import { type Datagram, IpProto } from "./ip.js";

export interface TcpDnsMessage {
  /** one DNS message (without its length prefix); a private copy */
  message: Uint8Array;
  /** true for client → server (a query), false for server → client */
  toServer: boolean;
  clientIp: Uint8Array;
  serverIp: Uint8Array;
  clientPort: number;
  serverPort: number;
  /** capture time of the segment that completed the message */
  sec: number;
  nsec: number;
}

export interface TcpDnsOptions {
  /** server ports (default 53) */
  ports?: readonly number[];
  maxStreams?: number;
  /** most bytes waiting in one direction (a DNS message is at most 65537 with its prefix) */
  maxBuffered?: number;
  timeoutSec?: number;
}

export interface TcpDnsStats {
  segments: number;
  messages: number;
  /** connections dropped because the table was full or a direction overflowed */
  evicted: number;
  /** connections dropped after the idle timeout */
  timedOut: number;
  /** segments whose data could not be placed (too far ahead, or in a stream whose SYN was not seen) */
  gaps: number;
}

interface Dir {
  /** next expected sequence number; undefined until the SYN */
  next: number | undefined;
  /** in-order bytes not yet cut into messages */
  buf: Uint8Array;
  len: number;
  /** segments that arrived ahead of `next` */
  ahead: Map<number, Uint8Array>;
}

interface Conn {
  c2s: Dir;
  s2c: Dir;
  clientIp: Uint8Array;
  serverIp: Uint8Array;
  clientPort: number;
  serverPort: number;
  lastSec: number;
  fin: number;
}

const MAX_AHEAD = 64;

const newDir = (): Dir => ({ next: undefined, buf: new Uint8Array(512), len: 0, ahead: new Map() });

export class TcpDnsReassembler {
  readonly stats: TcpDnsStats = { segments: 0, messages: 0, evicted: 0, timedOut: 0, gaps: 0 };
  readonly #emit: (m: TcpDnsMessage) => void;
  readonly #ports: Set<number>;
  readonly #maxStreams: number;
  readonly #maxBuffered: number;
  readonly #timeout: number;
  readonly #conns = new Map<string, Conn>();

  constructor(emit: (m: TcpDnsMessage) => void, opts: TcpDnsOptions = {}) {
    this.#emit = emit;
    this.#ports = new Set(opts.ports ?? [53]);
    this.#maxStreams = opts.maxStreams ?? 4096;
    this.#maxBuffered = opts.maxBuffered ?? 4 * 65538;
    this.#timeout = opts.timeoutSec ?? 60;
  }

  /** connections being followed */
  get connections(): number {
    return this.#conns.size;
  }

  /** Feed a TCP datagram (parsed by parseIp). Segments not on a server port are ignored. */
  add(d: Datagram, sec: number, nsec: number): void {
    if (d.proto !== IpProto.TCP || d.trans < 0) return;
    const b = d.buf;
    const t = d.trans;
    const sport = (b[t]! << 8) | b[t + 1]!;
    const dport = (b[t + 2]! << 8) | b[t + 3]!;
    const toServer = this.#ports.has(dport);
    if (!toServer && !this.#ports.has(sport)) return;
    this.stats.segments++;
    this.#expire(sec);
    const n = d.addrLen;
    const cIp = toServer ? d.src : d.dst;
    const sIp = toServer ? d.dst : d.src;
    let key = String.fromCharCode(toServer ? sport : dport, toServer ? dport : sport);
    for (let i = 0; i < n; i++) key += String.fromCharCode((b[cIp + i]! << 8) | b[sIp + i]!);
    const flags = b[t + 13]!;
    const seq = ((b[t + 4]! << 24) | (b[t + 5]! << 16) | (b[t + 6]! << 8) | b[t + 7]!) >>> 0;
    let c = this.#conns.get(key);
    if (!c) {
      if (flags & 0x04) return; // RST for a connection we never saw
      c = {
        c2s: newDir(),
        s2c: newDir(),
        clientIp: copyBytes(b.subarray(cIp, cIp + n)),
        serverIp: copyBytes(b.subarray(sIp, sIp + n)),
        clientPort: toServer ? sport : dport,
        serverPort: toServer ? dport : sport,
        lastSec: sec,
        fin: 0,
      };
      this.#conns.set(key, c);
      while (this.#conns.size > this.#maxStreams) this.#evictOldest();
    } else {
      // keep the map in last-activity order, so the oldest idle connection is first
      this.#conns.delete(key);
      this.#conns.set(key, c);
      c.lastSec = sec;
    }
    const dir = toServer ? c.c2s : c.s2c;
    let dataSeq = seq;
    if (flags & 0x02) {
      // SYN takes one sequence number
      dir.next = (seq + 1) >>> 0;
      dataSeq = dir.next;
    }
    if (d.payloadLen > 0) {
      // without the SYN, message boundaries are unknown: a stream joined midway is not cut
      if (dir.next === undefined) this.stats.gaps++;
      else this.#data(c, dir, toServer, b.subarray(d.payload, d.payload + d.payloadLen), dataSeq, sec, nsec);
    }
    if (!this.#conns.has(key)) return;
    if (flags & 0x04 || (flags & 0x01 && ++c.fin >= 2)) this.#conns.delete(key);
  }

  #data(c: Conn, dir: Dir, toServer: boolean, data: Uint8Array, seq: number, sec: number, nsec: number): void {
    const next = dir.next!;
    let rel = (seq - next) | 0;
    if (rel > 0) {
      // ahead of what we have: hold it until the hole fills
      if (dir.ahead.size >= MAX_AHEAD) {
        this.stats.gaps++;
        return;
      }
      dir.ahead.set(seq, copyBytes(data));
      return;
    }
    if (-rel >= data.length) return; // a retransmission of bytes we already have
    this.#append(dir, data.subarray(-rel));
    if (dir.len > this.#maxBuffered) {
      this.#drop(c);
      return;
    }
    // segments that were waiting for this one
    for (let moved = true; moved && dir.ahead.size > 0; ) {
      moved = false;
      for (const [s, bytes] of dir.ahead) {
        rel = (s - dir.next!) | 0;
        if (rel > 0) continue;
        dir.ahead.delete(s);
        if (-rel < bytes.length) this.#append(dir, bytes.subarray(-rel));
        moved = true;
      }
    }
    this.#cut(c, dir, toServer, sec, nsec);
  }

  #append(dir: Dir, bytes: Uint8Array): void {
    if (dir.len + bytes.length > dir.buf.length) {
      let cap = dir.buf.length * 2;
      while (cap < dir.len + bytes.length) cap *= 2;
      const nb = new Uint8Array(cap);
      nb.set(dir.buf.subarray(0, dir.len));
      dir.buf = nb;
    }
    dir.buf.set(bytes, dir.len);
    dir.len += bytes.length;
    dir.next = (dir.next! + bytes.length) >>> 0;
  }

  /** Emit every whole length-prefixed message at the front of the buffer. */
  #cut(c: Conn, dir: Dir, toServer: boolean, sec: number, nsec: number): void {
    let p = 0;
    const b = dir.buf;
    while (dir.len - p >= 2) {
      const mlen = (b[p]! << 8) | b[p + 1]!;
      if (dir.len - p - 2 < mlen) break;
      this.stats.messages++;
      this.#emit({
        message: b.slice(p + 2, p + 2 + mlen),
        toServer,
        clientIp: c.clientIp,
        serverIp: c.serverIp,
        clientPort: c.clientPort,
        serverPort: c.serverPort,
        sec,
        nsec,
      });
      p += 2 + mlen;
    }
    if (p > 0) {
      b.copyWithin(0, p, dir.len);
      dir.len -= p;
    }
  }

  #expire(now: number): void {
    for (const [k, c] of this.#conns) {
      if (now - c.lastSec <= this.#timeout) break;
      this.#conns.delete(k);
      this.stats.timedOut++;
    }
  }

  #evictOldest(): void {
    const first = this.#conns.keys().next();
    if (first.done) return;
    this.#conns.delete(first.value);
    this.stats.evicted++;
  }

  #drop(c: Conn): void {
    for (const [k, v] of this.#conns) {
      if (v !== c) continue;
      this.#conns.delete(k);
      this.stats.evicted++;
      return;
    }
  }
}
