import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { effectiveLimit, parseQueryParams } from "./params.js";
import { type LookupPath, parseLookupPath } from "./query.js";
import { rrtypeOfKey, typeSelected } from "./rrtypes.js";
import { type QueryContext, runResponse } from "./run-query.js";
import { lookupLines, type StreamStats, summarizeLines } from "./saf.js";

type Params = { kind: string; by: string; value: string; type?: string; bailiwick?: string };

/** The per-request record the access log and metrics read (set by the server's hooks). */
export type StatsOf = (request: FastifyRequest) => StreamStats;

/**
 * DNSDB API v2 routes: `ping`, and `lookup` / `summarize` over
 * `{rrset,rdata}/{name,raw,ip}/VALUE[/TYPE[/BAILIWICK]]` (each segment a named parameter, so a
 * `%2F` or `%2A` inside a name arrives decoded as part of its one segment). Results stream as SAF.
 */
export function dnsdbRoutes(app: FastifyInstance, ctx: QueryContext, statsOf: StatsOf): void {
  app.get("/dnsdb/v2/ping", { config: { auth: "dnsdb" } }, async (_req, reply) => {
    return reply.type("application/json").send('{"ping":"ok"}\n');
  });
  for (const verb of ["lookup", "summarize"] as const) {
    const handler = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<FastifyReply> => {
      const p = parseQueryParams(req.query as Record<string, unknown>, ctx.now());
      const path: LookupPath = {
        kind: req.params.kind,
        by: req.params.by,
        value: req.params.value,
        type: req.params.type,
        bailiwick: req.params.bailiwick,
      };
      const lq = parseLookupPath(path);
      const limit = effectiveLimit(p.limit, ctx.defaultLimit, ctx.maxLimit, req.principal?.resultsMax ?? null);
      const stats = statsOf(req);
      const body = runResponse(ctx, stats, p, (run) => {
        const w = {
          results: run.query(lq.query, p),
          keep: (r: { key: Uint8Array }) => typeSelected(lq.types, rrtypeOfKey(r.key)),
          offset: p.offset,
          limit,
          humantime: p.humantime,
          enrich: p.enrich ? run.stamps() : null,
        };
        return verb === "lookup" ? lookupLines(w, stats) : summarizeLines(w, p.maxCount, stats);
      });
      return reply.type("application/x-ndjson").send(body);
    };
    const config = { auth: "dnsdb" as const, quota: true };
    app.get(`/dnsdb/v2/${verb}/:kind/:by/:value`, { config }, handler);
    app.get(`/dnsdb/v2/${verb}/:kind/:by/:value/:type`, { config }, handler);
    app.get(`/dnsdb/v2/${verb}/:kind/:by/:value/:type/:bailiwick`, { config }, handler);
  }
}
