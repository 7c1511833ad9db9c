import { type DnstableQuery, type DnstableResult, isDnstableError } from "@dnsrep/dnstable";
import type { StampStore } from "@dnsrep/enrich";
import type { DataStore } from "./data.js";
import { holdStamps, type StampView } from "./enrich/fields.js";
import { badQuery } from "./errors.js";
import { withLogResults } from "./ingest/provenance.js";
import { LineStream } from "./line-stream.js";
import type { ServerMetrics } from "./metrics.js";
import type { QueryParams } from "./params.js";
import type { StreamStats } from "./saf.js";

/** What the routes share: the data, the limits, the metrics, the clock. */
export interface QueryContext {
  data: DataStore;
  defaultLimit: number;
  maxLimit: number;
  metrics: ServerMetrics;
  /** epoch seconds */
  now: () => number;
  /** the stamps of `--geoip-db`/`--asn-db` (null/absent: no enrichment) */
  stamps?: StampStore | null;
}

/** A query begun on the current data: its results and how to let the data go when it ends. */
export interface Running {
  /** run one dnstable query (more than one for a COF name) on the held data */
  query(q: DnstableQuery, p: QueryParams): Iterable<DnstableResult>;
  /** the stamps for `?enrich=1` (held until release), null without enrichment */
  stamps(): StampView | null;
  release(): void;
}

/**
 * Hold the current data (files and live stores) and run queries on it; ERR_INVALID from dnstable
 * becomes a bad query. Log-derived results (a live store's log sources) follow the sensor data's,
 * source by source, except for a query naming a bailiwick (they have none).
 */
export function begin(ctx: QueryContext, stats: StreamStats): Running {
  const held = ctx.data.hold();
  let view: StampView | null = null;
  return {
    stamps() {
      if (view === null && ctx.stamps) view = holdStamps(ctx.stamps);
      return view;
    },
    query(q, p) {
      try {
        const opts = { fence: p.fence, onCorrupt: () => stats.corrupt++ };
        const main = held.reader(p.aggregated).query(q, opts);
        const logs = q.type === "rrset" && q.bailiwick !== undefined ? [] : held.logs(p.aggregated);
        if (logs.length === 0) return main;
        return withLogResults(
          main,
          logs.map((l) => ({ source: l.source, results: l.reader.query(q, opts) })),
        );
      } catch (e) {
        if (isDnstableError(e) && e.code === "ERR_INVALID") throw badQuery(e.message);
        throw e;
      }
    },
    release() {
      view?.release();
      view = null;
      held.release();
    },
  };
}

/**
 * A lookup request's response: its stats take the client's swclient/version, the current data is
 * held (begin), and `lines(run)` makes the body's lines (responseBody); when making them throws,
 * the data is let go before the error goes on.
 */
export function runResponse(
  ctx: QueryContext,
  stats: StreamStats,
  p: QueryParams,
  lines: (run: Running) => Generator<string, void, undefined>,
): string | LineStream {
  stats.swclient = p.swclient;
  stats.version = p.version;
  const run = begin(ctx, stats);
  try {
    return responseBody(ctx, run, lines(run), stats);
  } catch (e) {
    run.release();
    throw e;
  }
}

/** How much of a body is gathered before answering: a body that ends within it goes out whole, with a length. */
const WHOLE_MAX = 64 * 1024;

/**
 * The response body for a generator of lines. The first lines are gathered at once: a body that
 * ends within 64 KiB (an exact lookup, a summarize) is sent whole, in one write with its length,
 * and the data released; a longer one streams (LineStream), counted as an open stream, the data
 * released when it ends or its client leaves.
 */
export function responseBody(
  ctx: QueryContext,
  run: Running,
  lines: Generator<string, void, undefined>,
  stats: StreamStats,
): string | LineStream {
  let head = "";
  let steps = 0;
  try {
    for (;;) {
      const r = lines.next();
      if (r.done) {
        run.release();
        return head;
      }
      head += r.value;
      if (head.length >= WHOLE_MAX || ++steps >= 4096) break;
    }
  } catch (e) {
    lines.return();
    throw e;
  }
  ctx.metrics.streamOpened();
  return new LineStream(
    lines,
    (aborted) => {
      stats.aborted = aborted;
      ctx.metrics.streamClosed();
      run.release();
    },
    head,
  );
}
