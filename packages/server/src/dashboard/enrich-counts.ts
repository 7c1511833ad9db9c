import { type HeavyHitter, SpaceSaving } from "./space-saving.js";

/** What the enrichment says of one address (a @dnsrep/enrich Stamp, seen structurally). */
export interface AddressStamp {
  asn?: number;
  asOrg?: string;
  country?: string;
}

/** The enrichment's answer for an address (4 or 16 bytes): the server passes the Enricher's cached lookup. */
export type StampOf = (address: Uint8Array) => AddressStamp;

/** The country key of addresses the country database does not place (or that it gave no code for). */
export const UNKNOWN_COUNTRY = "unknown";

/** The saved form (persist.ts). */
export interface EnrichCountsState {
  since: number;
  total: number;
  withoutAsn: number;
  asns: unknown;
  asOrgs: [asn: number, org: string][];
  countries: [country: string, count: number][];
  pairs: unknown;
}

const CC = /^[A-Z]{2}$/;

/**
 * The dashboard's ASN and country counters: each A/AAAA address of an observation counted with
 * the observation's count, under what the enrichment said of the address when it was counted.
 * ASNs in a space-saving sketch (each held ASN's newest AS organisation kept beside it), countries
 * in an exact map (two capital letters, else "unknown": at most 677 keys), and (country, ASN)
 * pairs in a second sketch for the world/ASN breakdown. `since` is the wall clock (epoch s) of the
 * first address counted (0: none yet).
 */
export class EnrichCounts {
  readonly capacity: number;
  since = 0;
  /** sum of the counts of every address counted (the countries' map adds up to it) */
  total = 0;
  /** of `total`, the addresses the ASN database had no ASN for */
  withoutAsn = 0;
  asns: SpaceSaving;
  readonly asOrgs = new Map<number, string>();
  readonly countries = new Map<string, number>();
  /** key `CC AS` (country, a space, the ASN or 0 for none) */
  pairs: SpaceSaving;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.asns = new SpaceSaving(capacity);
    this.pairs = new SpaceSaving(capacity);
  }

  /** Count one address seen `count` times, stamped `s`, at wall clock `nowS` (epoch s). */
  add(s: AddressStamp, count: number, nowS: number): void {
    if (!(count > 0)) return;
    if (this.since === 0) this.since = nowS;
    this.total += count;
    const cc = s.country !== undefined && CC.test(s.country) ? s.country : UNKNOWN_COUNTRY;
    this.countries.set(cc, (this.countries.get(cc) ?? 0) + count);
    const asn = s.asn !== undefined && Number.isSafeInteger(s.asn) && s.asn > 0 ? s.asn : 0;
    this.pairs.add(`${cc} ${asn}`, count);
    if (asn === 0) {
      this.withoutAsn += count;
      return;
    }
    this.asns.add(String(asn), count);
    if (s.asOrg !== undefined && this.asOrgs.get(asn) !== s.asOrg) {
      this.asOrgs.set(asn, s.asOrg);
      // the organisations of ASNs the sketch let go are forgotten (bounded: 2 × capacity)
      if (this.asOrgs.size > 2 * this.capacity) this.#pruneOrgs();
    }
  }

  #pruneOrgs(): void {
    const held = new Set(this.asns.top(this.capacity).map((h) => Number(h.key)));
    for (const a of this.asOrgs.keys()) if (!held.has(a)) this.asOrgs.delete(a);
  }

  /** The `n` heaviest ASNs with their AS organisation ("" when the database gave none). */
  topAsns(n: number): { asn: number; as_org: string; count: number; error: number }[] {
    return this.asns
      .top(n)
      .map((h) => ({ asn: Number(h.key), as_org: this.asOrgs.get(Number(h.key)) ?? "", count: h.weight, error: h.error }));
  }

  /** Every country counted, heaviest first (ties by code). */
  topCountries(): { country: string; count: number }[] {
    return [...this.countries]
      .map(([country, count]) => ({ country, count }))
      .sort((a, b) => b.count - a.count || (a.country < b.country ? -1 : a.country > b.country ? 1 : 0));
  }

  /** The `n` heaviest (country, ASN) pairs; asn null for addresses without one. */
  breakdown(n: number): { country: string; asn: number | null; as_org: string; count: number; error: number }[] {
    return this.pairs.top(n).map((h: HeavyHitter) => {
      const [cc, a] = h.key.split(" ") as [string, string];
      const asn = Number(a);
      return {
        country: cc,
        asn: asn === 0 ? null : asn,
        as_org: asn === 0 ? "" : (this.asOrgs.get(asn) ?? ""),
        count: h.weight,
        error: h.error,
      };
    });
  }

  toJSON(): EnrichCountsState {
    const held = new Set(this.asns.top(this.capacity).map((h) => Number(h.key)));
    return {
      since: this.since,
      total: this.total,
      withoutAsn: this.withoutAsn,
      asns: this.asns.toJSON(),
      asOrgs: [...this.asOrgs].filter(([a]) => held.has(a)),
      countries: [...this.countries],
      pairs: this.pairs.toJSON(),
    };
  }

  /** Rebuild from a saved state; throws TypeError when it is not one. */
  static fromJSON(v: unknown, capacity: number): EnrichCounts {
    const bad = (): never => {
      throw new TypeError("corrupt dashboard aggregates file (the enrichment counts)");
    };
    if (typeof v !== "object" || v === null) return bad();
    const st = v as Partial<EnrichCountsState>;
    const num = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : bad());
    const e = new EnrichCounts(capacity);
    e.since = num(st.since);
    e.total = num(st.total);
    e.withoutAsn = num(st.withoutAsn);
    e.asns = SpaceSaving.fromJSON(st.asns);
    e.pairs = SpaceSaving.fromJSON(st.pairs);
    if (!Array.isArray(st.asOrgs) || !Array.isArray(st.countries)) return bad();
    for (const r of st.asOrgs.slice(0, 2 * capacity)) {
      if (!Array.isArray(r) || typeof r[1] !== "string") return bad();
      e.asOrgs.set(num(r[0]), r[1]);
    }
    for (const r of st.countries) {
      if (!Array.isArray(r) || typeof r[0] !== "string" || !(CC.test(r[0]) || r[0] === UNKNOWN_COUNTRY) || e.countries.has(r[0]))
        return bad();
      e.countries.set(r[0], num(r[1]));
    }
    return e;
  }
}
