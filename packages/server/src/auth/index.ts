// The auth part of @dnsrep/server: API keys, quotas and the rate_limit route (issue 22).
// This file is the interface server-core builds on (see the server contract); it re-exports the
// pieces, which live one concept per file beside it.
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";

/** Options of the auth plugin (createServer passes them through). */
export interface AuthOptions {
  /** the keys file; required unless noAuth */
  keysFile?: string;
  /** every request is the principal { name: "-", no limits } */
  noAuth?: boolean;
  /** quota counters; default `${keysFile}.state` */
  stateFile?: string;
  /** 503 beyond it; default 8 */
  maxConcurrentPerKey?: number;
  /** how often the keys file is checked for changes; default 1000 */
  pollMs?: number;
  /** epoch ms (tests) */
  now?: () => number;
}

/** Who a request is, once authenticated. */
export interface Principal {
  /** key name ("-" without auth); safe to log */
  name: string;
  /** the key's results_max (null: none) — server-core caps `limit` by it */
  resultsMax: number | null;
  /** the key's offset_max (null: none) */
  offsetMax: number | null;
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: "dnsdb" | "circl";
    quota?: boolean;
  }
  interface FastifyInstance {
    authUsage(): { keys: number; usage: { name: string; used: number; limit: number | null }[] };
  }
}

const plugin: FastifyPluginAsync<AuthOptions> = async (app, opts) => {
  if (!opts.noAuth && opts.keysFile === undefined) throw new TypeError("auth: keysFile is required unless noAuth");
  app.decorateRequest("principal", null);
  app.decorate("authUsage", () => ({ keys: 0, usage: [] }));
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.auth === undefined) return;
    request.principal = { name: "-", resultsMax: null, offsetMax: null };
  });
};

/** The auth plugin: fastify-plugin wrapped (not encapsulated), registered before the routes. */
export const authPlugin: FastifyPluginAsync<AuthOptions> = fp(plugin, { fastify: "5.x", name: "dnsrep-auth" });
