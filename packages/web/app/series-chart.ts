/** A time series per source (the dashboard's observations / new names panels), drawn with uPlot in UTC. */
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { utc } from "./format.js";
import { html } from "./html.js";

const COLORS = ["#2f6db5", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#17a589", "#7f8c8d", "#b03a8a"];

export function SeriesChart(props: { label: string; buckets: number[]; series: { name: string; values: number[] }[]; step: number }): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || props.buckets.length === 0) return;
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        scales: { x: { time: true }, y: { range: (_u, _lo, hi) => [0, Math.max(1, hi)] } },
        axes: [{ values: (_u, ticks) => ticks.map((t) => (props.step < 86400 && props.buckets.length <= 48 ? utc(t).slice(11, 16) : utc(t).slice(5, 10))) }, {}],
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        series: [{ value: (_u, v) => (v === null ? "" : `${utc(v)} UTC`) }, ...props.series.map((s, i) => ({ label: s.name, stroke: COLORS[i % COLORS.length] as string, width: 1.5, points: { show: false } }))],
      },
      [props.buckets, ...props.series.map((s) => s.values)],
      el,
    );
    return () => plot.destroy();
  }, [props.buckets, props.series]);
  if (props.series.length === 0) return html`<p class="muted">Nothing in this range.</p>` as JSX.Element;
  return html`<div ref=${box} class="series-plot" role="img" aria-label=${props.label}></div>` as JSX.Element;
}
