/**
 * A search's results: streamed in (first rows painted as soon as they arrive), a sortable table
 * paged 50 rows at a time, the terminator spelled out (a limited answer says so and offers the next
 * chunk through `offset`), downloads, the timeline, and every name and address a pivot link.
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, lookup, type Result, type Terminator } from "./api.js";
import { COLUMNS, type Column, csv, digText, firstSeen, jsonLines, lastSeen, rdataList, sortResults, utc } from "./format.js";
import type { SessionGraph } from "./graph.js";
import { html } from "./html.js";
import { unicodeForm } from "./idna.js";
import { Link } from "./nav.js";
import { rdataPivots, rdataTarget, rrsetOf } from "./pivot.js";
import { Timeline } from "./timeline.js";

export const PAGE = 50;

function Name(props: { name: string; href?: string }): JSX.Element {
  const u = unicodeForm(props.name);
  const text = props.href ? html`<${Link} href=${props.href} class="name">${props.name}<//>` : html`<span class="name">${props.name}</span>`;
  return html`<span class="cellname">${text}${u ? html` <bdi class="unicode" title="Unicode form">(${u})</bdi>` : null}</span>` as JSX.Element;
}

function Rdata(props: { rrtype: string; value: string }): JSX.Element {
  const t = rdataTarget(props.rrtype, props.value);
  const piv = rdataPivots(props.rrtype, props.value);
  if (!t || piv.length === 0) return html`<div class="rdata">${props.value}</div>` as JSX.Element;
  const [main, ...more] = piv;
  const target = t.kind === "name" ? unicodeForm(t.value) : null;
  return html`<div class="rdata">
    <${Link} href=${(main as { path: string }).path} title=${(main as { label: string }).label}>${props.value}<//>
    ${target ? html` <bdi class="unicode">(${target})</bdi>` : null}
    ${more.map((p) => html` <${Link} href=${p.path} class="pivot">${p.label}<//>`)}
  </div>` as JSX.Element;
}

function Time(props: { epoch: number | undefined }): JSX.Element {
  if (props.epoch === undefined) return html`<span></span>` as JSX.Element;
  return html`<time datetime=${new Date(props.epoch * 1000).toISOString()} title=${`epoch ${props.epoch}`}>${utc(props.epoch)}</time>` as JSX.Element;
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const TERMS: Record<Terminator["cond"], string> = {
  succeeded: "Complete: the server returned every matching result.",
  limited: "Limited: the result limit cut this answer; there may be more.",
  failed: "Failed: the server stopped with an error; these results are incomplete.",
  truncated: "Incomplete: the answer was cut off; these results are not all there is.",
};

export function ResultsView(props: { path: string; graph: SessionGraph; onAuthLost: () => void }): JSX.Element {
  const [results, setResults] = useState<Result[]>([]);
  const [term, setTerm] = useState<Terminator | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [sort, setSort] = useState<{ col: Column; desc: boolean } | null>(null);
  const [page, setPage] = useState(0);
  const [tab, setTab] = useState<"table" | "timeline">("table");
  const acc = useRef<Result[]>([]);
  const painted = useRef(true);
  const ctl = useRef<AbortController | null>(null);

  const run = (offset: number): void => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setBusy(true);
    setError("");
    setTerm(null);
    painted.current = false;
    let raf = 0;
    const flush = (): void => {
      raf = 0;
      setResults([...acc.current]);
    };
    const sep = props.path.includes("?") ? "&" : "?";
    const path = offset > 0 ? `${props.path}${sep}offset=${offset}` : props.path;
    lookup(
      path,
      {
        onResponse: () => performance.mark("dnsrep:response"),
        onResults: (batch) => {
          acc.current.push(...batch);
          props.graph.add(batch);
          if (!raf) raf = requestAnimationFrame(flush);
        },
      },
      c.signal,
    )
      .then((t) => {
        if (c.signal.aborted) return;
        if (raf) cancelAnimationFrame(raf);
        flush();
        setTerm(t);
      })
      .catch((e: unknown) => {
        if (c.signal.aborted) return;
        if (e instanceof ApiError && e.status === 401) props.onAuthLost();
        setError(e instanceof ApiError ? e.message : `Something went wrong: ${String(e)}`);
      })
      .finally(() => {
        if (!c.signal.aborted) setBusy(false);
      });
  };

  useEffect(() => {
    acc.current = [];
    setResults([]);
    setPage(0);
    setSort(null);
    run(0);
    return () => ctl.current?.abort();
  }, [props.path]);

  // "first results painted": the frame after the first rows were rendered, measured from the response
  useEffect(() => {
    if (painted.current || results.length === 0) return;
    painted.current = true;
    // preact runs effects after the browser painted the render that made them
    performance.mark("dnsrep:painted");
    try {
      performance.measure("dnsrep:first-results", "dnsrep:response", "dnsrep:painted");
    } catch {
      // no response mark (a chunk fetched by offset): nothing to measure
    }
  }, [results]);

  const sorted = useMemo(() => (sort ? sortResults(results, sort.col, sort.desc) : results), [results, sort]);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE));
  const shown = sorted.slice(page * PAGE, page * PAGE + PAGE);
  const sortBy = (col: Column): void => {
    setSort(sort?.col === col ? { col, desc: !sort.desc } : { col, desc: false });
    setPage(0);
  };
  const base = `dnsrep-${props.path.replace(/^\//, "").replace(/[^A-Za-z0-9.-]+/g, "_").slice(0, 80)}`;

  return html`<section class="results" aria-label="Results">
    <div class="status" aria-live="polite">
      ${busy ? html`<span class="busy">Searching… ${results.length} so far</span>` : null}
      ${term ? html`<span class=${`term term-${term.cond}`} data-cond=${term.cond}>${results.length} result${results.length === 1 ? "" : "s"}. ${TERMS[term.cond]}${term.msg ? ` (${term.msg})` : ""}</span>` : null}
      ${term?.cond === "limited" ? html` <button type="button" class="more" onClick=${() => run(results.length)}>Fetch the next results</button>` : null}
    </div>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    ${results.length > 0
      ? html`<div class="toolbar">
          <div role="tablist" aria-label="Views">
            <button type="button" role="tab" aria-selected=${tab === "table"} onClick=${() => setTab("table")}>Table</button>
            <button type="button" role="tab" aria-selected=${tab === "timeline"} onClick=${() => setTab("timeline")}>Timeline</button>
          </div>
          <div class="downloads">Download:
            <button type="button" onClick=${() => download(`${base}.jsonl`, "application/x-ndjson", jsonLines(sorted))}>JSON lines</button>
            <button type="button" onClick=${() => download(`${base}.csv`, "text/csv", csv(sorted))}>CSV</button>
            <button type="button" onClick=${() => download(`${base}.txt`, "text/plain", digText(sorted))}>dig text</button>
          </div>
        </div>
        ${tab === "timeline"
          ? html`<${Timeline} rows=${shown} />`
          : html`<div class="tablewrap"><table>
              <thead><tr>${COLUMNS.map(
                ([c, label]) => html`<th scope="col" aria-sort=${sort?.col === c ? (sort.desc ? "descending" : "ascending") : "none"}>
                  <button type="button" class="sort" data-col=${c} onClick=${() => sortBy(c)}>${label}${sort?.col === c ? (sort.desc ? " ▼" : " ▲") : ""}</button></th>`,
              )}</tr></thead>
              <tbody>${shown.map(
                (r) => html`<tr>
                  <td data-label="RRname">${r.rrname !== undefined ? html`<${Name} name=${r.rrname} href=${rrsetOf(r.rrname)} />` : null}</td>
                  <td data-label="Type">${r.rrtype ?? ""}</td>
                  <td data-label="Rdata">${rdataList(r).map((d) => html`<${Rdata} rrtype=${r.rrtype ?? ""} value=${d} />`)}</td>
                  <td data-label="Count" class="num">${r.count ?? ""}</td>
                  <td data-label="First seen"><${Time} epoch=${firstSeen(r)} /></td>
                  <td data-label="Last seen"><${Time} epoch=${lastSeen(r)} /></td>
                  <td data-label="Bailiwick">${r.bailiwick !== undefined ? html`<${Name} name=${r.bailiwick} href=${rrsetOf(r.bailiwick)} />` : null}</td>
                </tr>`,
              )}</tbody>
            </table></div>`}
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled=${page === 0} onClick=${() => setPage(page - 1)}>← Previous</button>
          <span class="pageinfo">Rows ${page * PAGE + 1}–${Math.min(sorted.length, (page + 1) * PAGE)} of ${sorted.length} (page ${page + 1} of ${pages})</span>
          <button type="button" disabled=${page >= pages - 1} onClick=${() => setPage(page + 1)}>Next →</button>
        </nav>`
      : !busy && term && !error
        ? html`<p class="muted">No results.</p>`
        : null}
  </section>` as JSX.Element;
}
