/**
 * A search as the form holds it, and its URL: the DNSDB API v2 path without its `/dnsdb/v2`
 * prefix (`/lookup/rrset/name/*.example.com/A?time_last_after=…`). The page's URL is that path, so
 * a search is shareable and the back button works; `toPath(fromPath(p))` gives `p` back.
 */
import { toAsciiName } from "./idna.js";

export const KINDS = ["rrset-name", "rrset-raw", "rdata-name", "rdata-ip", "rdata-raw", "rdata-asn", "rdata-country", "flex-glob", "flex-regex"] as const;
export type Kind = (typeof KINDS)[number];
export const KIND_LABELS: Record<Kind, string> = {
  "rrset-name": "RRset by name",
  "rrset-raw": "RRset by raw name (hex)",
  "rdata-name": "Rdata by name",
  "rdata-ip": "Rdata by IP / CIDR / range",
  "rdata-raw": "Rdata by raw value (hex)",
  "rdata-asn": "Rdata by ASN (enrichment)",
  "rdata-country": "Rdata by country (enrichment)",
  "flex-glob": "Flex: glob",
  "flex-regex": "Flex: regex",
};

export type Fence = "any" | "24h" | "7d" | "30d" | "custom";
export const RELATIVE: Record<Exclude<Fence, "any" | "custom">, number> = { "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 };

export interface Query {
  kind: Kind;
  value: string;
  rrtype: string;
  bailiwick: string;
  /** flex: search the rrnames or the rdata */
  flexOn: "rrnames" | "rdata";
  fence: Fence;
  /** custom fence, epoch seconds (NaN: open) */
  from: number;
  to: number;
  /** strict: the record lies wholly inside the fence; loose: it overlaps it */
  strict: boolean;
  limit: number;
  /** query parameters this form does not edit, kept as they came */
  extra: [string, string][];
}

export const DEFAULT_LIMIT = 1000;

export function emptyQuery(): Query {
  return { kind: "rrset-name", value: "", rrtype: "", bailiwick: "", flexOn: "rrnames", fence: "any", from: Number.NaN, to: Number.NaN, strict: false, limit: DEFAULT_LIMIT, extra: [] };
}

export class QueryError extends Error {
  override name = "QueryError";
}

const seg = (s: string): string => encodeURIComponent(s);

/** The value as sent: names in IDNA form, a CIDR's `/` as `,`. */
export function apiValue(q: Query): string {
  const v = q.value.trim();
  if (v === "") throw new QueryError("enter something to search for");
  switch (q.kind) {
    case "rrset-name":
    case "rdata-name":
      return toAsciiName(v);
    case "rdata-ip":
      return v.replace("/", ",");
    case "rdata-asn": {
      const m = /^(?:AS)?(\d{1,10})$/i.exec(v);
      if (m === null || !(Number(m[1]) >= 1 && Number(m[1]) <= 0xffff_ffff)) throw new QueryError("an ASN is a number from 1 to 4294967295, e.g. AS64496");
      return `AS${Number(m[1])}`;
    }
    case "rdata-country":
      if (!/^[A-Za-z]{2}$/.test(v)) throw new QueryError("a country is a two-letter ISO 3166 code, e.g. DE");
      return v.toUpperCase();
    case "rrset-raw":
    case "rdata-raw":
      if (!/^([0-9a-fA-F]{2})+$/.test(v)) throw new QueryError("raw values are hexadecimal, two digits a byte");
      return v.toLowerCase();
    default:
      return v;
  }
}

export function fenceParams(q: Query): [string, string][] {
  let from = Number.NaN;
  let to = Number.NaN;
  if (q.fence === "custom") {
    from = q.from;
    to = q.to;
  } else if (q.fence !== "any") {
    from = -RELATIVE[q.fence];
  }
  const out: [string, string][] = [];
  if (!Number.isNaN(from)) out.push([q.strict ? "time_first_after" : "time_last_after", String(from)]);
  if (!Number.isNaN(to)) out.push([q.strict ? "time_last_before" : "time_first_before", String(to)]);
  return out;
}

/** The page path (= API path without /dnsdb/v2) of a query. Throws QueryError on unusable input. */
export function toPath(q: Query): string {
  const value = apiValue(q);
  const t = q.rrtype.trim().toUpperCase();
  if (t !== "" && !/^[A-Z0-9-]+$/.test(t)) throw new QueryError(`not a record type: ${t}`);
  let path: string;
  switch (q.kind) {
    case "rrset-name": {
      const b = q.bailiwick.trim();
      path = `/lookup/rrset/name/${seg(value)}`;
      if (b !== "") path += `/${seg(t || "ANY")}/${seg(toAsciiName(b))}`;
      else if (t) path += `/${seg(t)}`;
      break;
    }
    case "rrset-raw":
      path = `/lookup/rrset/raw/${seg(value)}${t ? `/${seg(t)}` : ""}`;
      break;
    case "rdata-name":
      path = `/lookup/rdata/name/${seg(value)}${t ? `/${seg(t)}` : ""}`;
      break;
    case "rdata-ip":
      path = `/lookup/rdata/ip/${seg(value)}`;
      break;
    case "rdata-raw":
      path = `/lookup/rdata/raw/${seg(value)}${t ? `/${seg(t)}` : ""}`;
      break;
    case "rdata-asn":
      path = `/lookup/rdata/asn/${seg(value)}`;
      break;
    case "rdata-country":
      path = `/lookup/rdata/country/${seg(value)}`;
      break;
    case "flex-glob":
    case "flex-regex":
      path = `/${q.kind === "flex-glob" ? "glob" : "regex"}/${q.flexOn}/${seg(value)}${t ? `/${seg(t)}` : ""}`;
      break;
  }
  const params = new URLSearchParams();
  for (const [k, v] of fenceParams(q)) params.append(k, v);
  if (q.limit !== DEFAULT_LIMIT) params.append("limit", String(q.limit));
  for (const [k, v] of q.extra) params.append(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const FENCE_KEYS = ["time_first_after", "time_first_before", "time_last_after", "time_last_before"];

/** The query a page path shows, or null when the path is no search. */
export function fromPath(pathname: string, search: string): Query | null {
  const parts = pathname.split("/").slice(1).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const q = emptyQuery();
  const [a, b, c, value, type, bailiwick] = parts;
  if (a === "lookup" && value !== undefined && value !== "") {
    const key = `${b}-${c}`;
    if (!(KINDS as readonly string[]).includes(key) || key.startsWith("flex")) return null;
    q.kind = key as Kind;
    q.value = q.kind === "rdata-ip" ? value.replace(",", "/") : value;
    // rdata by ASN / country take no type
    q.rrtype = q.kind === "rdata-asn" || q.kind === "rdata-country" ? "" : (type ?? "");
    q.bailiwick = bailiwick ?? "";
    if (q.bailiwick !== "" && q.rrtype === "ANY") q.rrtype = "";
  } else if ((a === "glob" || a === "regex") && (b === "rrnames" || b === "rdata") && c !== undefined && c !== "") {
    q.kind = a === "glob" ? "flex-glob" : "flex-regex";
    q.flexOn = b;
    q.value = c;
    q.rrtype = value ?? "";
  } else {
    return null;
  }
  const params = new URLSearchParams(search);
  const fence: Record<string, number> = {};
  for (const [k, v] of params) {
    if (FENCE_KEYS.includes(k) && /^-?\d+$/.test(v)) fence[k] = Number(v);
    else if (k === "limit" && /^\d+$/.test(v)) q.limit = Number(v);
    else q.extra.push([k, v]);
  }
  const from = fence.time_first_after ?? fence.time_last_after;
  const to = fence.time_last_before ?? fence.time_first_before;
  q.strict = fence.time_first_after !== undefined || fence.time_last_before !== undefined;
  if (from !== undefined && from < 0 && to === undefined) {
    const rel = Object.entries(RELATIVE).find(([, s]) => s === -from);
    if (rel) q.fence = rel[0] as Fence;
    else {
      q.fence = "custom";
      q.from = from;
    }
  } else if (from !== undefined || to !== undefined) {
    q.fence = "custom";
    q.from = from ?? Number.NaN;
    q.to = to ?? Number.NaN;
  }
  return q;
}
