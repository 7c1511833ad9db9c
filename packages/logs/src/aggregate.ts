/**
 * Association → Observation: one entry per distinct (rrname, rrtype, rdata) with its count and
 * first/last times (floored epoch seconds). Memory is bounded: past `maxEntries` the entry updated
 * longest ago is handed to `onEvict` (a shipper sends it; a later association starts a new entry).
 */
import type { Association, Observation } from "./observation.js";

export interface AggregatorOptions {
  /** The observations' `source` (the parser's format name unless the user names it). */
  source: string;
  /** Entries held at most (default 1 000 000). */
  maxEntries?: number;
  /** Receives entries pushed out by the bound; without it they are kept in `evicted()`'s list. */
  onEvict?: (o: Observation) => void;
}

interface Entry {
  o: Observation;
}

export class Aggregator {
  readonly source: string;
  readonly maxEntries: number;
  private readonly onEvict: ((o: Observation) => void) | undefined;
  private map = new Map<string, Entry>();
  private spilled: Observation[] = [];
  /** Entries pushed out by the bound so far. */
  evictions = 0;

  constructor(opts: AggregatorOptions) {
    const max = opts.maxEntries ?? 1_000_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxEntries must be a positive integer, not ${max}`);
    this.source = opts.source;
    this.maxEntries = max;
    this.onEvict = opts.onEvict;
  }

  /** Distinct observations held. */
  get size(): number {
    return this.map.size;
  }

  /** Count one association (`count` times: for inputs that carry their own counts). */
  add(a: Association, count = a.count ?? 1, timeLast: number | null = a.timeLast ?? a.time): void {
    const key = `${a.rrname}\u0000${a.rrtype}\u0000${a.rdata}`;
    const first = a.time === null ? null : Math.floor(a.time);
    const last = timeLast === null ? null : Math.floor(timeLast);
    const e = this.map.get(key);
    if (e) {
      const o = e.o;
      o.count += count;
      if (first !== null && (o.time_first === null || first < o.time_first)) o.time_first = first;
      if (last !== null && (o.time_last === null || last > o.time_last)) o.time_last = last;
      // most recently updated last: Map keeps insertion order
      this.map.delete(key);
      this.map.set(key, e);
      return;
    }
    if (this.map.size >= this.maxEntries) this.evictOldest();
    this.map.set(key, {
      o: {
        rrname: a.rrname,
        rrtype: a.rrtype,
        rdata: a.rdata,
        time_first: first,
        time_last: last,
        count,
        source: this.source,
      },
    });
  }

  /** Count every association of a list. */
  addAll(list: readonly Association[]): void {
    for (const a of list) this.add(a);
  }

  private evictOldest(): void {
    const it = this.map.entries().next();
    if (it.done) return;
    const [key, e] = it.value;
    this.map.delete(key);
    this.evictions++;
    if (this.onEvict) this.onEvict(e.o);
    else this.spilled.push(e.o);
  }

  /** Entries pushed out by the bound and not given to `onEvict` (cleared by `drain`). */
  evicted(): readonly Observation[] {
    return this.spilled;
  }

  /** Everything held (and spilled), sorted by (rrname, rrtype, rdata); the aggregator is empty after. */
  drain(): Observation[] {
    const out = this.spilled;
    for (const e of this.map.values()) out.push(e.o);
    this.map = new Map();
    this.spilled = [];
    return out.sort(compareObservations);
  }
}

/** Order of `dnsrep-shipper parse` output: rrname, then rrtype, then rdata (code-unit order). */
export function compareObservations(a: Observation, b: Observation): number {
  return cmp(a.rrname, b.rrname) || cmp(a.rrtype, b.rrtype) || cmp(a.rdata, b.rdata);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
