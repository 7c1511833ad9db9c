import type { TimeFence } from "@dnsrep/dnstable";
import { badQuery } from "./errors.js";
import { printable } from "./rrtypes.js";

/** The query parameters of a DNSDB API v2 lookup or summarize, checked. */
export interface QueryParams {
  /** results wanted (null: the server's default); 0 asks for the server's maximum */
  limit: number | null;
  /** results to skip */
  offset: number;
  /** summarize: stop once the summed count exceeds this (null: no limit) */
  maxCount: number | null;
  /** time fences, epoch seconds (negative values already made relative to now) */
  fence: TimeFence;
  /** false for aggr=f: one result per file of a set, not merged */
  aggregated: boolean;
  /** RFC 3339 times instead of epoch seconds */
  humantime: boolean;
  /** the client's name and version, for the access log */
  swclient: string | null;
  version: string | null;
  /** `enrich=1`: A/AAAA results gain their stamp's `asn`, `as_org`, `country` (docs/dnstable-server.md, ENRICHMENT) */
  enrich: boolean;
}

const FENCES = {
  time_first_after: "firstAfter",
  time_first_before: "firstBefore",
  time_last_after: "lastAfter",
  time_last_before: "lastBefore",
} as const;

/** Parameters a request may carry that this server accepts and does not act on (flex search's `exclude` and `id` of the dnsdb2 client). */
// enrich: asked by the web UI always (issue 28); accepted here until enrichment answers it
const IGNORED = new Set(["id", "enrich"]);

/** The largest count or time taken: anything beyond is a client error, not a number to round. */
const MAX_NUMBER = 2 ** 53 - 1;

function integer(name: string, v: string, signed: boolean): number {
  if (!(signed ? /^-?\d{1,16}$/ : /^\d{1,16}$/).test(v))
    throw badQuery(`${name}: expected ${signed ? "an" : "a non-negative"} integer, got ${JSON.stringify(printable(v))}`);
  const n = Number(v);
  if (Math.abs(n) > MAX_NUMBER) throw badQuery(`${name}: out of range: ${v}`);
  return n;
}

function boolean(name: string, v: string): boolean {
  const l = v.toLowerCase();
  if (l === "t" || l === "true" || l === "1") return true;
  if (l === "f" || l === "false" || l === "0") return false;
  throw badQuery(`${name}: expected t or f, got ${JSON.stringify(printable(v))}`);
}

/**
 * Check a request's query string (as fastify parsed it: a repeated name is an array). `now` is
 * epoch seconds, for negative (relative) times. Unknown names are a bad query, so a misspelt
 * fence is not silently ignored. Throws a bad-query ServerError.
 */
export function parseQueryParams(q: Record<string, unknown>, now: number): QueryParams {
  const p: QueryParams = {
    limit: null,
    offset: 0,
    maxCount: null,
    fence: {},
    aggregated: true,
    humantime: false,
    swclient: null,
    version: null,
    enrich: false,
  };
  for (const [name, raw] of Object.entries(q)) {
    if (typeof raw !== "string") throw badQuery(`${printable(name)}: given more than once`);
    if (name === "limit") p.limit = integer(name, raw, false);
    else if (name === "offset") p.offset = integer(name, raw, false);
    else if (name === "max_count") p.maxCount = integer(name, raw, false);
    else if (name === "aggr") p.aggregated = boolean(name, raw);
    else if (name === "humantime") p.humantime = boolean(name, raw);
    else if (name === "swclient") p.swclient = raw.slice(0, 100);
    else if (name === "version") p.version = raw.slice(0, 100);
    else if (name === "enrich") p.enrich = boolean(name, raw);
    else if (Object.hasOwn(FENCES, name)) {
      const t = integer(name, raw, true);
      p.fence[FENCES[name as keyof typeof FENCES]] = t < 0 ? Math.max(0, now + t) : t;
    } else if (!IGNORED.has(name)) throw badQuery(`unknown parameter: ${printable(name)}`);
  }
  return p;
}

/**
 * The number of results a query may return: the requested limit (null: `defaultLimit`; 0: the
 * maximum), capped by the server's `maxLimit` and the key's results_max (null: none).
 */
export function effectiveLimit(requested: number | null, defaultLimit: number, maxLimit: number, resultsMax: number | null): number {
  let n = requested === null ? defaultLimit : requested === 0 ? maxLimit : requested;
  n = Math.min(n, maxLimit);
  if (resultsMax !== null) n = Math.min(n, resultsMax);
  return n;
}
