import type { PdnsRecord, PdnsSummary, RateLimit } from "@dnsrep/client";
import type { EntryObject } from "@dnsrep/dnstable";

/**
 * How answers are printed. `dns` (also `text`): dnstable-lookup's text for the same records (an
 * RRset as a `;;` block and its records, an rdata record as one line), so local and remote
 * answers diff cleanly. `json`: each object as the server sent it, one a line (dnsdbq -j). `csv`:
 * dnsdbq's CSV, byte for byte (a header before the first row of each answer; one row per rdata;
 * fields quoted but not escaped, as dnsdbq writes them).
 */
export type Presentation = "dns" | "json" | "csv";

/** dnsdbq's time_str: "YYYY-MM-DD HH:MM:SS" (UTC), or with DNSDBQ_TIME_FORMAT=iso "YYYY-MM-DDTHH:MM:SSZ"; 0 as "0". */
export function timeStr(epoch: number, iso: boolean): string {
  if (epoch === 0) return "0";
  const t = new Date(epoch * 1000).toISOString().slice(0, 19);
  return iso ? `${t}Z` : t.replace("T", " ");
}

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);

let entryText: ((obj: EntryObject) => string) | null = null;

/**
 * Load dnstable-lookup's text formatter (@dnsrep/dnstable, with mtbl and wdns behind it: loaded
 * only for -p dns, so -j and -p csv start faster).
 */
export async function loadDnsText(): Promise<void> {
  entryText ??= (await import("@dnsrep/dnstable")).entryText;
}

/** One record in dnstable-lookup's text form (zone times stand in for sensor times a record lacks). Needs loadDnsText() first. */
export function dnsText(r: PdnsRecord): string {
  if (entryText === null) throw new Error("dnsText: loadDnsText() was not awaited");
  const first = num(r.time_first) ?? num(r.zone_time_first) ?? 0;
  const last = num(r.time_last) ?? num(r.zone_time_last) ?? first;
  const obj = { count: r.count, time_first: first, time_last: last, rrname: r.rrname, rrtype: r.rrtype, rdata: r.rdata };
  return entryText(r.bailiwick === undefined ? obj : { ...obj, bailiwick: r.bailiwick });
}

export const CSV_HEADER = "time_first,time_last,zone_first,zone_last,count,bailiwick,rrname,rrtype,rdata\n";

/** A record's CSV rows (one per rdata), as dnsdbq prints them. */
export function csvRows(r: PdnsRecord, iso: boolean): string {
  const q = (v: unknown): string => (v === undefined || v === null ? "" : `"${String(v)}"`);
  const t = (v: unknown): string => (typeof v === "number" ? `"${timeStr(v, iso)}"` : "");
  const head = [
    t(r.time_first),
    t(r.time_last),
    t(r.zone_time_first),
    t(r.zone_time_last),
    typeof r.count === "number" ? String(Math.trunc(r.count)) : "",
    q(r.bailiwick),
    q(r.rrname),
    q(r.rrtype),
  ].join(",");
  const rdatas = Array.isArray(r.rdata) ? r.rdata : [r.rdata];
  return rdatas.map((d) => `${head},"${d}"\n`).join("");
}

/** A summary as dnsdbq prints it: text, JSON or CSV (each with its header). */
export function summaryText(s: PdnsSummary, p: Presentation, iso: boolean): string {
  if (p === "json") return `${JSON.stringify(s)}\n`;
  const tf = num(s.time_first);
  const tl = num(s.time_last);
  const zf = num(s.zone_time_first);
  const zl = num(s.zone_time_last);
  if (p === "csv") {
    const t = (v: number | null): string => (v === null ? "" : `"${timeStr(v, iso)}"`);
    return `time_first,time_last,zone_first,zone_last,count,num_results\n${t(tf)},${t(tl)},${t(zf)},${t(zl)},${s.count},${s.num_results}\n`;
  }
  let out = "";
  if (tf !== null && tl !== null) out += `;; record times: ${timeStr(tf, iso)} .. ${timeStr(tl, iso)}\n`;
  if (zf !== null && zl !== null) out += `;;   zone times: ${timeStr(zf, iso)} .. ${timeStr(zl, iso)}\n\n`;
  return `${out};; count: ${s.count}; num_results: ${s.num_results}\n`;
}

/** rate_limit as dnsdbq -I prints it: the JSON indented by two, or text with times in UTC and the burst rate in words. */
export function rateText(rate: RateLimit, json: boolean, iso: boolean): string {
  if (json) return `${JSON.stringify({ rate }, null, 2)}\n`;
  let out = "rate:\n";
  for (const k of ["reset", "expires", "limit", "remaining", "results_max", "offset_max"]) {
    const v = rate[k];
    if (v === undefined) continue;
    out += `\t${k}: ${typeof v === "number" && (k === "reset" || k === "expires") ? timeStr(v, iso) : String(v)}\n`;
  }
  const size = rate.burst_size;
  const win = rate.burst_window;
  if (typeof size === "number" && typeof win === "number") {
    const per =
      win === 3600
        ? "per hour"
        : win === 60
          ? "per minute"
          : win % 3600 === 0
            ? `per ${win / 3600} hours`
            : win % 60 === 0
              ? `per ${win / 60} minutes`
              : `per ${win} seconds`;
    out += `\tburst rate: ${size} ${per}\n`;
  }
  return out;
}
