import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { StatsOf } from "./dnsdb-routes.js";
import { badQuery } from "./errors.js";
import { type FlexQuery, flexObjects, flexPattern } from "./flex.js";
import { effectiveLimit, parseQueryParams } from "./params.js";
import { parseTypeSelect, printable } from "./rrtypes.js";
import { type QueryContext, responseBody } from "./run-query.js";
import { readFailure, SAF_BEGIN, SAF_LIMITED, SAF_SUCCEEDED, type StreamStats, safFailed } from "./saf.js";

/** How long one flex search may scan before it ends with a failed terminator (ms). */
export const FLEX_TIME_LIMIT_MS = 60_000;

type Params = { what: string; value: string; type?: string };

/** A flex search's SAF lines: begin, an object per result after the offset up to the limit, one terminator. */
function* flexLines(
  objects: Generator<Record<string, string> | "", void, undefined>,
  offset: number,
  limit: number,
  timedOut: () => boolean,
  stats: StreamStats,
): Generator<string, void, undefined> {
  yield SAF_BEGIN;
  let skipped = 0;
  let end = SAF_SUCCEEDED;
  stats.end = "succeeded";
  try {
    for (const o of objects) {
      if (o === "") {
        yield "";
        continue;
      }
      if (skipped < offset) {
        skipped++;
        continue;
      }
      if (stats.results >= limit) {
        end = SAF_LIMITED;
        stats.end = "limited";
        break;
      }
      stats.results++;
      yield `${JSON.stringify({ obj: o })}\n`;
    }
    if (stats.end === "succeeded" && timedOut()) {
      end = safFailed("flex search time limit reached");
      stats.end = "failed";
    }
  } catch (e) {
    end = safFailed(readFailure(e));
    stats.end = "failed";
  }
  yield end;
}

/**
 * Flex search routes: `/dnsdb/v2/{glob,regex}/{rrnames,rdata}/VALUE[/TYPE]` with `exclude`,
 * `limit` and `offset` (time fences do not apply: the index holds no times).
 */
export function flexRoutes(app: FastifyInstance, ctx: QueryContext, statsOf: StatsOf): void {
  for (const method of ["glob", "regex"] as const) {
    const handler = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<FastifyReply> => {
      const query = { ...(req.query as Record<string, unknown>) };
      const exclude = query.exclude;
      delete query.exclude;
      if (exclude !== undefined && typeof exclude !== "string") throw badQuery("exclude: given more than once");
      const p = parseQueryParams(query, ctx.now());
      if (Object.keys(p.fence).length > 0) throw badQuery("time fences do not apply to flex search");
      const { what, value } = req.params;
      if (what !== "rrnames" && what !== "rdata") throw badQuery(`unknown flex search: ${printable(what)}`);
      const q: FlexQuery = {
        what,
        match: flexPattern(method, value),
        exclude: exclude === undefined ? null : flexPattern(method, exclude),
        types: parseTypeSelect(req.params.type),
      };
      const limit = effectiveLimit(p.limit, ctx.defaultLimit, ctx.maxLimit, req.principal?.resultsMax ?? null);
      const stats = statsOf(req);
      stats.swclient = p.swclient;
      stats.version = p.version;
      // flex searches read the sensor data (files and live sensor store), not the log sources
      const held = ctx.data.hold();
      const release = held.release;
      const deadline = Date.now() + FLEX_TIME_LIMIT_MS;
      const timedOut = (): boolean => Date.now() > deadline;
      let body: ReturnType<typeof responseBody>;
      try {
        const objects = flexObjects(held.reader(true).source, q, timedOut);
        body = responseBody(
          ctx,
          { query: () => [], stamps: () => null, release },
          flexLines(objects, p.offset, limit, timedOut, stats),
          stats,
        );
      } catch (e) {
        release();
        throw e;
      }
      return reply.type("application/x-ndjson").send(body);
    };
    const config = { auth: "dnsdb" as const, quota: true };
    app.get(`/dnsdb/v2/${method}/:what/:value`, { config }, handler);
    app.get(`/dnsdb/v2/${method}/:what/:value/:type`, { config }, handler);
  }
}
