import { type DnstableResult, type EntryObject, isDnstableError, resultObject } from "@dnsrep/dnstable";
import { isMtblError } from "@dnsrep/mtbl";
import { isWdnsError } from "@dnsrep/wdns";
import { enrichSafLine, type StampView } from "./enrich/fields.js";
import { lineWithSource, objectWithSource, sourceOf } from "./ingest/provenance.js";
import { resultLine, rfc3339 } from "./result-line.js";

/**
 * DNSDB API v2's Streaming API Framing (SAF): `{"cond":"begin"}`, one `{"obj":{…}}` line per
 * result, then exactly one terminator — `{"cond":"succeeded"}`, `{"cond":"limited",…}` when the
 * limit cut the results, `{"cond":"failed",…}` when reading failed after the 200 went out.
 */
export const SAF_BEGIN = '{"cond":"begin"}\n';
export const SAF_SUCCEEDED = '{"cond":"succeeded"}\n';
export const SAF_LIMITED = '{"cond":"limited","msg":"Result limit reached"}\n';
export function safFailed(msg: string): string {
  return `${JSON.stringify({ cond: "failed", msg })}\n`;
}

/** What a streamed query did, for the access log and metrics (updated as it runs). */
export interface StreamStats {
  /** results sent */
  results: number;
  /** entries skipped because they do not decode */
  corrupt: number;
  /** how it ended: "succeeded", "limited", "failed"; "-" for no stream or while running */
  end: string;
  /** whether the client left before the results were all produced */
  aborted: boolean;
  /** the client's swclient and version parameters, for the access log */
  swclient: string | null;
  version: string | null;
}

export function newStats(): StreamStats {
  return { results: 0, corrupt: 0, end: "-", aborted: false, swclient: null, version: null };
}

/** The results a query yields after the type selection and offset, up to `limit`. */
export interface ResultWindow {
  results: Iterable<DnstableResult>;
  /** whether a result answers the query (the rrtype selection) */
  keep: (r: DnstableResult) => boolean;
  offset: number;
  limit: number;
  humantime: boolean;
  /** with `?enrich=1` on a server with enrichment: the request's stamps */
  enrich?: StampView | null;
}

export { rfc3339 } from "./result-line.js";

/** A result's JSON object (null when it does not decode: counted as corrupt). */
export function objectOf(r: DnstableResult, humantime: boolean, stats: StreamStats): EntryObject | Record<string, unknown> | null {
  let obj: EntryObject | null;
  try {
    obj = resultObject(r);
  } catch (e) {
    if (!isDnstableError(e) && !isWdnsError(e)) throw e;
    obj = null;
  }
  if (obj === null) {
    stats.corrupt++;
    return null;
  }
  const source = sourceOf(r);
  const o = source === undefined ? obj : objectWithSource(obj, source);
  if (!humantime) return o;
  return { ...o, time_first: rfc3339(obj.time_first), time_last: rfc3339(obj.time_last) };
}

/** A result's SAF line (resultLine; null when it does not decode: counted as corrupt). */
export function lineOf(r: DnstableResult, humantime: boolean, stats: StreamStats): string | null {
  let line: string | null;
  try {
    line = resultLine(r, humantime);
  } catch (e) {
    if (!isDnstableError(e) && !isWdnsError(e)) throw e;
    line = null;
  }
  if (line === null) stats.corrupt++;
  else {
    const source = sourceOf(r);
    if (source !== undefined) line = lineWithSource(line, source);
  }
  return line;
}

/** The message for an error met while reading (a damaged file): no stack, no paths beyond the message. */
export function readFailure(e: unknown): string {
  if (isMtblError(e) || isDnstableError(e)) return `data error: ${e.message}`;
  return "internal error";
}

/**
 * The lines of a window, each result through `line`: "" is yielded every few hundred results
 * skipped (the offset, the type selection) so the stream can give the event loop a turn; `done`
 * is told whether the limit cut the results. Errors propagate to the caller.
 */
export function* windowed(
  w: ResultWindow,
  stats: StreamStats,
  line: (r: DnstableResult) => string | null,
): Generator<string, boolean, undefined> {
  let skipped = 0;
  let idle = 0;
  for (const r of w.results) {
    if (++idle >= 256) {
      idle = 0;
      yield "";
    }
    if (!w.keep(r)) continue;
    if (skipped < w.offset) {
      skipped++;
      continue;
    }
    if (stats.results >= w.limit) return true;
    const l = line(r);
    if (l === null) continue;
    stats.results++;
    idle = 0;
    yield l;
  }
  return false;
}

/** A lookup's SAF lines. */
export function* lookupLines(w: ResultWindow, stats: StreamStats): Generator<string, void, undefined> {
  yield SAF_BEGIN;
  let end: string;
  try {
    const view = w.enrich ?? null;
    const limited = yield* windowed(
      w,
      stats,
      view === null
        ? (r) => lineOf(r, w.humantime, stats)
        : (r) => {
            const l = lineOf(r, w.humantime, stats);
            return l === null ? null : enrichSafLine(l, r, view);
          },
    );
    end = limited ? SAF_LIMITED : SAF_SUCCEEDED;
    stats.end = limited ? "limited" : "succeeded";
  } catch (e) {
    end = safFailed(readFailure(e));
    stats.end = "failed";
  }
  yield end;
}

/**
 * A summarize's SAF lines: one object with the summed count, the earliest time_first, the latest
 * time_last and num_results over the matching results (up to the limit, and stopping once the
 * count exceeds `maxCount`); no object when nothing matched.
 */
export function* summarizeLines(w: ResultWindow, maxCount: number | null, stats: StreamStats): Generator<string, void, undefined> {
  yield SAF_BEGIN;
  let count = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let n = 0;
  let end: string;
  const counting = newStats();
  try {
    const it = windowed(w, counting, (r) => {
      count += r.count === 0 ? 1 : r.count;
      first = Math.min(first, r.timeFirst);
      last = Math.max(last, r.timeLast === 0 ? r.timeFirst : r.timeLast);
      n++;
      return "";
    });
    let limited = false;
    for (;;) {
      const s = it.next();
      if (s.done) {
        limited = s.value;
        break;
      }
      if (s.value === "") yield "";
      if (maxCount !== null && count > maxCount) break;
    }
    end = limited ? SAF_LIMITED : SAF_SUCCEEDED;
    stats.end = limited ? "limited" : "succeeded";
  } catch (e) {
    end = safFailed(readFailure(e));
    stats.end = "failed";
  }
  if (n > 0) {
    const obj = w.humantime
      ? { count, num_results: n, time_first: rfc3339(first), time_last: rfc3339(last) }
      : { count, num_results: n, time_first: first, time_last: last };
    stats.results = 1;
    yield `${JSON.stringify({ obj })}\n`;
  }
  yield end;
}
