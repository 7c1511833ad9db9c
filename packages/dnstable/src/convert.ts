/**
 * RRset → dnstable entries: what dnstable_convert (our dnstable-import) writes for one SIE
 * dnsdedupe RRset, in one place so the batch importer and the live store (@dnsrep/store) make the
 * same keys and values byte for byte.
 *
 * Keys and values come out as latin1 strings (one char per byte), the form the Sorter and the
 * Writer take without a Uint8Array per entry.
 */
import { ByteWriter, latin1String } from "@dnsrep/util";
import { downcaseName, nameLength } from "@dnsrep/wdns";
import {
  builtKeyBuffer,
  builtKeys,
  EntryType,
  encodeTimeRange,
  encodeVarintValue,
  sourceInfoKey,
  TIME_RANGE_KEY,
  versionKey,
  writeTriplet,
} from "./entry.js";
import { encodeRRtypeSingle } from "./rrtype-union.js";
import { DNSSEC_TYPES, DUAL_TYPES } from "./rrtypes.js";

/** One RRset as dnstable-import takes it from a dnsdedupe payload (names in wire form). */
export interface DnstableRRset {
  rrname: Uint8Array;
  rrtype: number;
  bailiwick: Uint8Array;
  rdata: readonly Uint8Array[];
  timeFirst: number;
  timeLast: number;
  count: number;
}

/** The file an entry goes to. */
export const DnstableFile = { DNS: 0, DNSSEC: 1 } as const;
export type DnstableFile = (typeof DnstableFile)[keyof typeof DnstableFile];

export interface ConvertOptions {
  /** dnstable_convert -D: CDS, CDNSKEY and TA RRsets go to the DNS file too */
  dualTypes?: boolean;
  /** dnstable_convert -r: also index the SOA RNAME (then the RDATA versions are 2) */
  rname?: boolean;
  /**
   * Not dnstable_convert's (its files then lack entries): false leaves out the RRSET_NAME_FWD
   * entry (default true) — for a store whose readers never list names.
   */
  nameFwd?: boolean;
  /**
   * Not dnstable_convert's: which rdatas get their RDATA entries (and sliced and RDATA_NAME_REV
   * ones); default every one. Decided before the keys are built: nothing is made to be dropped.
   */
  indexRdata?: (rdata: Uint8Array, rrtype: number) => boolean;
}

/** Receives one entry: the file it belongs to, its key and value (latin1 strings). */
export type EntrySink = (file: DnstableFile, key: string, value: string) => void;

/**
 * Receives one entry as bytes: the file it belongs to, the key (the first `keyLength` bytes of
 * `key`) and the value, both borrowed: valid during the call only (copy them to keep them).
 */
export type EntryBytesSink = (file: DnstableFile, key: Uint8Array, keyLength: number, value: Uint8Array) => void;

/** Emits the key just built (builtKeys) to a file, with the RRset's triplet or its rrtype union as value. */
type Emit = (file: DnstableFile, keyLength: number, triplet: boolean) => void;

const DNS_ONLY: readonly DnstableFile[] = [DnstableFile.DNS];
const DNSSEC_ONLY: readonly DnstableFile[] = [DnstableFile.DNSSEC];
const BOTH: readonly DnstableFile[] = [DnstableFile.DNSSEC, DnstableFile.DNS];

/** Name at `off` of an rdata (uncompressed), or null if none is there. */
function nameAt(rdata: Uint8Array, off: number): Uint8Array | null {
  const n = nameLength(rdata, off);
  return n > 0 ? rdata.subarray(off, off + n) : null;
}

/** `name` downcased followed by `rest`, in a fresh array. */
function joinDowncased(name: Uint8Array, rest: Uint8Array): { name: Uint8Array; all: Uint8Array } {
  const dn = downcaseName(name);
  const all = new Uint8Array(dn.length + rest.length);
  all.set(dn);
  all.set(rest, dn.length);
  return { name: dn, all };
}

/** Converts RRsets to dnstable entries the way dnstable_convert does. */
export class EntryConverter {
  readonly #dual: boolean;
  readonly #rname: boolean;
  readonly #nameFwd: boolean;
  readonly #indexRdata: ((rdata: Uint8Array, rrtype: number) => boolean) | null;
  readonly #unions = new Map<number, Uint8Array>();

  constructor(opts: ConvertOptions = {}) {
    this.#dual = opts.dualTypes === true;
    this.#rname = opts.rname === true;
    this.#nameFwd = opts.nameFwd !== false;
    this.#indexRdata = opts.indexRdata ?? null;
  }

  /** The files an RRset of this type goes to (DNSSEC types to the DNSSEC file; with dualTypes, some to both). */
  files(rrtype: number): readonly DnstableFile[] {
    if (!DNSSEC_TYPES.has(rrtype)) return DNS_ONLY;
    return this.#dual && DUAL_TYPES.has(rrtype) ? BOTH : DNSSEC_ONLY;
  }

  /**
   * The last triplet made, encoded in one reused buffer (`bytes` views it), its string made only
   * when asked for: RRsets of one batch often share one (a live store's stamps always do).
   */
  readonly #tw = new ByteWriter(32);
  #tf = -1;
  #tl = -1;
  #tc = -1;
  #tBytes: Uint8Array = new Uint8Array(0);
  #tString: string | null = null;

