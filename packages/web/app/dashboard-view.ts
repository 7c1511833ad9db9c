/**
 * The dashboard (issue 28): observations and new names over time by source, newly seen
 * registered domains, top rrtypes, top names / addresses / ASNs / countries, the world/ASN
 * breakdown (a sortable table of (country, ASN) pairs with their share), and ingest lag with
 * each source's last contact (a silent one highlighted). Every item links to the lookup that
 * explains it; every DNS string is rendered as text.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, type Dashboard, type DashboardRange, getDashboard } from "./api.js";
import { utc } from "./format.js";
import { html } from "./html.js";
import { Link, navigate } from "./nav.js";
import { rdataAsnOf, rdataCountryOf, rdataIpOf, rrsetOf } from "./pivot.js";
import { SeriesChart } from "./series-chart.js";
import { type SortColumn, SortTable } from "./sort-table.js";

const RANGES: DashboardRange[] = ["24h", "7d", "30d"];
const sum = (a: number[]): number => a.reduce((s, x) => s + x, 0);
const ago = (now: number, t: number | null): string => {
  if (t === null) return "never";
  const s = Math.max(0, now - t);
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : s < 172800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} d ago`;
};
const Time = (p: { t: number | null }): JSX.Element =>
  (p.t === null ? html`<span class="muted">—</span>` : html`<time datetime=${new Date(p.t * 1000).toISOString()} title=${`epoch ${p.t}`}>${utc(p.t)}</time>`) as JSX.Element;

type NameRow = Dashboard["topNames"][number];
type AddrRow = Dashboard["topAddresses"][number];
type TypeRow = Dashboard["rrtypes"][number];
type AsnRow = NonNullable<Dashboard["topAsns"]>[number];
type CountryRow = NonNullable<Dashboard["topCountries"]>[number];
type BreakdownRow = NonNullable<Dashboard["breakdown"]>[number];
const UNKNOWN = "unknown";
/** A country code's cell: its rdata/country lookup ("unknown" has none). */
const countryCell = (cc: string) => (cc === UNKNOWN ? html`<span class="muted">unknown</span>` : html`<${Link} href=${rdataCountryOf(cc)}>${cc}<//>`);
const share = (count: number, total: number): string => (total > 0 ? `${((100 * count) / total).toFixed(1)} %` : "—");
type SourceRow = { source: string; observations: number; newNames: number; count: number };

const approx = (r: { error: number }) => (r.error > 0 ? html` <abbr title=${`counted by a bounded sketch: at most ${r.error} too high`}>≤</abbr>` : null);

