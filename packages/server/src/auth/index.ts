// The auth part of @dnsrep/server: API keys, quotas and the rate_limit route (issue 22).
// This file is the interface server-core builds on (see the server contract); it re-exports the
// pieces, which live one concept per file beside it.
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import type { KeyRecord } from "./keys-file.js";
import { authPluginBody } from "./plugin.js";

/** Options of the auth plugin (createServer passes them through). */
export interface AuthOptions {
  /** the keys file; required unless noAuth or sessions */
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
  /** the web UI's sessions: a dnsdb request without X-API-Key may carry a session cookie instead */
  sessions?: SessionResolver;
  /**
   * diagnostics while running (a keys file that turned invalid, a state file that cannot be
   * written): one line, no newline. Default: the fastify logger's error level.
   */
  log?: (line: string) => void;
}

/**
 * Turns the web UI's session cookie into a principal (createServer passes it when the UI is on).
 * A user is given as a key record (its quota name, limits; never expired or revoked), so quotas,
 * rate_limit and /metrics count users as they count keys.
 */
export interface SessionResolver {
  /** The user of a Cookie header's session: null without a session cookie, "expired" when it names no live session. */
  userOf(cookieHeader: string | undefined): KeyRecord | "expired" | null;
  /** every user, for the per-key sums of /metrics */
  quotas(): readonly KeyRecord[];
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
    /**
     * how a route authenticates: X-API-Key ("dnsdb") or HTTP basic auth ("circl") with a lookup
     * key; X-API-Key ("ingest") or basic auth ("ingest-basic") with an ingest key
     */
    auth?: "dnsdb" | "circl" | "ingest" | "ingest-basic";
    quota?: boolean;
  }
  interface FastifyInstance {
    authUsage(): { keys: number; usage: { name: string; used: number; limit: number | null }[] };
  }
}

/** The auth plugin: fastify-plugin wrapped (not encapsulated), registered before the routes. */
export const authPlugin: FastifyPluginAsync<AuthOptions> = fp(authPluginBody, { fastify: "5.x", name: "dnsrep-auth" });

export type { KeyListing, NewKeyLimits } from "./admin.js";
export { addKey, listKeys, revokeKey } from "./admin.js";
export { AuthError, AuthErrorCode, isAuthError } from "./errors.js";
export type { Burst, KeyLimits, KeyRecord, KeyRole } from "./keys-file.js";
export { checkKeyName, formatKeysFile, parseKeysFile, readKeysFile } from "./keys-file.js";
export { parseBasicAuth, RATE_LIMIT_PATH } from "./plugin.js";
export { formatKeyTime, parseKeyTime } from "./time.js";
