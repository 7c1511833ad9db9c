/**
 * The search form: kind (rrset / rdata / flex), value (Unicode names become IDNA), type, bailiwick,
 * time fence (relative choices or dates picked in UTC), strict/loose, limit. Submitting navigates to
 * the search's path; the results view runs it.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { navigate } from "./nav.js";
import { emptyQuery, type Fence, KIND_LABELS, KINDS, type Kind, type Query, QueryError, toPath } from "./query.js";

const PLACEHOLDER: Record<Kind, string> = {
  "rrset-name": "www.example.com, *.example.com, example.*",
  "rrset-raw": "03777777076578616d706c6503636f6d00",
  "rdata-name": "ns1.example.com",
  "rdata-ip": "192.0.2.1, 192.0.2.0/24, 192.0.2.1-192.0.2.9",
  "rdata-raw": "c0000201",
  "rdata-asn": "AS64496",
  "rdata-country": "DE",
  "flex-glob": "*.example.*",
  "flex-regex": "^mail[0-9]+\\.",
};
const TYPES = ["ANY", "A", "AAAA", "NS", "CNAME", "MX", "TXT", "SOA", "PTR", "SRV", "DS", "DNSKEY", "ANY-DNSSEC"];

const toLocalInput = (e: number): string => (Number.isFinite(e) && e >= 0 ? new Date(e * 1000).toISOString().slice(0, 16) : "");
const fromLocalInput = (v: string): number => {
  if (!v) return Number.NaN;
  const ms = Date.parse(`${v.length === 16 ? `${v}:00` : v}Z`);
  return Number.isNaN(ms) ? Number.NaN : Math.floor(ms / 1000);
};

export function SearchForm(props: { query: Query | null }): JSX.Element {
  const [q, setQ] = useState<Query>(props.query ?? emptyQuery());
  const [error, setError] = useState("");
  useEffect(() => {
    setQ(props.query ?? emptyQuery());
    setError("");
  }, [props.query]);
  const set = (patch: Partial<Query>): void => setQ({ ...q, ...patch });
  const val = (e: Event): string => (e.currentTarget as HTMLInputElement).value;
  const submit = (e: Event): void => {
    e.preventDefault();
    try {
      navigate(toPath(q));
    } catch (err) {
      setError(err instanceof QueryError ? err.message : String(err));
    }
  };
  const flex = q.kind.startsWith("flex");
  // these lookups take no type (the API has none for them)
  const typed = q.kind !== "rdata-ip" && q.kind !== "rdata-asn" && q.kind !== "rdata-country";
  return html`<form class="search card" role="search" onSubmit=${submit} aria-label="Search passive DNS">
    <div class="row">
      <div class="field"><label for="f-kind">Search</label>
        <select id="f-kind" name="kind" value=${q.kind} onChange=${(e: Event) => set({ kind: val(e) as Kind })}>
          ${KINDS.map((k) => html`<option value=${k}>${KIND_LABELS[k]}</option>`)}
        </select>
      </div>
      ${flex ? html`<div class="field"><label for="f-flexon">Over</label><select id="f-flexon" name="flexOn" value=${q.flexOn} onChange=${(e: Event) => set({ flexOn: val(e) as Query["flexOn"] })}>
          <option value="rrnames">RRnames</option><option value="rdata">Rdata</option></select></div>` : null}
      <label class="grow">Value
        <input name="value" value=${q.value} placeholder=${PLACEHOLDER[q.kind]} spellcheck="false" autocapitalize="off" required
          onInput=${(e: Event) => set({ value: val(e) })} />
      </label>
      ${typed ? html`<label class="narrow">Type <input name="rrtype" list="rrtypes" value=${q.rrtype} placeholder="any" spellcheck="false" autocapitalize="characters" onInput=${(e: Event) => set({ rrtype: val(e) })} /></label>
        <datalist id="rrtypes">${TYPES.map((t) => html`<option value=${t} />`)}</datalist>` : null}
      ${q.kind === "rrset-name" ? html`<label>Bailiwick <input name="bailiwick" value=${q.bailiwick} placeholder="any" spellcheck="false" onInput=${(e: Event) => set({ bailiwick: val(e) })} /></label>` : null}
    </div>
    <div class="row">
      <div class="field"><label for="f-fence">Seen</label>
        <select id="f-fence" name="fence" value=${q.fence} onChange=${(e: Event) => set({ fence: val(e) as Fence })}>
          <option value="any">any time</option>
          <option value="24h">in the last 24 h</option>
          <option value="7d">in the last 7 days</option>
          <option value="30d">in the last 30 days</option>
          <option value="custom">between dates (UTC)…</option>
        </select>
      </div>
      ${q.fence === "custom" ? html`<label>From (UTC) <input type="datetime-local" name="from" value=${toLocalInput(q.from)} onInput=${(e: Event) => set({ from: fromLocalInput(val(e)) })} /></label>
        <label>To (UTC) <input type="datetime-local" name="to" value=${toLocalInput(q.to)} onInput=${(e: Event) => set({ to: fromLocalInput(val(e)) })} /></label>` : null}
      <label class="check"><input type="checkbox" name="strict" checked=${q.strict} onChange=${(e: Event) => set({ strict: (e.currentTarget as HTMLInputElement).checked })} /> strict (wholly inside)</label>
      <label class="narrow">Limit <input type="number" name="limit" min="1" max="1000000" value=${q.limit} onInput=${(e: Event) => set({ limit: Math.max(1, Number(val(e)) || 1) })} /></label>
      <button type="submit">Search</button>
    </div>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
  </form>` as JSX.Element;
}
