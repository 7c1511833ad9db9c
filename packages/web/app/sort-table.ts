/** A small sortable table (the dashboard's panels): click a header to sort by it, again to reverse. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { html } from "./html.js";

export interface SortColumn<T> {
  key: string;
  label: string;
  value: (row: T) => string | number;
  cell?: (row: T) => unknown;
  num?: boolean;
}

export function SortTable<T>(props: { columns: SortColumn<T>[]; rows: readonly T[]; label: string; initial?: { key: string; desc: boolean } }): JSX.Element {
  const [sort, setSort] = useState(props.initial ?? null);
  const col = props.columns.find((c) => c.key === sort?.key);
  const rows = col
    ? [...props.rows].sort((a, b) => {
        const x = col.value(a);
        const y = col.value(b);
        const c = x < y ? -1 : x > y ? 1 : 0;
        return sort?.desc ? -c : c;
      })
    : props.rows;
  const by = (key: string): void => setSort(sort?.key === key ? { key, desc: !sort.desc } : { key, desc: true });
  return html`<div class="tablewrap"><table aria-label=${props.label}>
    <thead><tr>${props.columns.map(
      (c) => html`<th scope="col" aria-sort=${sort?.key === c.key ? (sort.desc ? "descending" : "ascending") : "none"}>
        <button type="button" class="sort" data-col=${c.key} onClick=${() => by(c.key)}>${c.label}${sort?.key === c.key ? (sort.desc ? " ▼" : " ▲") : ""}</button></th>`,
    )}</tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr>${props.columns.map((c) => html`<td data-label=${c.label} data-col=${c.key} class=${c.num ? "num" : undefined}>${c.cell ? c.cell(r) : c.value(r)}</td>`)}</tr>`,
    )}</tbody>
  </table></div>` as JSX.Element;
}
