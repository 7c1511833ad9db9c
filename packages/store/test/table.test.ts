/**
 * table.ts: a view reads exactly what the table held when it was taken, in byte order, however
 * many puts (new keys, merged values) and newer views come after it — against a model that copies
 * the table at each view. Triplets (held as numbers) and other values (held as strings) mixed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Table, type TableView, viewSource } from "../src/table.js";

/** Three varints as a latin1 string. */
const triplet = (f: number, l: number, n: number): string => {
  let s = "";
  for (let v of [f, l, n]) {
    while (v >= 128) {
      s += String.fromCharCode((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    s += String.fromCharCode(v);
  }
  return s;
};
/** The three numbers of a triplet made by `triplet`, or null. */
const numbers = (s: string): number[] | null => {
  const out: number[] = [];
  let v = 0;
  let mul = 1;
  for (const c of s) {
    const b = c.charCodeAt(0);
    v += (b & 0x7f) * mul;
    mul *= 128;
    if (b < 0x80) {
      out.push(v);
      v = 0;
      mul = 1;
    }
  }
  return out.length === 3 && mul === 1 ? out : null;
};

/**
 * The model's merge: two triplets of an RRSET or RDATA key (first byte 0x00 or 0x02) as dnstable
 * merges them (min, max, add); else concatenation (capped) or, for "=", the old value.
 */
const merge = (k: string, a: string, b: string): string => {
  const x = numbers(a);
  const y = numbers(b);
  if ((k[0] === "\x00" || k[0] === "\x02") && x && y)
    return triplet(Math.min(x[0] as number, y[0] as number), Math.max(x[1] as number, y[1] as number), (x[2] as number) + (y[2] as number));
  return b === "=" ? a : `${a}${b}`.slice(-6);
};

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
const key = fc.string({ unit: fc.constantFrom("\x00", "\x02", "a", "b", "\x7f", "\x80", "\xff"), minLength: 1, maxLength: 2 });
// values: triplets (held as numbers under RRSET/RDATA keys), non-canonical ones (a zero varint in
// two bytes: held as strings), and others (held as strings; "=" leaves a value as it is)
const value = fc.oneof(
  fc.tuple(fc.nat(300), fc.nat(2 ** 33), fc.nat(2 ** 40)).map(([f, l, n]) => triplet(f, l, n)),
  fc.constantFrom("\x80\x00\x01\x01", "1", "2", "="),
);
const op = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constant("put" as const), key, value) },
  { weight: 2, arbitrary: fc.tuple(fc.constant("view" as const), fc.constant(""), fc.constant("")) },
  { weight: 1, arbitrary: fc.tuple(fc.constant("end" as const), fc.constant(""), fc.constant("")) },
  // a view let go (its saved values folded into the older one's), as the FinalizationRegistry would
  { weight: 2, arbitrary: fc.tuple(fc.constant("drop" as const), fc.nat(), fc.constant("")) },
);

describe("Table views", () => {
  it("each view reads the table as it was when taken: every key in byte order, old values, no later key; views let go in any order", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const t = new Table();
        const model = new Map<string, string>();
        const views: { view: TableView; want: [string, string][] }[] = [];
        t.beginSlice();
        for (const [kind, k, v] of ops) {
          if (kind === "put") {
            t.put(k, v, merge, 0);
            const have = model.get(k);
            model.set(k, have === undefined ? v : merge(k, have, v));
          } else if (kind === "view") {
            views.push({ view: t.view(), want: sorted(model) });
            t.beginSlice();
          } else if (kind === "end") {
            t.endBatch();
            t.beginSlice();
          } else if (views.length > 0) {
            const [gone] = views.splice(Number(k) % views.length, 1);
            t.viewGone((gone as { view: TableView }).view.node);
            t.beginSlice();
          }
        }
        views.push({ view: t.view(), want: sorted(model) });
        expect(t.size).toBe(model.size);
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

  it("many keys (sorted into runs by the puts themselves): views taken between them read what they should", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        let x = seed;
        const rnd = (n: number): number => {
          x = (x * 1103515245 + 12345) % 2 ** 31;
          return x % n;
        };
        const t = new Table();
        const model = new Map<string, string>();
        const views: { view: TableView; want: [string, string][] }[] = [];
        t.beginSlice();
        for (let i = 0; i < 12_000; i++) {
          const k = `\x00${String.fromCharCode(rnd(256), rnd(256))}`;
          const v = triplet(rnd(100), 100 + rnd(100), 1);
          t.put(k, v, merge, 0);
          const have = model.get(k);
          model.set(k, have === undefined ? v : merge(k, have, v));
          if (rnd(3000) === 0) {
            views.push({ view: t.view(), want: sorted(model) });
            t.beginSlice();
          }
        }
        views.push({ view: t.view(), want: sorted(model) });
        for (const { view, want } of views) expect(drain(viewSource(view).iter())).toEqual(want);
      }),
      { numRuns: 5 },
    );
  });

  it("a view let go leaves to the older view the values it saved, and not over the older view's own", () => {
    const concat = (_k: string, a: string, b: string): string => `${a}${b}`;
    const t = new Table();
    t.beginSlice();
    t.put("a", "1", concat, 0);
    t.put("b", "1", concat, 0);
    const v0 = t.view();
    t.beginSlice();
    t.put("a", "2", concat, 0); // saved for v0: a = 1
    const v1 = t.view();
    t.beginSlice();
    t.put("a", "3", concat, 0); // saved for v1: a = 12
    t.put("b", "3", concat, 0); // saved for v1: b = 1 (v0 reads it there)
    t.viewGone(v1.node);
    t.viewGone(v1.node);
    t.beginSlice();
    t.put("b", "4", concat, 0); // v0's map has b already: nothing more to save
    expect([v0.value("a"), v0.value("b")]).toEqual(["1", "1"]);
    const v2 = t.view();
    t.viewGone(v0.node);
    t.beginSlice();
    t.put("a", "5", concat, 0);
    expect([v2.value("a"), v2.value("b")]).toEqual(["123", "134"]);
    expect(t.value("a")).toBe("1235");
  });
});
