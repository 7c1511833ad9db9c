import { nameToString, rdataToString } from "@dnsrep/wdns";
import { getDomain } from "tldts";
import { EnrichCounts, type StampOf } from "./enrich-counts.js";
import { NameFilter } from "./name-filter.js";
import { type HeavyHitter, SpaceSaving } from "./space-saving.js";

/** One RRset observation as the dashboard counts it (the store's observation, seen structurally). */
export interface DashObservation {
  rrname: Uint8Array;
  rrtype: number;
  rdata: readonly Uint8Array[];
  timeFirst: number;
  timeLast: number;
  count: number;
}

export interface AggregateLimits {
  /** names / addresses held by each heavy-hitter sketch (default 1000) */
  topCapacity?: number;
  /** bytes of the seen-names Bloom filter (default 8 MiB: ~5 % false "seen" at 10M names) */
  nameFilterBytes?: number;
  /** bytes of the seen-registered-domains Bloom filter (default 2 MiB) */
  domainFilterBytes?: number;
  /** newly seen registered domains kept (default 1000, the newest by first time seen) */
  newDomains?: number;
  /** hours of history kept before the newest observation (default 31 days) */
  retainHours?: number;
}

/** [observations, new names, sum of counts] of one source in one hour. */
type Bucket = [obs: number, newNames: number, count: number];

export interface SourceContact {
  /** epoch ms of the last batch from this source (0: none since the aggregates began) */
  lastContactMs: number;
  observations: number;
  /** the newest time_last it sent (epoch s) */
  newest: number;
}

export interface NewDomain {
  domain: string;
  /** epoch s: the time_first of the observation that showed it first */
  first: number;
  source: string;
}

const HOUR = 3600;
const A = 1;
const AAAA = 28;

/** Registered domain (public suffix + one label, ICANN section) of a presentation name, or null. */
export function registeredDomain(name: string): string | null {
  const host = name.endsWith(".") ? name.slice(0, -1) : name;
  if (host === "" || host.includes("\\")) return null;
  return getDomain(host, { allowPrivateDomains: false });
}

/** An address rdata's text (A, AAAA), or null. */
export function addressText(rrtype: number, rdata: Uint8Array): string | null {
  if (rrtype === A && rdata.length === 4) return `${rdata[0]}.${rdata[1]}.${rdata[2]}.${rdata[3]}`;
  if (rrtype === AAAA && rdata.length === 16) return rdataToString(AAAA, 1, rdata);
  return null;
}

/**
 * The dashboard's counters, in bounded memory: observations, new names and counts per hour and
 * source (the last `retainHours` before the newest observation), counts by rrtype (at most 65536
 * keys), the heaviest names and addresses (space-saving sketches), Bloom filters of the names and
 * registered domains seen, the newest newly seen registered domains, and each source's last
 * contact; with enrichment, counts by ASN and country (`enrich`, fed by `observeStamps`). Fed one
 * observation at a time (`observe`), so kept incrementally as batches arrive.
 */
export class Aggregates {
  readonly limits: Required<AggregateLimits>;
  readonly hours = new Map<string, Map<number, Bucket>>();
  readonly rrtypes = new Map<number, [obs: number, count: number]>();
  names: SpaceSaving;
  addresses: SpaceSaving;
  /** each A/AAAA address counted by ASN and country (empty without enrichment) */
  enrich: EnrichCounts;
  readonly nameFilter: NameFilter;
  readonly domainFilter: NameFilter;
  newDomains: NewDomain[] = [];
  readonly sources = new Map<string, SourceContact>();
  /** newest time_last seen (epoch s, 0: none) */
  newest = 0;
  observations = 0;

  constructor(limits: AggregateLimits = {}, filters?: { names: Uint8Array; domains: Uint8Array }) {
    this.limits = {
      topCapacity: limits.topCapacity ?? 1000,
      nameFilterBytes: limits.nameFilterBytes ?? 8 << 20,
      domainFilterBytes: limits.domainFilterBytes ?? 2 << 20,
      newDomains: limits.newDomains ?? 1000,
      retainHours: limits.retainHours ?? 31 * 24,
    };
    this.names = new SpaceSaving(this.limits.topCapacity);
    this.addresses = new SpaceSaving(this.limits.topCapacity);
    this.enrich = new EnrichCounts(this.limits.topCapacity);
    this.nameFilter = new NameFilter(this.limits.nameFilterBytes, 7, filters?.names);
    this.domainFilter = new NameFilter(this.limits.domainFilterBytes, 7, filters?.domains);
  }

