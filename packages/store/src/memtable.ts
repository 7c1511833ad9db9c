/**
 * The memtable: the entries of the observations put since the last flush, one Table per output
 * file (DNS and DNSSEC, table.ts): a hash map keyed by the dnstable key bytes held as latin1
 * strings (one char per byte), merged in place with dnstable's merge rule (counts add, first/last
 * times min/max, rrtype unions join), sorted only when a snapshot or a flush reads it.
 *
 * A snapshot reads a TableView of each table (the keys sorted then, the values as they were then).
 */
import { dnstableMerge, type EntryConverter, EntryType } from "@dnsrep/dnstable";
import { latin1Bytes, latin1String } from "@dnsrep/util";
import type { RRsetObservation } from "./observation.js";
import { Table, type TableView } from "./table.js";
import { tripletLatin1, varintAt } from "./triplet-latin1.js";

/**
 * Bytes counted per entry beyond its key, its value string (if any) and its slot's numbers: the
 * key string's header, the hash map's entry and the sorted runs' slots. Measured: 600,000 entries
 * of 20-30-byte keys took ~140 bytes each of heap and slots (the count then comes to ~135).
 */
const ENTRY_OVERHEAD = 96;
/**
 * Entries past which a memtable is full whatever its bytes: a V8 Map holds at most 2^24 entries,
 * and a group of batches goes into one memtable before it can be rotated.
 */
export const MAX_MEMTABLE_ENTRIES = 1 << 22;

const c = { value: 0, pos: 0 };

/** The triplet merge on latin1 strings, or null when a value is not a triplet (the general path then decides). */
function mergeTriplets(a: string, b: string): string | null {
  varintAt(a, 0, c);
  if (c.pos < 0) return null;
  const fa = c.value;
  varintAt(a, c.pos, c);
  if (c.pos < 0) return null;
  const la = c.value;
  varintAt(a, c.pos, c);
  if (c.pos !== a.length) return null;
  const na = c.value;
  varintAt(b, 0, c);
  if (c.pos < 0) return null;
  const fb = c.value;
  varintAt(b, c.pos, c);
  if (c.pos < 0) return null;
  const lb = c.value;
  varintAt(b, c.pos, c);
  if (c.pos !== b.length) return null;
  return tripletLatin1(Math.min(fa, fb), Math.max(la, lb), na + c.value);
}

/** dnstable's merge of two values for `key`, all latin1 strings. */
export function mergeLatin1(key: string, a: string, b: string): string {
  const t = key.charCodeAt(0);
  if (t === EntryType.RRSET || t === EntryType.RDATA) {
    const m = mergeTriplets(a, b);
    if (m !== null) return m;
  } else if (a === b && (t === EntryType.RRSET_NAME_FWD || t === EntryType.RDATA_NAME_REV)) return a;
  return latin1String(dnstableMerge(latin1Bytes(key), latin1Bytes(a), latin1Bytes(b)));
}

/** What a file made from one table covers: its RRsets' time range. */
export interface TreeRange {
  rrsets: number;
  first: number;
  last: number;
}

export class Memtable {
  /** [DNS table, DNSSEC table] */
  readonly tables: [Table, Table] = [new Table(), new Table()];
  readonly ranges: [TreeRange, TreeRange] = [
    { rrsets: 0, first: Number.POSITIVE_INFINITY, last: 0 },
    { rrsets: 0, first: Number.POSITIVE_INFINITY, last: 0 },
  ];
  readonly #converter: EntryConverter;
  /** estimated bytes held */
  bytes = 0;
  /** the WAL sequence of the last batch applied (0: none) */
  lastSeq = 0;
  /** when the first batch was applied (ms since the epoch; 0: empty) */
  firstPutMs = 0;
  /** changes with every applied batch (for reusing a view while nothing changed) */
  version = 0;
  /** the version the tables' newest views were taken at */
  #viewsVersion = -1;

  constructor(converter: EntryConverter) {
    this.#converter = converter;
  }

  get entries(): number {
    return this.tables[0].size + this.tables[1].size;
  }

  get empty(): boolean {
    return this.lastSeq === 0 && this.entries === 0;
  }

  /** Whether it is to be rotated: past `limitBytes`, or past MAX_MEMTABLE_ENTRIES. */
  full(limitBytes: number): boolean {
    return this.bytes >= limitBytes || this.entries >= MAX_MEMTABLE_ENTRIES;
  }

  readonly #sink = (f: 0 | 1, key: string, value: string): void => {
    this.bytes += this.tables[f].put(key, value, mergeLatin1, ENTRY_OVERHEAD);
  };

  /** Apply a (normalized) batch logged at WAL sequence `seq`. */
  apply(batch: readonly RRsetObservation[], seq: number, nowMs: number): void {
    this.applySlice(batch, 0, batch.length);
    this.endBatch(seq, nowMs);
  }

  /**
   * Apply observations `from` to `to` (exclusive) of a batch; endBatch() once the last slice is in.
   * The version changes only at endBatch(), so a snapshot taken between slices gets the views taken
   * before the batch began when there are (then it sees none of the batch), else views of the
   * tables as they are (whole observations: an observation's entries go in together), reused
   * until the batch ends.
   */
  applySlice(batch: readonly RRsetObservation[], from: number, to: number): void {
    const conv = this.#converter;
    this.tables[0].beginSlice();
    this.tables[1].beginSlice();
    for (let i = from; i < to; i++) {
      const o = batch[i] as RRsetObservation;
      for (const f of conv.files(o.rrtype)) {
        const r = this.ranges[f];
        r.rrsets++;
        if (o.timeFirst < r.first) r.first = o.timeFirst;
        if (o.timeLast > r.last) r.last = o.timeLast;
      }
      conv.entries(o, this.#sink);
    }
  }

  /** A batch logged at WAL sequence `seq` is all in (its slices applied). */
  endBatch(seq: number, nowMs: number): void {
    if (this.firstPutMs === 0) this.firstPutMs = nowMs;
    this.lastSeq = seq;
    this.version++;
    this.tables[0].endBatch();
    this.tables[1].endBatch();
  }

  /** Views of the tables as they are now (the same views while nothing changes and they are referenced). */
  views(): [TableView, TableView] {
    const [d, s] = this.tables;
    if (this.#viewsVersion === this.version) {
      const a = d.newest();
      const b = s.newest();
      if (a !== undefined && b !== undefined) return [a, b];
    }
    this.#viewsVersion = this.version;
    return [d.view(), s.view()];
  }
}
