/**
 * table.ts: a view reads exactly what the table held when it was taken, in byte order, however
 * many puts (new keys, merged values) and newer views come after it — against a model that copies
 * the table at each view.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Table, type TableView, viewSource } from "../src/table.js";

/** A merge that changes the value (concatenation, capped) or, for "=", leaves it. */
const merge = (_k: string, a: string, b: string): string => (b === "=" ? a : `${a}${b}`.slice(-6));

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const str = (b: Uint8Array): string => String.fromCharCode(...b);

/** Every entry of a source iterator, as [key, value] strings. */
function drain(it: { next(): boolean; key: Uint8Array; value: Uint8Array }): [string, string][] {
  const out: [string, string][] = [];
  while (it.next()) out.push([str(it.key), str(it.value)]);
  return out;
}

const sorted = (m: Map<string, string>): [string, string][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

// keys over a few bytes (0x00, 0x7f, 0x80, 0xff among them: byte order, not locale order), so keys repeat
const key = fc.string({ unit: fc.constantFrom("\x00", "a", "b", "\x7f", "\x80", "\xff"), minLength: 1, maxLength: 4 });
const op = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constant("put" as const), key, fc.constantFrom("1", "2", "=")) },
  { weight: 2, arbitrary: fc.tuple(fc.constant("view" as const), fc.constant(""), fc.constant("")) },
  { weight: 1, arbitrary: fc.tuple(fc.constant("end" as const), fc.constant(""), fc.constant("")) },
);

describe("Table views", () => {
  it("each view reads the table as it was when taken: every key in byte order, old values, no later key", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const t = new Table();
        const model = new Map<string, string>();
        const views: { view: TableView; want: [string, string][] }[] = [];
        let bytes = 0;
        t.beginSlice();
        for (const [kind, k, v] of ops) {
          if (kind === "put") {
            bytes += t.put(k, v, merge, 0);
            const have = model.get(k);
            model.set(k, have === undefined ? v : merge(k, have, v));
          } else if (kind === "view") {
            views.push({ view: t.view(), want: sorted(model) });
            t.beginSlice();
          } else {
            t.endBatch();
            t.beginSlice();
          }
        }
        views.push({ view: t.view(), want: sorted(model) });
        expect(t.size).toBe(model.size);
        expect(bytes).toBe([...model].reduce((n, [a, b]) => n + a.length + b.length, 0));
        for (const { view, want } of views) {
          const src = viewSource(view);
          expect(drain(src.iter())).toEqual(want);
          for (const [k, v] of want) expect(drain(src.get(latin1(k)))).toEqual([[k, v]]);
          expect(drain(src.get(latin1("\x01")))).toEqual([]);
          const p = latin1("a");
          expect(drain(src.getPrefix(p))).toEqual(want.filter(([k]) => k.startsWith("a")));
          expect(drain(src.getRange(latin1("a"), latin1("\x80")))).toEqual(want.filter(([k]) => k >= "a" && k <= "\x80"));
        }
      }),
      { numRuns: 300 },
    );
  });
});