  /** The RRset's triplet value as bytes, valid until the next RRset's. */
  #tripletBytes(rr: DnstableRRset): Uint8Array {
    if (rr.timeFirst !== this.#tf || rr.timeLast !== this.#tl || rr.count !== this.#tc) {
      const w = this.#tw;
      w.reset();
      writeTriplet(w, rr.timeFirst, rr.timeLast, rr.count);
      this.#tBytes = w.buf.subarray(0, w.length);
      this.#tString = null;
      this.#tf = rr.timeFirst;
      this.#tl = rr.timeLast;
      this.#tc = rr.count;
    }
    return this.#tBytes;
  }

  /** The RRset's triplet value (time_first, time_last, count) as a latin1 string. */
  triplet(rr: DnstableRRset): string {
    const b = this.#tripletBytes(rr);
    this.#tString ??= latin1String(b);
    return this.#tString;
  }

  /** The single-type rrtype union value of `rrtype` (bytes). */
  #union(rrtype: number): Uint8Array {
    let union = this.#unions.get(rrtype);
    if (union === undefined) {
      union = encodeRRtypeSingle(rrtype);
      this.#unions.set(rrtype, union);
    }
    return union;
  }

  /**
   * Every entry of one RRset, for each file it goes to: the RRSET entry, the RRSET_NAME_FWD
   * entry, and per rdata the RDATA entry, the sliced RDATA entry (MX, SRV, SVCB, HTTPS, SOA RNAME
   * with `rname`) and the RDATA_NAME_REV entry for a name in it. `triplet` may be given when the
   * caller made it already.
   */
  entries(rr: DnstableRRset, sink: EntrySink, triplet: string = this.triplet(rr)): void {
    const union = latin1String(this.#union(rr.rrtype));
    this.#walk(rr, (f, n, t) => sink(f, latin1String(builtKeyBuffer(), 0, n), t ? triplet : union));
  }

  /** entries() as bytes: each key and value borrowed for the call only, no string or copy made. */
  entryBytes(rr: DnstableRRset, sink: EntryBytesSink): void {
    const triplet = this.#tripletBytes(rr);
    const union = this.#union(rr.rrtype);
    this.#walk(rr, (f, n, t) => sink(f, builtKeyBuffer(), n, t ? triplet : union));
  }

  #walk(rr: DnstableRRset, emit: Emit): void {
    const rrtype = rr.rrtype;
    for (const f of this.files(rrtype)) {
      emit(f, builtKeys.rrset(rr.rrname, rrtype, rr.bailiwick, rr.rdata), true);
      if (this.#nameFwd) emit(f, builtKeys.rrsetNameFwd(rr.rrname), false);
      const index = this.#indexRdata;
      for (const rd of rr.rdata) if (index === null || index(rd, rrtype)) this.#rdataEntries(f, rr.rrname, rrtype, rd, emit);
    }
  }

  #rdataEntries(f: DnstableFile, rrname: Uint8Array, rrtype: number, rd: Uint8Array, emit: Emit): void {
    emit(f, builtKeys.rdata(rd, rrtype, rrname), true);
    let sliceOff = -1;
    let sliced: Uint8Array | null = null;
    let revName: Uint8Array | null = null;
    switch (rrtype) {
      case 2: // NS
      case 5: // CNAME
      case 12: // PTR
      case 39: // DNAME
        revName = nameAt(rd, 0);
        break;
      case 15: // MX
        sliceOff = 2;
        sliced = rd.subarray(2);
        revName = nameAt(rd, 2);
        break;
      case 33: // SRV
        sliceOff = 6;
        sliced = rd.subarray(6);
        revName = nameAt(rd, 6);
        break;
      case 64: // SVCB
      case 65: {
        // HTTPS
        const n = nameAt(rd, 2);
        if (n) {
          sliceOff = 2;
          const j = joinDowncased(n, rd.subarray(2 + n.length));
          sliced = j.all;
          revName = j.name;
        }
        break;
      }
      case 6: {
        // SOA: MNAME always; RNAME with -r
        const mname = nameAt(rd, 0);
        if (mname) emit(f, builtKeys.rdataNameRev(mname), false);
        if (this.#rname && mname) {
          const rn = nameAt(rd, mname.length);
          if (rn) {
            const j = joinDowncased(rn, rd.subarray(mname.length + rn.length));
            emit(f, builtKeys.rdataSliced(rd, mname.length, j.all, rrtype, rrname), true);
            emit(f, builtKeys.rdataNameRev(j.name), false);
          }
        }
        break;
      }
    }
    if (sliced && sliceOff >= 0) emit(f, builtKeys.rdataSliced(rd, sliceOff, sliced, rrtype, rrname), true);
    if (revName) emit(f, builtKeys.rdataNameRev(revName), false);
  }

  /**
   * The entries dnstable_convert adds to a file at the end: SOURCE_INFO (with `source`), the
   * TIME_RANGE of its RRsets (`range`: the least time_first and greatest time_last; null when it
   * has none) and the four VERSION entries.
   */
  trailer(range: { first: number; last: number } | null, source?: string): [Uint8Array, Uint8Array][] {
    const v = this.#rname ? 2 : 1;
    const out: [Uint8Array, Uint8Array][] = [];
    if (source !== undefined) out.push([sourceInfoKey(source), new Uint8Array(0)]);
    if (range) out.push([TIME_RANGE_KEY, encodeTimeRange(range.first, range.last)]);
    out.push([versionKey(EntryType.RRSET), encodeVarintValue(0)]);
    out.push([versionKey(EntryType.RRSET_NAME_FWD), encodeVarintValue(1)]);
    out.push([versionKey(EntryType.RDATA), encodeVarintValue(v)]);
    out.push([versionKey(EntryType.RDATA_NAME_REV), encodeVarintValue(v)]);
    return out;
  }
}
