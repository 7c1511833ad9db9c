import { type DnstableResult, decodeRdataKey, decodeRRsetKey, EntryType } from "@dnsrep/dnstable";
import type { Stamp, StampedPair, StampStore } from "@dnsrep/enrich";
import { jsonString } from "../result-line.js";

/** COF-style enrichment fields of an A/AAAA record (each only when the stamp has it). */
export interface EnrichFields {
  asn?: number;
  as_org?: string;
  country?: string;
}

/** A request's view of the stamps: those made before it began (StampStore.view), let go with the request's data. */
export interface StampView {
  /** the first stamp of (rrname, address), or null */
  stamp(rrname: Uint8Array, address: Uint8Array): Stamp | null;
  /** the (rrname, address) pairs first stamped with this ASN / country, by address */
  byAsn(asn: number): Iterable<StampedPair>;
  byCountry(cc: string): Iterable<StampedPair>;
  release(): void;
}

export function holdStamps(st: StampStore): StampView {
  const v = st.view();
  return {
    stamp: (rrname, address) => v.lookup(rrname, address)?.stamp ?? null,
    byAsn: (asn) => v.byAsn(asn),
    byCountry: (cc) => v.byCountry(cc),
    release: () => {},
  };
}

const isAddress = (rrtype: number, rd: Uint8Array): boolean => (rrtype === 1 && rd.length === 4) || (rrtype === 28 && rd.length === 16);

function fieldsOf(s: Stamp | null): EnrichFields | null {
  if (s === null) return null;
  const f: EnrichFields = {};
  if (s.asn !== undefined) f.asn = s.asn;
  if (s.asOrg !== undefined) f.as_org = s.asOrg;
  if (s.country !== undefined) f.country = s.country;
  return f;
}

/**
 * The fields of a result: an RDATA entry's one address; an RRset's addresses when every one has a
 * stamp, each field only where all of them agree (an RRset spread over two networks shows none
 * of the fields that differ). Null for other types and unstamped records.
 */
export function resultFields(r: DnstableResult, view: StampView): EnrichFields | null {
  try {
    if (r.entryType === EntryType.RDATA) {
      const k = decodeRdataKey(r.key);
      if (k === null || !isAddress(k.rrtype, k.rdata)) return null;
      return fieldsOf(view.stamp(k.rrname, k.rdata));
    }
    if (r.entryType !== EntryType.RRSET) return null;
    const k = decodeRRsetKey(r.key);
    if (k.rrtype !== 1 && k.rrtype !== 28) return null;
    let out: EnrichFields | null = null;
    for (const rd of k.rdatas) {
      if (!isAddress(k.rrtype, rd)) return null;
      const f = fieldsOf(view.stamp(k.rrname, rd));
      if (f === null) return null;
      if (out === null) out = f;
      else {
        if (out.asn !== f.asn) delete out.asn;
        if (out.as_org !== f.as_org) delete out.as_org;
        if (out.country !== f.country) delete out.country;
      }
    }
    return out;
  } catch {
    return null;
  }
}

/** One address's fields (a COF line, one per rdata). */
export function addressFields(rrname: Uint8Array, rrtype: number, rdata: Uint8Array, view: StampView): EnrichFields | null {
  return isAddress(rrtype, rdata) ? fieldsOf(view.stamp(rrname, rdata)) : null;
}

/** The JSON members of the fields, each led by a comma ("" for none). */
export function fieldsJson(f: EnrichFields | null): string {
  if (f === null) return "";
  let s = "";
  if (f.asn !== undefined) s += `,"asn":${f.asn}`;
  if (f.as_org !== undefined) s += `,"as_org":${jsonString(f.as_org)}`;
  if (f.country !== undefined) s += `,"country":${jsonString(f.country)}`;
  return s;
}

/** A SAF line `{"obj":{…}}\n` with the result's fields added at the end of the object. */
export function enrichSafLine(line: string, r: DnstableResult, view: StampView): string {
  const add = fieldsJson(resultFields(r, view));
  return add === "" ? line : `${line.slice(0, -3)}${add}}}\n`;
}
