/**
 * The session graph drawn in SVG (labels are SVG text nodes). Clicking a node — or Enter/Space on
 * it — expands it with one pivot query (a name: its RRsets; an address: rdata ip), up to the cap.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, lookup } from "./api.js";
import type { GNode, SessionGraph } from "./graph.js";
import { html } from "./html.js";
import { Link } from "./nav.js";
import { rdataIpOf, rrsetOf } from "./pivot.js";

const EXPAND_LIMIT = 50;
const short = (s: string): string => (s.length > 40 ? `${s.slice(0, 38)}…` : s);

export function GraphView(props: { graph: SessionGraph; onAuthLost: () => void }): JSX.Element {
  const g = props.graph;
  const [, setTick] = useState(0);
  const [msg, setMsg] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => g.subscribe(() => setTick((t) => t + 1)), [g]);

  const expand = async (n: GNode): Promise<void> => {
    setSelected(n.id);
    if (busy) return;
    setBusy(n.id);
    setMsg(`Expanding ${n.id}…`);
    const path = `${n.kind === "addr" ? rdataIpOf(n.id) : rrsetOf(n.id)}?limit=${EXPAND_LIMIT}`;
    try {
      const before = g.nodes.size;
      const got: number[] = [0];
      await lookup(path, { onResults: (b) => ((got[0] = (got[0] ?? 0) + b.length), g.add(b)) });
      g.add([], n.id);
      setMsg(`${n.id}: ${got[0]} result${got[0] === 1 ? "" : "s"}, ${g.nodes.size - before} new node${g.nodes.size - before === 1 ? "" : "s"}.${g.dropped ? ` The graph is at its cap of ${g.cap} nodes; ${g.dropped} not shown.` : ""}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) props.onAuthLost();
      setMsg(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  g.ensureLayout();
  const ns = [...g.nodes.values()];
  if (ns.length === 0)
    return html`<section class="graph card"><h2>Graph</h2><p class="muted">Names and addresses you meet in searches appear here. Run a search first.</p></section>` as JSX.Element;
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const n of ns) {
    x0 = Math.min(x0, n.x);
    y0 = Math.min(y0, n.y);
    x1 = Math.max(x1, n.x);
    y1 = Math.max(y1, n.y);
  }
  // a margin for the labels, and no zooming in on a small graph (at least 640×400 units)
  const m = 80;
  const w = Math.max(640, x1 - x0 + 2 * m);
  const h = Math.max(400, y1 - y0 + 2 * m);
  const vb = `${(x0 + x1) / 2 - w / 2} ${(y0 + y1) / 2 - h / 2} ${w} ${h}`;
  const key = (e: KeyboardEvent, n: GNode): void => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      void expand(n);
    }
  };
  const sel = selected ? g.nodes.get(selected) : undefined;
  return html`<section class="graph card" aria-label="Session graph">
    <div class="toolbar"><h2>Graph</h2>
      <span class="muted" data-graph-size=${ns.length}>${ns.length} nodes, ${g.edges.size} edges (cap ${g.cap}${g.dropped ? `; ${g.dropped} not shown` : ""})</span>
      <button type="button" onClick=${() => g.clear()}>Clear graph</button></div>
    <p class="muted">Click a node (or focus it and press Enter) to expand it with one query.</p>
    <svg class="graph-svg" viewBox=${vb} role="group" aria-label="Names and addresses met in this session">
      ${[...g.edges.values()].map((e) => {
        const a = g.nodes.get(e.from) as GNode;
        const b = g.nodes.get(e.to) as GNode;
        return html`<line class=${`edge edge-${e.type === "A" || e.type === "AAAA" ? "addr" : "name"}`} x1=${a.x} y1=${a.y} x2=${b.x} y2=${b.y}><title>${`${e.from} ${e.type} ${e.to}`}</title></line>`;
      })}
      ${ns.map(
        (n) => html`<g class=${`node node-${n.kind}${n.expanded ? " expanded" : ""}${n.id === selected ? " selected" : ""}${n.id === busy ? " busy" : ""}`}
            transform=${`translate(${n.x} ${n.y})`} tabindex="0" role="button" data-id=${n.id}
            aria-label=${`${n.kind === "addr" ? "address" : "name"} ${n.id}${n.expanded ? ", expanded" : ""}`}
            onClick=${() => expand(n)} onKeyDown=${(e: KeyboardEvent) => key(e, n)}>
          <circle r=${n.kind === "addr" ? 6 : 8} />
          <text x="11" y="4">${short(n.id)}</text>
        </g>`,
      )}
    </svg>
    <p class="status" aria-live="polite">${msg}</p>
    ${sel ? html`<p>Open <${Link} href=${sel.kind === "addr" ? rdataIpOf(sel.id) : rrsetOf(sel.id)}>${sel.id}<//> as a search.</p>` : null}
  </section>` as JSX.Element;
}
