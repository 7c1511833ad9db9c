import { isIP } from "node:net";
import { UsageError } from "@dnsrep/cli";
import type { PdnsRecord } from "@dnsrep/client";

/**
 * Sorting as dnsdbq does it (-s ascending, -S descending, -k keys). dnsdbq writes each result to
 * sort(1) behind seven fields — first, last, duration, count, the owner name and the rdata in a
 * collatable form, the type — and runs `LC_ALL=C sort -u -kN[n][r] …`: the keys given with -k,
 * then its default order first,last,duration,count,name,type,data, seven keys in all (so a key
 * may come twice and the last defaults fall off). A text key runs from its field to the end of
 * the line, and -u keeps one of each run of results whose keys all compare equal. Reproduced here
 * in memory, so `-s`/`-S` order (and drop) exactly what dnsdbq does.
 */

export const SORT_KEYS = ["first", "last", "duration", "count", "name", "type", "data"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
const MAX_KEYS = 7;

/** The keys dnsdbq sorts on for the -k lists given (each key at most once). Throws UsageError. */
export function sortKeys(given: string[]): SortKey[] {
  const keys: SortKey[] = [];
  for (const list of given)
    for (const k of list.split(",")) {
      const key = k.toLowerCase() as SortKey;
      if (!SORT_KEYS.includes(key)) throw new UsageError("key must be in first|last|duration|count|name|type|data");
      if (keys.includes(key)) throw new UsageError("Each sort key may only be specified once");
      keys.push(key);
    }
  for (const k of SORT_KEYS) if (keys.length < MAX_KEYS) keys.push(k);
  return keys.slice(0, MAX_KEYS);
}

/** A DNS name in dnsdbq's collatable form: labels TLD first, only their ASCII letters and digits, lower case ("." when none). */
export function collatableName(name: string): string {
  const labels: string[] = [];
  let cur = "";
  let escaped = false;
  for (const ch of name) {
    if (escaped) {
      cur += ch;
      escaped = false;
    } else if (ch === "\\") {
      cur += ch;
      escaped = true;
    } else if (ch === ".") {
      labels.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur !== "") labels.push(cur);
  let out = "";
  for (let i = labels.length - 1; i >= 0; i--) out += (labels[i] as string).replace(/[^A-Za-z0-9]/g, "").toLowerCase();
  return out;
}

function hexOf(bytes: Iterable<number>): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function ipBytes(text: string, v: 4 | 6): number[] {
  if (isIP(text) !== v) return new Array(v === 4 ? 4 : 16).fill(0);
  if (v === 4) return text.split(".").map(Number);
  // expand :: and a trailing dotted quad
  let t = text;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (quad) {
    const b = (quad[1] as string).split(".").map(Number);
    t = `${t.slice(0, -(quad[1] as string).length)}${((b[0] as number) * 256 + (b[1] as number)).toString(16)}:${((b[2] as number) * 256 + (b[3] as number)).toString(16)}`;
  }
  const [head, tail] = t.split("::") as [string, string | undefined];
  const h = head === "" ? [] : head.split(":");
  const tl = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - tl.length).fill("0"), ...tl];
  return groups.flatMap((g) => {
    const n = Number.parseInt(g, 16);
    return [n >> 8, n & 255];
  });
}

function collatableRdatum(rrtype: string, rdatum: string): string {
  if (rrtype === "A") return hexOf(ipBytes(rdatum, 4));
  if (rrtype === "AAAA") return hexOf(ipBytes(rdatum, 6));
  if (rrtype === "NS" || rrtype === "PTR" || rrtype === "CNAME" || rrtype === "DNAME") return collatableName(rdatum);
  if (rrtype === "MX" || rrtype === "RP") {
    const sp = rdatum.lastIndexOf(" ");
    if (sp >= 0) return collatableName(rdatum.slice(sp + 1));
  }
  return rdatum.length === 0 ? "=" : hexOf(new TextEncoder().encode(rdatum));
}

/** The rdata (all of an RRset's, one after the other) in dnsdbq's collatable form. */
export function collatableRdata(r: PdnsRecord): string {
  const all = Array.isArray(r.rdata) ? r.rdata : [r.rdata];
  const s = all.map((d) => collatableRdatum(r.rrtype, d)).join("");
  return s === "" ? "." : s;
}

interface Sortable<T> {
  item: T;
  nums: [number, number, number, number];
  /** the line from field 5 (name), field 6 (type) and field 7 (data) to its end, as bytes */
  tails: [Buffer, Buffer, Buffer];
}

/** The times dnsdbq sorts on: sensor times when both are known, else zone times. */
export function timesOf(r: PdnsRecord): [number, number] {
  const tf = typeof r.time_first === "number" ? r.time_first : 0;
  const tl = typeof r.time_last === "number" ? r.time_last : 0;
  if (tf !== 0 && tl !== 0) return [tf, tl];
  return [typeof r.zone_time_first === "number" ? r.zone_time_first : 0, typeof r.zone_time_last === "number" ? r.zone_time_last : 0];
}

function sortable<T extends PdnsRecord>(item: T, line: string): Sortable<T> {
  const [first, last] = timesOf(item);
  const name = collatableName(item.rrname) || ".";
  const data = collatableRdata(item);
  const t7 = ` ${data} ${line}`;
  const t6 = ` ${item.rrtype}${t7}`;
  const t5 = ` ${name}${t6}`;
  // sort(1)'s unsigned arithmetic: a last before first wraps around
  const duration = last >= first ? last - first : 2 ** 64 + (last - first);
  return { item, nums: [first, last, duration, item.count], tails: [Buffer.from(t5), Buffer.from(t6), Buffer.from(t7)] };
}

const FIELD: Record<SortKey, number> = { first: 0, last: 1, duration: 2, count: 3, name: 4, type: 5, data: 6 };

/**
 * Sort records (with the JSON line each came as, the last part of the sort line) as dnsdbq's
 * `sort -u` would, ascending or (`reverse`) descending on every key; duplicates by the keys are
 * dropped, the first kept.
 */
export function sortRecords<T extends PdnsRecord>(items: { record: T; line: string }[], keys: SortKey[], reverse: boolean): T[] {
  const rows = items.map((x) => sortable(x.record, x.line));
  const cmp = (a: Sortable<T>, b: Sortable<T>): number => {
    for (const k of keys) {
      const f = FIELD[k];
      let c: number;
      if (f < 4) {
        const x = a.nums[f as 0] as number;
        const y = b.nums[f as 0] as number;
        c = x < y ? -1 : x > y ? 1 : 0;
      } else c = Buffer.compare(a.tails[(f - 4) as 0], b.tails[(f - 4) as 0]);
      if (c !== 0) return reverse ? -c : c;
    }
    return 0;
  };
  rows.sort(cmp);
  const out: T[] = [];
  let prev: Sortable<T> | null = null;
  for (const r of rows) {
    if (prev !== null && cmp(prev, r) === 0) continue;
    out.push(r.item);
    prev = r;
  }
  return out;
}