export function DashboardView(props: { range: DashboardRange; onAuthLost: () => void }): JSX.Element {
  const [d, setD] = useState<Dashboard | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    const c = new AbortController();
    setError("");
    getDashboard(props.range, c.signal)
      .then((x) => {
        if (!c.signal.aborted) setD(x);
      })
      .catch((e: unknown) => {
        if (c.signal.aborted) return;
        if (e instanceof ApiError && e.status === 401) props.onAuthLost();
        setError(e instanceof ApiError ? e.message : `Something went wrong: ${String(e)}`);
      });
    return () => c.abort();
  }, [props.range]);

  const rangeBar = html`<div role="group" aria-label="Range" class="ranges">${RANGES.map(
    (r) => html`<button type="button" aria-pressed=${r === props.range} data-range=${r} onClick=${() => navigate(`/dashboard?range=${r}`)}>${r}</button>`,
  )}</div>`;
  if (error) return html`<section class="dashboard"><h1>Dashboard</h1>${rangeBar}<p role="alert" class="error">${error}</p></section>` as JSX.Element;
  if (d === null) return html`<section class="dashboard"><h1>Dashboard</h1>${rangeBar}<p class="muted">Loading…</p></section>` as JSX.Element;

  const sources: SourceRow[] = d.series.sources.map((s) => ({ source: s.source, observations: sum(s.observations), newNames: sum(s.newNames), count: sum(s.count) }));
  const nameCols: SortColumn<NameRow>[] = [
    { key: "name", label: "Name", value: (r) => r.name, cell: (r) => html`<${Link} href=${rrsetOf(r.name)} class="name">${r.name}<//>` },
    { key: "count", label: "Count", value: (r) => r.count, num: true, cell: (r) => html`${approx(r)}${r.count}` },
  ];
  const addrCols: SortColumn<AddrRow>[] = [
    { key: "address", label: "Address", value: (r) => r.address, cell: (r) => html`<${Link} href=${rdataIpOf(r.address)}>${r.address}<//>` },
    { key: "count", label: "Count", value: (r) => r.count, num: true, cell: (r) => html`${approx(r)}${r.count}` },
  ];
  const typeCols: SortColumn<TypeRow>[] = [
    { key: "rrtype", label: "Type", value: (r) => r.rrtype, cell: (r) => html`<${Link} href=${`/regex/rrnames/${encodeURIComponent(".")}/${encodeURIComponent(r.rrtype)}`}>${r.rrtype}<//>` },
    { key: "observations", label: "RRsets / observations", value: (r) => r.observations, num: true },
    { key: "count", label: "Count", value: (r) => r.count, num: true },
  ];
  const total = d.enrichment?.addresses ?? 0;
  const asnCols: SortColumn<AsnRow>[] = [
    { key: "asn", label: "ASN", value: (r) => r.asn, cell: (r) => html`<${Link} href=${rdataAsnOf(r.asn)}>AS${r.asn}<//>` },
    { key: "as_org", label: "AS organisation", value: (r) => r.as_org },
    { key: "count", label: "Count", value: (r) => r.count, num: true, cell: (r) => html`${approx(r)}${r.count}` },
  ];
  const countryCols: SortColumn<CountryRow>[] = [
    { key: "country", label: "Country", value: (r) => r.country, cell: (r) => countryCell(r.country) },
    { key: "count", label: "Count", value: (r) => r.count, num: true },
  ];
  const breakdownCols: SortColumn<BreakdownRow>[] = [
    { key: "country", label: "Country", value: (r) => r.country, cell: (r) => countryCell(r.country) },
    {
      key: "asn",
      label: "ASN",
      value: (r) => r.asn ?? 0,
      cell: (r) => (r.asn === null ? html`<span class="muted">none</span>` : html`<${Link} href=${rdataAsnOf(r.asn)}>AS${r.asn}<//>`),
    },
    { key: "as_org", label: "AS organisation", value: (r) => r.as_org },
    { key: "count", label: "Count", value: (r) => r.count, num: true, cell: (r) => html`${approx(r)}${r.count}` },
    { key: "share", label: "Share", value: (r) => r.count, num: true, cell: (r) => share(r.count, total) },
  ];
  // the counts are since enrichment began counting, not per range: each panel says so (the note in full once)
  const since = (full: boolean) =>
    d.enrichment?.since != null
      ? html`<p class="muted enrich-since" title=${d.enrichNote}>Since <${Time} t=${d.enrichment.since} /> UTC (not per range).${full ? ` ${d.enrichNote}` : ""}</p>`
      : html`<p class="muted">${d.enrichNote}</p>`;
  const enrichPanel = (rows: unknown[] | null, table: unknown, full = false) =>
    rows === null ? html`<p class="muted">${d.enrichNote}</p>` : html`${since(full)}${rows.length > 0 ? table : null}`;
  const srcCols: SortColumn<SourceRow>[] = [
    { key: "source", label: "Source", value: (r) => r.source },
    { key: "observations", label: "Observations", value: (r) => r.observations, num: true },
    { key: "newNames", label: "New names", value: (r) => r.newNames, num: true },
    { key: "count", label: "Count", value: (r) => r.count, num: true },
  ];
  type Contact = Dashboard["ingest"]["sources"][number];
  const contactCols: SortColumn<Contact>[] = [
    { key: "source", label: "Source", value: (r) => r.source, cell: (r) => html`${r.source}${r.silent ? html` <strong class="silent-flag">silent</strong>` : null}` },
    { key: "lastContact", label: "Last contact (UTC)", value: (r) => r.lastContact ?? 0, cell: (r) => html`<${Time} t=${r.lastContact} /> <span class="muted">${ago(d.ingest.now, r.lastContact)}</span>` },
    { key: "newest", label: "Newest time_last (UTC)", value: (r) => r.newest ?? 0, cell: (r) => html`<${Time} t=${r.newest} />` },
    { key: "observations", label: "Observations", value: (r) => r.observations, num: true },
  ];
  const silent = d.ingest.sources.filter((s) => s.silent);

  return html`<section class="dashboard">
    <div class="toolbar"><h1>Dashboard</h1>${rangeBar}</div>
    <p class="muted">Window ${utc(d.start)} – ${utc(d.end)} UTC (ending at the newest observation), ${d.step === 3600 ? "per hour" : "per day"}.
      ${d.files.state === "ready" ? ` Data files: ${d.files.rrsets} RRsets in ${d.files.files} file${d.files.files === 1 ? "" : "s"}${d.files.partial ? " (partial: the count stopped at its bound)" : ""}.` : d.files.state === "computing" ? " Data files: still being counted." : d.files.state === "failed" ? ` Data files: not counted (${d.files.message ?? "error"}).` : ""}</p>
    ${silent.length > 0 ? html`<p role="alert" class="error silent-alert">Silent: ${silent.map((s) => s.source).join(", ")} — no batch for over ${span(d.ingest.silentAfterSeconds)}.</p>` : null}
    <div class="panels">
      <div class="card panel wide" data-panel="observations"><h2>Observations over time, by source</h2>
        <${SeriesChart} label="Observations per bucket by source" buckets=${d.series.buckets} step=${d.step} series=${d.series.sources.map((s) => ({ name: s.source, values: s.observations }))} />
      </div>
      <div class="card panel wide" data-panel="new-names"><h2>New names over time, by source</h2>
        <${SeriesChart} label="New names per bucket by source" buckets=${d.series.buckets} step=${d.step} series=${d.series.sources.map((s) => ({ name: s.source, values: s.newNames }))} />
        <${SortTable} label="Totals in range by source" columns=${srcCols} rows=${sources} initial=${{ key: "observations", desc: true }} />
      </div>
      <div class="card panel" data-panel="new-domains"><h2>Newly seen registered domains (24 h)</h2>
        ${d.newDomains.length === 0 ? html`<p class="muted">None in the last 24 h of data.</p>` : html`<ul class="domains">${d.newDomains.map((n) => html`<li><${Link} href=${rrsetOf(`*.${n.domain}`)} class="name">${n.domain}<//> <span class="muted">${utc(n.first)} · ${n.source}</span></li>`)}</ul>`}
      </div>
      <div class="card panel" data-panel="rrtypes"><h2>Top rrtypes</h2><${SortTable} label="Top rrtypes" columns=${typeCols} rows=${d.rrtypes} /></div>
      <div class="card panel" data-panel="names"><h2>Top names</h2><${SortTable} label="Top names" columns=${nameCols} rows=${d.topNames} /></div>
      <div class="card panel" data-panel="addresses"><h2>Top addresses</h2><${SortTable} label="Top addresses" columns=${addrCols} rows=${d.topAddresses} /></div>
      <div class="card panel" data-panel="asns"><h2>Top ASNs</h2>${enrichPanel(d.topAsns, html`<${SortTable} label="Top ASNs" columns=${asnCols} rows=${d.topAsns ?? []} />`)}</div>
      <div class="card panel" data-panel="countries"><h2>Top countries</h2>${enrichPanel(d.topCountries, html`<${SortTable} label="Top countries" columns=${countryCols} rows=${d.topCountries ?? []} />`)}</div>
      <div class="card panel wide" data-panel="breakdown"><h2>World / ASN breakdown</h2>${enrichPanel(
        d.breakdown,
        html`<p class="muted">Addresses by country and ASN (${total} counted${d.enrichment && d.enrichment.withoutAsn > 0 ? `, ${d.enrichment.withoutAsn} without an ASN` : ""}); a share is of all of them. Click a column header to sort.</p>
          <${SortTable} label="World / ASN breakdown" columns=${breakdownCols} rows=${d.breakdown ?? []} initial=${{ key: "count", desc: true }} />`,
        true,
      )}</div>
      <div class="card panel wide" data-panel="ingest"><h2>Ingest</h2>
        <p>Lag (now − newest observation received): <strong data-lag>${d.ingest.lagSeconds === null ? "no live ingest yet" : `${d.ingest.lagSeconds} s`}</strong></p>
        ${d.ingest.sources.length === 0 ? html`<p class="muted">No source has sent a batch to this server's live store.</p>` : html`<${SortTable} label="Sources and their last contact" columns=${contactCols} rows=${d.ingest.sources} />`}
      </div>
    </div>
  </section>` as JSX.Element;
}

/** A duration as people say it: "45 s", "10 min", "2 h". */
function span(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
