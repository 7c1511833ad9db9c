/**
 * Matching nmsg records against filter lists (nmsg-dns-filter's engine): SIE/dnsdedupe by owner
 * name, and optionally by the names and addresses in their rdata; base/dnsqr by qname. The list
 * can be swapped at any time (a reload) and applies from the next record on.
 */
import type { DnsDedupe, DnsQR } from "@dnsrep/nmsg";
import { nameLength, nameToString } from "@dnsrep/wdns";
import { type FilterList, matchFilterAddress, matchFilterList } from "./filter-list.js";

export interface RecordFilterOptions {
  /** also match names in rdata (NS, CNAME, PTR, DNAME, MX, SRV, SOA, SVCB/HTTPS) and A/AAAA addresses */
  rdata?: boolean;
}

/** Where a name starts in the rdata of each type that carries names (SOA carries two). */
const NAME_OFFSETS: Record<number, number> = { 2: 0, 5: 0, 12: 0, 39: 0, 15: 2, 33: 6, 64: 2, 65: 2, 6: 0 };

export class RecordFilter {
  list: FilterList;
  readonly #rdata: boolean;

  constructor(list: FilterList, opts: RecordFilterOptions = {}) {
    this.list = list;
    this.#rdata = opts.rdata ?? false;
  }

  #name(wire: Uint8Array | undefined): boolean {
    return wire !== undefined && nameLength(wire, 0) > 0 && matchFilterList(this.list, nameToString(wire));
  }

  /** Whether a dnsdedupe record matches the list. */
  matchDedupe(d: DnsDedupe): boolean {
    if (this.#name(d.rrname)) return true;
    if (!this.#rdata) return false;
    const t = d.rrtype ?? 0;
    for (const rd of d.rdata) {
      if ((t === 1 && rd.length === 4) || (t === 28 && rd.length === 16)) {
        if (matchFilterAddress(this.list, rd)) return true;
        continue;
      }
      const off = NAME_OFFSETS[t];
      if (off === undefined) continue;
      let p = off;
      for (let n = 0; n < (t === 6 ? 2 : 1); n++) {
        const len = nameLength(rd, p);
        if (len <= 0) break;
        if (matchFilterList(this.list, nameToString(rd.subarray(p, p + len)))) return true;
        p += len;
      }
    }
    return false;
  }

  /** Whether a dnsqr message's question matches the list. */
  matchDnsqr(q: DnsQR): boolean {
    return this.#name(q.qname);
  }
}
