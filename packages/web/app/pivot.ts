/**
 * The natural next queries from a name or an address met in a result: a name → its RRsets; an
 * address → the rdata-ip search for it; the target name of an NS/MX/CNAME/… record → its RRsets
 * and the records that point at it (rdata name). Paths are page paths (API path without /dnsdb/v2).
 */
import { rdataList } from "./format.js";
import type { Result } from "./api.js";

export interface Pivot {
  label: string;
  path: string;
}

const enc = (s: string): string => encodeURIComponent(s);

export const rrsetOf = (name: string): string => `/lookup/rrset/name/${enc(name)}`;
export const rdataNameOf = (name: string): string => `/lookup/rdata/name/${enc(name)}`;
export const rdataIpOf = (addr: string): string => `/lookup/rdata/ip/${enc(addr)}`;
/** The enrichment's lookups (issue 28): the A/AAAA records first stamped with an ASN / a country. */
export const rdataAsnOf = (asn: number): string => `/lookup/rdata/asn/AS${asn}`;
export const rdataCountryOf = (cc: string): string => `/lookup/rdata/country/${enc(cc)}`;

/** The name (or address) an rdata value points at, if its type has one. */
export function rdataTarget(rrtype: string, rdata: string): { kind: "name" | "addr"; value: string } | null {
  const f = rdata.trim().split(/\s+/);
  switch (rrtype) {
    case "A":
    case "AAAA":
      return { kind: "addr", value: rdata.trim() };
    case "NS":
    case "CNAME":
    case "DNAME":
    case "PTR":
      return f[0] ? { kind: "name", value: f[0] } : null;
    case "MX":
      return f[1] ? { kind: "name", value: f[1] } : null;
    case "SRV":
      return f[3] ? { kind: "name", value: f[3] } : null;
    case "SOA":
      return f[0] ? { kind: "name", value: f[0] } : null;
    default:
      return null;
  }
}

export function rdataPivots(rrtype: string, rdata: string): Pivot[] {
  const t = rdataTarget(rrtype, rdata);
  if (!t) return [];
  if (t.kind === "addr") return [{ label: "rdata ip", path: rdataIpOf(t.value) }];
  return [
    { label: "rrset", path: rrsetOf(t.value) },
    { label: "rdata name", path: rdataNameOf(t.value) },
  ];
}

/** Graph edges a result contributes: rrname –type→ target. */
export function edgesOf(r: Result): { from: string; to: string; toKind: "name" | "addr"; type: string }[] {
  if (!r.rrname || !r.rrtype) return [];
  const out = [];
  for (const d of rdataList(r)) {
    const t = rdataTarget(r.rrtype, d);
    if (t && r.rrtype !== "SOA") out.push({ from: r.rrname, to: t.value, toKind: t.kind, type: r.rrtype });
  }
  return out;
}
