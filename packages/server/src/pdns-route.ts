import type { DnstableQuery, DnstableResult } from "@dnsrep/dnstable";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { cofStream } from "./cof.js";
import type { StatsOf } from "./dnsdb-routes.js";
import { badQuery } from "./errors.js";
import { effectiveLimit, parseQueryParams, type QueryParams } from "./params.js";
import { checkIp, checkName } from "./query.js";
import { printable, rrtypeOfKey, typeSelected } from "./rrtypes.js";
import { type QueryContext, runResponse } from "./run-query.js";
import type { ResultWindow } from "./saf.js";

/** Whether VALUE is an address query (an address, `ADDR,PREFIX`, `ADDR/PREFIX`, a range) rather than a name. */
export function looksLikeIp(value: string): boolean {
  return /^[0-9.]+([,/]\d+|-[0-9.]+)?$/.test(value) || (value.includes(":") && /^[0-9a-fA-F:.]+([,/]\d+|-[0-9a-fA-F:.]+)?$/.test(value));
}

/**
 * CIRCL passive DNS: `GET /pdns/query/VALUE` (HTTP basic auth), VALUE a name — its RRsets and the
 * records whose rdata names it, together, as CIRCL answers — or an address, `ADDR,PREFIX` (or
 * `ADDR/PREFIX` as two segments) or a range. One COF object per line.
 */
export function pdnsRoute(app: FastifyInstance, ctx: QueryContext, statsOf: StatsOf): void {
  const handler = async (
    req: FastifyRequest<{ Params: { value: string; prefix?: string } }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const p = parseQueryParams(req.query as Record<string, unknown>, ctx.now());
    const value = req.params.prefix === undefined ? req.params.value : `${req.params.value},${req.params.prefix}`;
    if (value.length === 0 || value.length > 1100) throw badQuery(`bad query value: ${printable(value.slice(0, 100))}`);
    const limit = effectiveLimit(p.limit, ctx.defaultLimit, ctx.maxLimit, req.principal?.resultsMax ?? null);
    // two segments can only be ADDR/PREFIX
    const queries: DnstableQuery[] =
      req.params.prefix !== undefined || looksLikeIp(value)
        ? [{ type: "rdata_ip", ip: checkIp(value) }]
        : [
            { type: "rrset", name: checkName(value, true) },
            { type: "rdata_name", name: value },
          ];
    const stats = statsOf(req);
    const body = runResponse(ctx, stats, p, (run) => {
      // each query starts (and is checked) before the response does
      const results = queries.map((q) => run.query(q, p));
      const view = p.enrich ? run.stamps() : null;
      const windows = results.map((r) => (): ResultWindow => ({ ...window(r, p, limit), enrich: view }));
      return cofStream(windows, stats);
    });
    return reply.type("application/json").send(body);
  };
  const config = { auth: "circl" as const, quota: true };
  app.get("/pdns/query/:value", { config }, handler);
  app.get("/pdns/query/:value/:prefix", { config }, handler);
}

function window(results: Iterable<DnstableResult>, p: QueryParams, limit: number): ResultWindow {
  return { results, keep: (r) => typeSelected({ kind: "dns" }, rrtypeOfKey(r.key)), offset: p.offset, limit, humantime: p.humantime };
}
