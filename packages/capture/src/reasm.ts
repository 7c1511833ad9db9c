/**
 * IP fragment reassembly with bounded memory: at most `maxDatagrams` datagrams in progress and
 * `maxBytes` of fragment data; the oldest is evicted first; datagrams older than `timeoutSec`
 * (capture time) are dropped. Overlapping fragments invalidate their datagram (a classic evasion
 * and poisoning trick), as do datagrams that would exceed 65535 bytes.
 */

import { copyBytes } from "@dnsrep/util";
import type { Datagram } from "./ip.js";

export interface ReasmOptions {
  timeoutSec?: number;
  maxDatagrams?: number;
  maxBytes?: number;
  maxFragments?: number;
}

export interface Fragment {
  /** the fragment's own IP datagram (header + fragment data), a private copy */
  packet: Uint8Array;
  sec: number;
  nsec: number;
  /** offset of the fragment data in the reassembled payload, and its length */
  offset: number;
  length: number;
}

export interface Reassembled {
  /** the whole reassembled IP datagram */
  datagram: Uint8Array;
  /** its fragments in payload order */
  fragments: Fragment[];
}

export interface ReasmStats {
  fragments: number;
  reassembled: number;
  timedOut: number;
  evicted: number;
  invalid: number;
}

interface Entry {
  frags: Fragment[];
  /** total payload length, known once the last fragment arrived */
  total: number;
  bytes: number;
  startSec: number;
  /** header of the offset-0 fragment */
  first: Fragment | undefined;
  firstHeaderLen: number;
  fragHdrRel: number;
  fragNextRel: number;
}

const MAX_IP = 65535;

export class Reassembler {
  readonly stats: ReasmStats = { fragments: 0, reassembled: 0, timedOut: 0, evicted: 0, invalid: 0 };
  readonly #timeout: number;
  readonly #maxDatagrams: number;
  readonly #maxBytes: number;
  readonly #maxFragments: number;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(opts: ReasmOptions = {}) {
    this.#timeout = opts.timeoutSec ?? 60;
    this.#maxDatagrams = opts.maxDatagrams ?? 8192;
    this.#maxBytes = opts.maxBytes ?? 64 << 20;
    this.#maxFragments = opts.maxFragments ?? 128;
  }

  /** datagrams in progress */
  get pending(): number {
    return this.#entries.size;
  }

  /** Add the fragment `d` (parsed by parseIp, isFragment set). Returns the datagram once complete. */
  add(d: Datagram, sec: number, nsec: number): Reassembled | null {
    this.stats.fragments++;
    this.#expire(sec);
    const buf = d.buf;
    const hdrEnd = d.net + d.headerLen + (d.v6 ? 8 : 0);
    const dataLen = d.ipEnd - hdrEnd;
    if (dataLen < 0 || d.fragOffset + dataLen > MAX_IP || (d.moreFragments && dataLen % 8 !== 0)) {
      this.stats.invalid++;
      return null;
    }
    const key = this.#key(d);
    let e = this.#entries.get(key);
    if (!e) {
      e = { frags: [], total: -1, bytes: 0, startSec: sec, first: undefined, firstHeaderLen: 0, fragHdrRel: 0, fragNextRel: 0 };
      this.#entries.set(key, e);
      while (this.#entries.size > this.#maxDatagrams) this.#evictOldest();
    }
    const frag: Fragment = { packet: copyBytes(buf.subarray(d.net, d.ipEnd)), sec, nsec, offset: d.fragOffset, length: dataLen };
    // insert in offset order; overlap (including duplicates) invalidates the datagram
    let i = e.frags.length;
    while (i > 0 && e.frags[i - 1]!.offset > frag.offset) i--;
    const prev = e.frags[i - 1];
    const next = e.frags[i];
    if (
      (prev && prev.offset + prev.length > frag.offset) ||
      (next && frag.offset + frag.length > next.offset) ||
      e.frags.length >= this.#maxFragments
    ) {
      this.#drop(key, e);
      this.stats.invalid++;
      return null;
    }
    if (!d.moreFragments) {
      if (e.total >= 0) {
        this.#drop(key, e);
        this.stats.invalid++;
        return null;
      }
      e.total = d.fragOffset + dataLen;
    }
    if (d.fragOffset === 0) {
      e.first = frag;
      e.firstHeaderLen = d.headerLen;
      e.fragHdrRel = d.fragHdr - d.net;
      e.fragNextRel = d.fragNextPtr - d.net;
    }
    e.frags.splice(i, 0, frag);
    e.bytes += frag.packet.length;
    this.#bytes += frag.packet.length;
    while (this.#bytes > this.#maxBytes && this.#entries.size > 0) this.#evictOldest();
    if (!this.#entries.has(key)) return null;
    if (e.total < 0 || !e.first) return null;
    const last = e.frags[e.frags.length - 1]!;
    if (last.offset + last.length !== e.total) {
      // data beyond the final fragment's end
      if (last.offset + last.length > e.total) {
        this.#drop(key, e);
        this.stats.invalid++;
      }
      return null;
    }
    let covered = 0;
    for (const f of e.frags) {
      if (f.offset !== covered) return null;
      covered += f.length;
    }
    this.#drop(key, e);
    this.stats.reassembled++;
    return { datagram: assemble(e, d.v6), fragments: e.frags };
  }

  #key(d: Datagram): string {
    const b = d.buf;
    const n = d.addrLen;
    let k = d.v6 ? "6" : `4${d.proto}`;
    for (let i = 0; i < n; i++) k += String.fromCharCode(b[d.src + i]!, b[d.dst + i]!);
    return `${k}/${d.fragId}`;
  }

  #expire(now: number): void {
    for (const [k, e] of this.#entries) {
      if (now - e.startSec <= this.#timeout) break;
      this.#drop(k, e);
      this.stats.timedOut++;
    }
  }

  #evictOldest(): void {
    const first = this.#entries.entries().next();
    if (first.done) return;
    this.#drop(first.value[0], first.value[1]);
    this.stats.evicted++;
  }

  #drop(k: string, e: Entry): void {
    this.#entries.delete(k);
    this.#bytes -= e.bytes;
  }
}

function assemble(e: Entry, v6: boolean): Uint8Array {
  const first = e.first!;
  const hl = e.firstHeaderLen;
  const out = new Uint8Array(hl + e.total);
  out.set(first.packet.subarray(0, hl), 0);
  for (const f of e.frags) out.set(f.packet.subarray(f.packet.length - f.length), hl + f.offset);
  if (!v6) {
    const total = hl + e.total;
    out[2] = total >> 8;
    out[3] = total & 0xff;
    out[6] = 0;
    out[7] = 0;
    // header checksum
    out[10] = 0;
    out[11] = 0;
    let s = 0;
    for (let i = 0; i < hl; i += 2) s += (out[i]! << 8) | out[i + 1]!;
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    s = ~s & 0xffff;
    out[10] = s >> 8;
    out[11] = s & 0xff;
  } else {
    // drop the fragment header: the byte that named it now names what it carried
    out[e.fragNextRel] = first.packet[e.fragHdrRel]!;
    const plen = hl - 40 + e.total;
    out[4] = plen >> 8;
    out[5] = plen & 0xff;
  }
  return out;
}
