import { rrtypeToString } from "@dnsrep/wdns";
import type { Aggregates } from "./aggregates.js";
import type { EnrichCounts } from "./enrich-counts.js";
import { SpaceSaving } from "./space-saving.js";

export const RANGES = { "24h": 24 * 3600, "7d": 7 * 86400, "30d": 30 * 86400 } as const;
export type RangeName = keyof typeof RANGES;

/** What GET /ui/api/dashboard answers (docs/web-ui.md, "Dashboard"). */
export interface DashboardView {
  range: RangeName;
  /** the window: [start, end) epoch s; end is the hour after the newest observation (capped at now) */
  start: number;
  end: number;
  /** bucket width in seconds (3600, or 86400 for 30d) */
  step: number;
  series: { buckets: number[]; sources: { source: string; observations: number[]; newNames: number[]; count: number[] }[] };
  newDomains: { domain: string; first: number; source: string }[];
  rrtypes: { rrtype: string; observations: number; count: number }[];
  topNames: { name: string; count: number; error: number }[];
  topAddresses: { address: string; count: number; error: number }[];
  /**
   * The ASN / country panels (null: the server has no enrichment; see `enrichNote`). They count
   * each A/AAAA address of the observations ingested live with enrichment on, with the
   * observation's count, under the databases in force at ingest — since `enrichment.since`, not
   * per range (the DATA files are not counted: they carry no stamps).
   */
  topAsns: { asn: number; as_org: string; count: number; error: number }[] | null;
  /** every country counted ("unknown": the country database did not place the address) */
  topCountries: { country: string; count: number }[] | null;
  /** the heaviest (country, ASN) pairs: the world/ASN breakdown (asn null: no ASN known) */
  breakdown: { country: string; asn: number | null; as_org: string; count: number; error: number }[] | null;
  /** since: epoch s of the first address counted (null: none yet); addresses: the sum of their counts; withoutAsn: of which no ASN */
  enrichment: { since: number | null; addresses: number; withoutAsn: number } | null;
  enrichNote: string;
  ingest: {
    now: number;
    /** now minus the newest time_last received live (null: nothing live yet) */
    lagSeconds: number | null;
    silentAfterSeconds: number;
    sources: { source: string; lastContact: number | null; observations: number; newest: number | null; silent: boolean }[];
  };
  files: { state: "none" | "ready" | "computing" | "failed"; files: number; rrsets: number; partial: boolean; message?: string };
  /** observations counted in all (live since the aggregates began, plus the files' RRsets) */
  observations: number;
}

const HOUR = 3600;
/** rows of the world/ASN breakdown */
const BREAKDOWN_ROWS = 200;

/** The response for `range` from the live aggregates and (when ready) the files' ones. */
export function dashboardView(
  parts: { aggs: Aggregates; kind: "live" | "files" }[],
  range: RangeName,
  nowMs: number,
  silentAfterSeconds: number,
  files: DashboardView["files"],
  enriched = false,
  top = 50,
): DashboardView {
  const now = Math.floor(nowMs / 1000);
  let newest = 0;
  for (const p of parts) if (p.aggs.newest > newest) newest = p.aggs.newest;
  const span = RANGES[range];
  const step = range === "30d" ? 86400 : HOUR;
  const endRef = newest > 0 ? Math.min(newest, now) : now;
  const end = Math.floor(endRef / step) * step + step;
  const start = end - span;
  const n = span / step;
  const buckets = Array.from({ length: n }, (_, i) => start + i * step);
  const bySource = new Map<string, { observations: number[]; newNames: number[]; count: number[] }>();
  for (const p of parts)
    for (const [source, hours] of p.aggs.hours)
      for (const [h, b] of hours) {
        if (h < start || h >= end) continue;
        let s = bySource.get(source);
        if (s === undefined) {
          s = { observations: new Array(n).fill(0), newNames: new Array(n).fill(0), count: new Array(n).fill(0) };
          bySource.set(source, s);
        }
        const i = Math.floor((h - start) / step);
        (s.observations[i] as number) += b[0];
        (s.newNames[i] as number) += b[1];
        (s.count[i] as number) += b[2];
      }
  const rr = new Map<number, [number, number]>();
  const names = new SpaceSaving(parts[0]?.aggs.limits.topCapacity ?? 1000);
  const addrs = new SpaceSaving(names.capacity);
  const newDomains: DashboardView["newDomains"] = [];
  for (const p of parts) {
    for (const [t, v] of p.aggs.rrtypes) {
      const have = rr.get(t) ?? [0, 0];
      rr.set(t, [have[0] + v[0], have[1] + v[1]]);
    }
    names.merge(p.aggs.names);
    addrs.merge(p.aggs.addresses);
    for (const d of p.aggs.newDomains) if (d.first >= end - 86400 && d.first < end) newDomains.push(d);
  }
  newDomains.sort((a, b) => b.first - a.first || (a.domain < b.domain ? -1 : 1));
  const live = parts.find((p) => p.kind === "live")?.aggs;
  const sources = live
    ? [...live.sources].map(([source, c]) => ({
        source,
        lastContact: c.lastContactMs > 0 ? Math.floor(c.lastContactMs / 1000) : null,
        observations: c.observations,
        newest: c.newest > 0 ? c.newest : null,
        silent: c.lastContactMs > 0 && nowMs - c.lastContactMs > silentAfterSeconds * 1000,
      }))
    : [];
  sources.sort((a, b) => (a.source < b.source ? -1 : 1));
  return {
    range,
    start,
    end,
    step,
    series: { buckets, sources: [...bySource].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([source, s]) => ({ source, ...s })) },
    newDomains: newDomains.slice(0, 200),
    rrtypes: [...rr]
      .map(([t, v]) => ({ rrtype: rrtypeToString(t), observations: v[0], count: v[1] }))
      .sort((a, b) => b.count - a.count || (a.rrtype < b.rrtype ? -1 : 1)),
    topNames: names.top(top).map((h) => ({ name: h.key, count: h.weight, error: h.error })),
    topAddresses: addrs.top(top).map((h) => ({ address: h.key, count: h.weight, error: h.error })),
    ...enrichPanels(enriched ? (live?.enrich ?? null) : null, top),
    ingest: {
      now,
      lagSeconds: live && live.newest > 0 ? Math.max(0, now - live.newest) : null,
      silentAfterSeconds,
      sources,
    },
    files,
    observations: parts.reduce((s, p) => s + p.aggs.observations, 0),
  };
}

/** The ASN / country panels from the live aggregates' counts (null: no enrichment on this server). */
function enrichPanels(
  e: EnrichCounts | null,
  top: number,
): Pick<DashboardView, "topAsns" | "topCountries" | "breakdown" | "enrichment" | "enrichNote"> {
  if (e === null)
    return {
      topAsns: null,
      topCountries: null,
      breakdown: null,
      enrichment: null,
      enrichNote:
        "No enrichment on this server: start dnstable-server with --store DIR and --geoip-db FILE.mmdb / --asn-db FILE.mmdb to count the addresses ingested from then on by country and ASN.",
    };
  const since = e.since > 0 ? e.since : null;
  return {
    topAsns: e.topAsns(top),
    topCountries: e.topCountries(),
    breakdown: e.breakdown(BREAKDOWN_ROWS),
    enrichment: { since, addresses: e.total, withoutAsn: e.withoutAsn },
    enrichNote:
      since === null
        ? "Enrichment is on; no A/AAAA address has been ingested since: the panels fill as live data arrives."
        : "Each A/AAAA address of the observations ingested live with enrichment on, counted with the observation's count, under the databases in force at ingest (the data files are not counted).",
  };
}
