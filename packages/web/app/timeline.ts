/**
 * The timeline: each shown result's first–last seen interval as a bar on a shared UTC time axis
 * (uPlot draws the axes and the cursor; a draw hook paints the bars); hovering names the result.
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import type { Result } from "./api.js";
import { firstSeen, lastSeen, rdataList, utc } from "./format.js";
import { html } from "./html.js";

const ROW = 16;

export function Timeline(props: { rows: readonly Result[] }): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<Result | null>(null);
  const rows = props.rows.filter((r) => firstSeen(r) !== undefined && lastSeen(r) !== undefined);
  useEffect(() => {
    const el = box.current;
    if (!el || rows.length === 0) return;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      lo = Math.min(lo, firstSeen(r) as number);
      hi = Math.max(hi, lastSeen(r) as number);
    }
    const pad = Math.max(1, (hi - lo) * 0.04);
    const span = hi - lo + 2 * pad;
    const width = Math.max(280, el.clientWidth);
    const height = Math.min(600, rows.length * ROW + 60);
    const plot = new uPlot(
      {
        width,
        height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        scales: { x: { time: true, range: [lo - pad, hi + pad] }, y: { range: [0, rows.length] } },
        // UTC tick labels: times within a day or two, dates beyond
        axes: [{ values: (_u, ticks) => ticks.map((t) => (span < 2 * 86400 ? utc(t).slice(11) : utc(t).slice(0, 10))) }, { show: false }],
        legend: { show: false },
        cursor: { y: false, drag: { x: false, y: false } },
        series: [{}, { show: true, stroke: "transparent" }],
        hooks: {
          draw: [
            (u) => {
              const ctx = u.ctx;
              ctx.save();
              const bh = Math.max(3, Math.min(12, (u.bbox.height / rows.length) * 0.7));
              rows.forEach((r, i) => {
                const x0 = u.valToPos(firstSeen(r) as number, "x", true);
                const x1 = Math.max(x0 + 3, u.valToPos(lastSeen(r) as number, "x", true));
                const y = u.valToPos(rows.length - i - 0.5, "y", true) - bh / 2;
                ctx.fillStyle = i % 2 ? "#2f6db5" : "#4a8bd6";
                ctx.fillRect(x0, y, x1 - x0, bh);
              });
              ctx.restore();
            },
          ],
          setCursor: [
            (u) => {
              const top = u.cursor.top;
              if (top === undefined || top < 0) return setHover(null);
              const v = u.posToVal(top, "y");
              const i = rows.length - 1 - Math.floor(v);
              setHover(rows[i] ?? null);
            },
          ],
        },
      },
      [[lo - pad, hi + pad], [null, null]],
      el,
    );
    return () => plot.destroy();
  }, [props.rows]);
  if (rows.length === 0) return html`<p class="muted">No times to draw.</p>` as JSX.Element;
  return html`<div class="timeline">
    <div ref=${box} class="timeline-plot" role="img" aria-label=${`First to last seen of ${rows.length} results on a UTC time axis`}></div>
    <p class="timeline-hover" aria-live="polite">${hover ? `${hover.rrname ?? ""} ${hover.rrtype ?? ""} ${rdataList(hover).join(" ")} — ${utc(firstSeen(hover))} to ${utc(lastSeen(hover))} UTC, count ${hover.count ?? "?"}` : "Hover over a bar for its record."}</p>
  </div>` as JSX.Element;
}
