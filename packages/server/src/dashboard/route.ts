import type { FastifyInstance } from "fastify";
import type { Dashboard } from "./dashboard.js";
import { RANGES, type RangeName } from "./view.js";

/**
 * GET /ui/api/dashboard?range=24h|7d|30d (a logged-in user's session) and the same at
 * /dnsdb/v2/dashboard (a lookup key too): the dashboard as JSON. No quota is taken: it reads
 * the kept aggregates only.
 */
export function dashboardRoutes(app: FastifyInstance, dash: Dashboard): void {
  const handler = async (req: { query: unknown }, reply: import("fastify").FastifyReply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const range = q.range === undefined ? "24h" : q.range;
    if (typeof range !== "string" || !Object.hasOwn(RANGES, range))
      return reply.code(400).type("text/plain; charset=utf-8").send("range: must be 24h, 7d or 30d\n");
    const view = await dash.view(range as RangeName);
    return reply.header("cache-control", "no-store").type("application/json; charset=utf-8").send(JSON.stringify(view));
  };
  app.get("/ui/api/dashboard", { config: { auth: "dnsdb" } }, handler);
  app.get("/dnsdb/v2/dashboard", { config: { auth: "dnsdb" } }, handler);
}
