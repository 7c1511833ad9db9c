/**
 * The common case of a response, judged without building a wdns Message: an answer (QR) to one
 * question, not truncated, not recursive, rcode NOERROR or NXDOMAIN, from a server known to serve
 * a zone above the question. The response is parsed with wdns's own pieces (unpackNameInto,
 * parseRdata: the same errors) into reused structures — owner names in one byte arena, RRsets in
 * a pool — then the RRsets are downcased, sorted and judged exactly as parseMessage,
 * downcaseRRset, sortRRset and BailiwickChecker.check would. Anything else (a malformed message,
 * a whole-response rejection, an extended rcode, too many RRs for the arena) makes scan() return
 * false before any state has changed, and the caller takes the full path.
 */
import {
  downcaseNameInPlace,
  downcaseRdatas,
  isWdnsError,
  parseRdata,
  sameNameAt,
  sortRdatas,
  unpacked,
  unpackNameInto,
} from "@dnsrep/wdns";
import { atOrBelowAt, keyAt } from "./names.js";

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

/** one RRset of the response: its owner is names[at, at + len) */
export class LeanSet {
  sec = 0;
  at = 0;
  len = 0;
  type = 0;
  cls = 0;
  ttl = 0;
  rdatas: Uint8Array[] = [];
  /** judged in bailiwick */
  accepted = false;
}

const ROOM = 256; // MAXLEN_NAME + 1: what unpackNameInto may write

export class LeanResponse {
  /** owner names (and the question's at 0) */
  readonly names = new Uint8Array(1 << 16);
  qLen = 0;
  flags = 0;
  /** the RRsets found, in message order: sets[0, count) */
  count = 0;
  readonly sets: LeanSet[] = [];

  /** Parse `wire` if it is the common case (see the file's comment); false leaves nothing to undo. */
  scan(wire: Uint8Array): boolean {
    const len = wire.length;
    if (len < 12) return false;
    const flags = u16(wire, 2);
    // an answer; not truncated; not from a recursive resolver; NOERROR or NXDOMAIN; one question
    if (!(flags & 0x8000) || flags & 0x0300) return false;
    const rcode = flags & 0xf;
    if ((rcode !== 0 && rcode !== 3) || u16(wire, 4) !== 1 || len === 12) return false;
    this.flags = flags;
    const names = this.names;
    this.count = 0;
    try {
      this.qLen = unpackNameInto(wire, len, 12, names, 0);
      let pos = this.qLen;
      let p = unpacked.wireEnd;
      if (p + 4 > len) return false;
      p += 4;
      let edns = false;
      outer: for (let sec = 1; sec < 4; sec++) {
        const count = u16(wire, 4 + 2 * sec);
        for (let n = 0; n < count; n++) {
          if (p === len) break outer;
          if (names.length - pos < ROOM) return false;
          const at = pos;
          const nlen = unpackNameInto(wire, len, p, names, pos) - pos;
          let src = unpacked.wireEnd;
          if (src + 10 > len) return false;
          const type = u16(wire, src);
          const cls = u16(wire, src + 2);
          const ttl = ((wire[src + 4]! << 24) | (wire[src + 5]! << 16) | (wire[src + 6]! << 8) | wire[src + 7]!) >>> 0;
          const rdlen = u16(wire, src + 8);
          src += 10;
          if (src + rdlen > len) return false;
          const rdata = parseRdata(wire, len, type, cls, src, rdlen);
          p = src + rdlen;
          if (type === 41 && !edns) {
            // the first OPT is EDNS, not data; an extended rcode is no NOERROR/NXDOMAIN
            edns = true;
            if ((ttl >>> 16) & 0xff00) return false;
            continue;
          }
          if (type === 41 || type === 249 || type === 250) continue; // OPT, TKEY, TSIG: never judged
          let found = false;
          for (let i = this.count - 1; i >= 0; i--) {
            const s = this.sets[i]!;
            if (s.sec !== sec) break;
            if (s.type === type && s.cls === cls && sameNameAt(names, s.at, s.len, names, at, nlen)) {
              s.rdatas.push(rdata);
              if (ttl < s.ttl) s.ttl = ttl;
              found = true;
              break;
            }
          }
          if (found) continue;
          if (this.count === this.sets.length) this.sets.push(new LeanSet());
          const s = this.sets[this.count++]!;
          s.sec = sec;
          s.at = at;
          s.len = nlen;
          s.type = type;
          s.cls = cls;
          s.ttl = ttl;
          s.rdatas = [rdata]; // cheaper than emptying the old array (length = 0 is a runtime call)
          pos += nlen;
        }
      }
    } catch (e) {
      if (isWdnsError(e)) return false;
      throw e;
    }
    return true;
  }

  /** the question's name key (downcased) */
  qnameKey(): string {
    downcaseNameInPlace(this.names, 0, this.qLen);
    return keyAt(this.names, 0, this.qLen);
  }

  /** Downcase and sort every RRset and judge it against `zone`; returns how many fell outside. */
  judge(zone: string): number {
    let out = 0;
    const names = this.names;
    for (let i = 0; i < this.count; i++) {
      const s = this.sets[i]!;
      downcaseNameInPlace(names, s.at, s.at + s.len);
      downcaseRdatas(s.rdatas, s.type);
      sortRdatas(s.rdatas);
      s.accepted = atOrBelowAt(names, s.at, s.len, zone);
      if (!s.accepted) out++;
    }
    return out;
  }

  /** the owner key (downcased) of set i */
  ownerKey(i: number): string {
    const s = this.sets[i]!;
    return keyAt(this.names, s.at, s.at + s.len);
  }
}