  /** Note a batch's arrival from `source` (wall clock, epoch ms). */
  contact(source: string, nowMs: number): void {
    this.#contact(source).lastContactMs = nowMs;
  }

  #contact(source: string): SourceContact {
    let c = this.sources.get(source);
    if (c === undefined) {
      c = { lastContactMs: 0, observations: 0, newest: 0 };
      this.sources.set(source, c);
    }
    return c;
  }

  #bucket(source: string, t: number): Bucket | null {
    const h = Math.floor(t / HOUR) * HOUR;
    if (h < this.newest - this.limits.retainHours * HOUR) return null;
    let m = this.hours.get(source);
    if (m === undefined) {
      m = new Map();
      this.hours.set(source, m);
    }
    let b = m.get(h);
    if (b === undefined) {
      b = [0, 0, 0];
      m.set(h, b);
    }
    return b;
  }

  /** Count one observation from `source`; `isNew` overrides the Bloom filter's verdict on the name. */
  observe(o: DashObservation, source: string, isNew?: boolean): void {
    // isNew false: the caller counts new names itself (a scan in name order)
    const name = nameToString(o.rrname);
    this.observations++;
    if (o.timeLast > this.newest) this.newest = o.timeLast;
    const c = this.#contact(source);
    c.observations++;
    if (o.timeLast > c.newest) c.newest = o.timeLast;
    const b = this.#bucket(source, o.timeLast);
    if (b !== null) {
      b[0]++;
      b[2] += o.count;
    }
    const t = this.rrtypes.get(o.rrtype);
    if (t === undefined) this.rrtypes.set(o.rrtype, [1, o.count]);
    else {
      t[0]++;
      t[1] += o.count;
    }
    this.names.add(name, o.count);
    for (const rd of o.rdata) {
      const a = addressText(o.rrtype, rd);
      if (a !== null) this.addresses.add(a, o.count);
    }
    if (isNew === false) return;
    const fresh = this.nameFilter.add(name);
    if (isNew ?? fresh) {
      this.newName(source, o.timeFirst);
      const d = registeredDomain(name);
      if (d !== null && this.domainFilter.add(d)) this.newDomain({ domain: d, first: o.timeFirst, source });
    }
  }

  /**
   * Count each A/AAAA address of `o` by ASN and country, with the observation's count, under
   * what `stampOf` (the databases in force now) says of it; `nowS` is the wall clock (epoch s).
   */
  observeStamps(o: DashObservation, stampOf: StampOf, nowS: number): void {
    if (o.rrtype !== A && o.rrtype !== AAAA) return;
    const len = o.rrtype === A ? 4 : 16;
    for (const rd of o.rdata) if (rd.length === len) this.enrich.add(stampOf(rd), o.count, nowS);
  }

  /** Count a newly seen name from `source`, first seen at `first` (epoch s). */
  newName(source: string, first: number): void {
    const nb = this.#bucket(source, first);
    if (nb !== null) nb[1]++;
  }

  /** Keep a newly seen registered domain (the newest `limits.newDomains` are kept). */
  newDomain(d: NewDomain): void {
    const list = this.newDomains;
    if (list.length >= this.limits.newDomains) {
      // keep the newest: drop the oldest first-seen (the list stays small: a linear scan)
      let oi = 0;
      for (let i = 1; i < list.length; i++) if ((list[i] as NewDomain).first < (list[oi] as NewDomain).first) oi = i;
      if ((list[oi] as NewDomain).first >= d.first) return;
      list.splice(oi, 1);
    }
    list.push(d);
  }

  /** Drop the hours that fell out of the kept window. */
  prune(): void {
    const cut = this.newest - this.limits.retainHours * HOUR;
    for (const m of this.hours.values()) for (const h of m.keys()) if (h < cut) m.delete(h);
  }

  /** The heaviest names / addresses. */
  topNames(n: number): HeavyHitter[] {
    return this.names.top(n);
  }

  topAddresses(n: number): HeavyHitter[] {
    return this.addresses.top(n);
  }
}
