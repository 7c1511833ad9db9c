import { readFileSync, rmSync } from "node:fs";
import { writeFileAtomic, writeFileAtomicAsync } from "@dnsrep/util";
import { type AggregateLimits, Aggregates, type NewDomain, type SourceContact } from "./aggregates.js";
import { EnrichCounts, type EnrichCountsState } from "./enrich-counts.js";
import { SpaceSaving } from "./space-saving.js";

/**
 * The aggregates' file: `DNSREPDASH2\n`, the JSON state's length (u32 LE), the JSON state, then
 * the names and the domains Bloom filters' raw bits (sizes in the JSON). Written to a temporary
 * file, fsynced and renamed over the old one, so a crash leaves the old file or the new one.
 * Version 2 added the ASN / country counts (`enrich` in the JSON); a version 1 file is still
 * read, its enrichment counts then starting empty.
 */
const MAGIC = new TextEncoder().encode("DNSREPDASH2\n");
/** the previous version's magic (same layout, no `enrich`) */
const MAGIC_V1 = new TextEncoder().encode("DNSREPDASH1\n");

interface SavedState {
  limits: Required<AggregateLimits>;
  newest: number;
  observations: number;
  hours: Record<string, [hour: number, obs: number, newNames: number, count: number][]>;
  rrtypes: [rrtype: number, obs: number, count: number][];
  names: unknown;
  addresses: unknown;
  newDomains: NewDomain[];
  sources: Record<string, SourceContact>;
  /** version 2 on */
  enrich?: EnrichCountsState;
}

export function encodeAggregates(a: Aggregates): Uint8Array {
  a.prune();
  const st: SavedState = {
    limits: a.limits,
    newest: a.newest,
    observations: a.observations,
    hours: Object.fromEntries([...a.hours].map(([s, m]) => [s, [...m].map(([h, b]) => [h, b[0], b[1], b[2]])])),
    rrtypes: [...a.rrtypes].map(([t, v]) => [t, v[0], v[1]]),
    names: a.names.toJSON(),
    addresses: a.addresses.toJSON(),
    newDomains: a.newDomains,
    sources: Object.fromEntries(a.sources),
    enrich: a.enrich.toJSON(),
  };
  const json = new TextEncoder().encode(JSON.stringify(st));
  const out = new Uint8Array(MAGIC.length + 4 + json.length + a.nameFilter.bits.length + a.domainFilter.bits.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  out.set(a.nameFilter.bits, MAGIC.length + 4 + json.length);
  out.set(a.domainFilter.bits, MAGIC.length + 4 + json.length + a.nameFilter.bits.length);
  return out;
}

/** Decode a saved file; throws TypeError (with what is wrong) when it is not one. */
export function decodeAggregates(buf: Uint8Array, limits: AggregateLimits): Aggregates {
  if (buf.length < MAGIC.length + 4) throw new TypeError("not a dashboard aggregates file");
  const v2 = MAGIC.every((b, i) => buf[i] === b);
  if (!v2 && !MAGIC_V1.every((b, i) => buf[i] === b)) throw new TypeError("not a dashboard aggregates file");
  const jl = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(MAGIC.length, true);
  const j0 = MAGIC.length + 4;
  if (j0 + jl > buf.length) throw new TypeError("truncated dashboard aggregates file");
  let st: SavedState;
  try {
    st = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(j0, j0 + jl))) as SavedState;
  } catch {
    throw new TypeError("corrupt dashboard aggregates file (its JSON)");
  }
  const nb = st.limits?.nameFilterBytes;
  const db = st.limits?.domainFilterBytes;
  if (!Number.isSafeInteger(nb) || !Number.isSafeInteger(db) || nb < 8 || db < 8 || j0 + jl + nb + db !== buf.length)
    throw new TypeError("truncated dashboard aggregates file (its filters)");
  // the filters keep the size they were made with; the other limits are today's
  const a = new Aggregates(
    { ...limits, nameFilterBytes: nb, domainFilterBytes: db },
    { names: buf.slice(j0 + jl, j0 + jl + nb), domains: buf.slice(j0 + jl + nb) },
  );
  const num = (v: unknown): number => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError("corrupt dashboard aggregates file (a number)");
    return v;
  };
  const list = (v: unknown): unknown[] => {
    if (!Array.isArray(v)) throw new TypeError("corrupt dashboard aggregates file (a list)");
    return v;
  };
  const record = (v: unknown): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError("corrupt dashboard aggregates file (an object)");
    return v as Record<string, unknown>;
  };
  a.newest = num(st.newest);
  a.observations = num(st.observations);
  for (const [s, rows] of Object.entries(record(st.hours)))
    a.hours.set(
      s,
      new Map(
        list(rows).map((r) => {
          const [h, o, n, c] = list(r).map(num);
          return [num(h), [num(o), num(n), num(c)]];
        }),
      ),
    );
  for (const r of list(st.rrtypes)) {
    const [t, o, c] = list(r).map(num);
    a.rrtypes.set(num(t), [num(o), num(c)]);
  }
  a.names = SpaceSaving.fromJSON(st.names);
  a.addresses = SpaceSaving.fromJSON(st.addresses);
  a.newDomains = list(st.newDomains)
    .slice(0, a.limits.newDomains)
    .map((v) => {
      const d = record(v);
      if (typeof d.domain !== "string" || typeof d.source !== "string")
        throw new TypeError("corrupt dashboard aggregates file (a new domain)");
      return { domain: d.domain, first: num(d.first), source: d.source };
    });
  for (const [s, v] of Object.entries(record(st.sources))) {
    const c = record(v);
    a.sources.set(s, { lastContactMs: num(c.lastContactMs), observations: num(c.observations), newest: num(c.newest) });
  }
  // a version 1 file has no enrichment counts: they start empty
  if (v2) a.enrich = EnrichCounts.fromJSON(st.enrich, a.limits.topCapacity);
  return a;
}

/** Write `a` to `path` crash-safely (temp file, fsync, rename). */
export function saveAggregates(path: string, a: Aggregates): void {
  writeFileAtomic(path, encodeAggregates(a), { temp: `${path}.tmp` });
}

/** Read `path`; a missing file gives empty aggregates; a bad one throws TypeError. A leftover temp file is removed. */
export function loadAggregates(path: string, limits: AggregateLimits): Aggregates {
  rmSync(`${path}.tmp`, { force: true });
  let buf: Uint8Array;
  try {
    buf = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Aggregates(limits);
    throw e;
  }
  return decodeAggregates(buf, limits);
}

/** saveAggregates with the writing, fsync and rename off the event loop (the encoding is done at once: `a` may change after). */
export function saveAggregatesAsync(path: string, a: Aggregates): Promise<void> {
  return writeFileAtomicAsync(path, encodeAggregates(a), { temp: `${path}.tmp` });
}
