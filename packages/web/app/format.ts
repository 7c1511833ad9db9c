/** Times in UTC, record fields as columns, and the three download formats (JSON lines, CSV, dig). */
import type { Result } from "./api.js";

const pad = (n: number): string => String(n).padStart(2, "0");

/** `2026-11-22 09:34:59` (UTC) from epoch seconds; "" when absent. */
export function utc(epoch: number | undefined): string {
  if (epoch === undefined || !Number.isFinite(epoch)) return "";
  const d = new Date(epoch * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export const firstSeen = (r: Result): number | undefined => r.time_first ?? r.zone_time_first;
export const lastSeen = (r: Result): number | undefined => r.time_last ?? r.zone_time_last;
export const rdataList = (r: Result): string[] => (r.rdata === undefined ? [] : Array.isArray(r.rdata) ? r.rdata : [r.rdata]);

export type Column = "rrname" | "rrtype" | "rdata" | "count" | "first" | "last" | "bailiwick";
export const COLUMNS: [Column, string][] = [
  ["rrname", "RRname"],
  ["rrtype", "Type"],
  ["rdata", "Rdata"],
  ["count", "Count"],
  ["first", "First seen (UTC)"],
  ["last", "Last seen (UTC)"],
  ["bailiwick", "Bailiwick"],
];

function sortKey(r: Result, c: Column): string | number {
  switch (c) {
    case "count":
      return r.count ?? -1;
    case "first":
      return firstSeen(r) ?? -1;
    case "last":
      return lastSeen(r) ?? -1;
    case "rdata":
      return rdataList(r).join(" ");
    default:
      return r[c] ?? "";
  }
}

/** A sorted copy (stable: equal keys keep the server's order). */
export function sortResults(rs: readonly Result[], c: Column, desc: boolean): Result[] {
  const keyed = rs.map((r, i) => ({ r, i, k: sortKey(r, c) }));
  keyed.sort((a, b) => {
    const d = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
    return (desc ? -d : d) || a.i - b.i;
  });
  return keyed.map((x) => x.r);
}

export function jsonLines(rs: readonly Result[]): string {
  return rs.map((r) => `${JSON.stringify(r)}\n`).join("");
}

const csvField = (s: string): string => {
  // a leading =, +, -, @ would be a formula in a spreadsheet: quote and prefix it
  const t = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

/** CSV in dnsdbq's `-p csv` column order. */
export function csv(rs: readonly Result[]): string {
  const head = "time_first,time_last,zone_first,zone_last,count,num_results,rrname,rrtype,bailiwick,rdata\r\n";
  const rows = rs.map((r) =>
    [utc(r.time_first), utc(r.time_last), utc(r.zone_time_first), utc(r.zone_time_last), r.count ?? "", r.num_results ?? "", r.rrname ?? "", r.rrtype ?? "", r.bailiwick ?? "", rdataList(r).join(" ")]
      .map((v) => csvField(String(v)))
      .join(","),
  );
  return head + rows.map((l) => `${l}\r\n`).join("");
}

/** dig-style text as dnstable-lookup prints it: a comment block per result, then its records. */
export function digText(rs: readonly Result[]): string {
  const out: string[] = [];
  for (const r of rs) {
    const c: string[] = [];
    if (r.bailiwick !== undefined) c.push(`;;  bailiwick: ${r.bailiwick}`);
    if (r.count !== undefined) c.push(`;;      count: ${r.count}`);
    if (r.time_first !== undefined) c.push(`;; first seen: ${utc(r.time_first)} -0000`);
    if (r.time_last !== undefined) c.push(`;;  last seen: ${utc(r.time_last)} -0000`);
    if (r.zone_time_first !== undefined) c.push(`;; first seen in zone file: ${utc(r.zone_time_first)} -0000`);
    if (r.zone_time_last !== undefined) c.push(`;;  last seen in zone file: ${utc(r.zone_time_last)} -0000`);
    const rd = rdataList(r);
    const lines = rd.length ? rd.map((d) => `${r.rrname ?? ""} IN ${r.rrtype ?? ""} ${d}`) : [`${r.rrname ?? ""} IN ${r.rrtype ?? ""}`];
    out.push([...c, ...lines].join("\n"));
  }
  return out.length ? `${out.join("\n\n")}\n` : "";
}
