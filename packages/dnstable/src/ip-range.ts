/** IP address queries (dnstable_lookup rdata ip): an address, a prefix or a range as a byte range. */
import { compareBytes } from "@dnsrep/util";
import { parseIpv4, parseIpv6 } from "@dnsrep/wdns";
import { DnstableError, DnstableErrorCode, isDnstableError } from "./errors.js";

const invalid = (m: string): DnstableError => new DnstableError(DnstableErrorCode.ERR_INVALID, m);

/** An IPv4 or IPv6 address as inet_pton reads it (wdns's parsers); a DnstableError when it is not one. */
function parseAddr(s: string): Uint8Array {
  const a = s.includes(":") ? parseIpv6(s) : parseIpv4(s);
  if (a === null) throw invalid(`bad address: ${s}`);
  return a;
}

/** ADDRESS, ADDRESS/PREFIX or ADDRESS-ADDRESS to an inclusive [lo, hi] byte range. */
export function parseIpQuery(q: string): [Uint8Array, Uint8Array] {
  /** An address that is part of the query: a message shows both the part and what was typed. */
  const addr = (part: string): Uint8Array => {
    try {
      return parseAddr(part);
    } catch (e) {
      if (isDnstableError(e) && part !== q) throw invalid(`bad address: ${part} (in ${q})`);
      throw e;
    }
  };
  const slash = q.indexOf("/");
  // a prefix first: its length may look like a range ("10.0.0.0/-1")
  if (slash < 0 && q.includes("-")) {
    const dash = q.indexOf("-");
    const lo = addr(q.slice(0, dash));
    const hi = addr(q.slice(dash + 1));
    if (lo.length !== hi.length || compareBytes(lo, hi) > 0) throw invalid(`bad range: ${q}`);
    return [lo, hi];
  }
  if (slash < 0) {
    const a = addr(q);
    return [a, a];
  }
  const a = addr(q.slice(0, slash));
  const bitsText = q.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d+$/.test(bitsText) || bits > a.length * 8) throw invalid(`bad prefix length: ${q}`);
  const lo = a.slice();
  const hi = a.slice();
  for (let i = 0; i < a.length * 8; i++) {
    if (i < bits) continue;
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    lo[byte] = (lo[byte] as number) & ~mask;
    hi[byte] = (hi[byte] as number) | mask;
  }
  return [lo, hi];
}
