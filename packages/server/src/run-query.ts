import { type DnstableQuery, type DnstableResult, isDnstableError } from "@dnsrep/dnstable";
import type { DataStore } from "./data.js";
import { badQuery } from "./errors.js";
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
}

/** A query begun on the current data: its results and how to let the data go when it ends. */
export interface Running {
  /** run one dnstable query (more than one for a COF name) on the held data */
  query(q: DnstableQuery, p: QueryParams): Iterable<DnstableResult>;
  release(): void;
}

/** Hold the current data generation and run queries on it; ERR_INVALID from dnstable becomes a bad query. */
export function begin(ctx: QueryContext, stats: StreamStats): Running {
  const gen = ctx.data.current;
  const release = gen.acquire();
  return {
    query(q, p) {
      try {
        return gen.reader(p.aggregated).query(q, { fence: p.fence, onCorrupt: () => stats.corrupt++ });
      } catch (e) {
        if (isDnstableError(e) && e.code === "ERR_INVALID") throw badQuery(e.message);
        throw e;
      }
    },
    release,
  };
}

/** The response body for a generator of lines: counted as an open stream, the data released when it ends. */
export function streamBody(ctx: QueryContext, run: Running, lines: Generator<string, void, undefined>, stats: StreamStats): LineStream {
  ctx.metrics.streamOpened();
  return new LineStream(lines, (aborted) => {
    stats.aborted = aborted;
    ctx.metrics.streamClosed();
    run.release();
  });
}
