import { type DnstableResult, decodeRdataKey, decodeRRsetKey, EntryType } from "@dnsrep/dnstable";
import { addressFields, type StampView } from "./enrich/fields.js";
import { objectOf, type ResultWindow, readFailure, type StreamStats, windowed } from "./saf.js";

/**
 * CIRCL passive DNS's Common Output Format (draft-dulaunoy-dnsop-passive-dns-cof): one JSON object
 * per line per record — rrname, rrtype, rdata (one object per rdata of an RRset), time_first,
 * time_last, count, and bailiwick where known. No framing: a read that fails after the 200 ends
 * the response without its last chunk (the stream is destroyed), so a client sees it cut short.
 */
export function cofLines(r: DnstableResult, humantime: boolean, stats: StreamStats, view: StampView | null = null): string | null {
  const obj = objectOf(r, humantime, stats);
  if (obj === null) return null;
  const base: Record<string, unknown> = {
    count: obj.count,
    time_first: obj.time_first,
    time_last: obj.time_last,
    rrtype: obj.rrtype,
    rrname: obj.rrname,
  };
  const rdatas = Array.isArray(obj.rdata) ? (obj.rdata as string[]) : [obj.rdata as string];
  const wire = view === null ? null : wireRdatas(r);
  let out = "";
  for (const [i, rdata] of rdatas.entries()) {
    const o: Record<string, unknown> = { ...base, rdata };
    if (obj.bailiwick !== undefined) o.bailiwick = obj.bailiwick;
    // a log-derived record: where it came from, and no bailiwick
    if ("source" in obj) o.origin = obj.source;
    const rd = wire?.rdatas[i];
    if (wire && rd !== undefined && view !== null) Object.assign(o, addressFields(wire.rrname, wire.rrtype, rd, view));
    out += `${JSON.stringify(o)}\n`;
  }
  return out;
}

/** The COF lines of one or more windows in turn (a name: its RRsets, then the records naming it), sharing one limit. */
export function* cofStream(windows: (() => ResultWindow)[], stats: StreamStats): Generator<string, void, undefined> {
  try {
    for (const make of windows) {
      const w = make();
      const limited = yield* windowed(w, stats, (r) => cofLines(r, w.humantime, stats, w.enrich ?? null));
      if (limited) {
        stats.end = "limited";
        return;
      }
    }
    stats.end = "succeeded";
  } catch (e) {
    stats.end = "failed";
    throw new Error(readFailure(e));
  }
}

/** A result's owner name, type and wire rdatas (in the order its object lists them), or null. */
function wireRdatas(r: DnstableResult): { rrname: Uint8Array; rrtype: number; rdatas: Uint8Array[] } | null {
  try {
    if (r.entryType === EntryType.RDATA) {
      const k = decodeRdataKey(r.key);
      return k === null ? null : { rrname: k.rrname, rrtype: k.rrtype, rdatas: [k.rdata] };
    }
    if (r.entryType === EntryType.RRSET) return decodeRRsetKey(r.key);
  } catch {}
  return null;
}
