import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { messageOf } from "./errors.js";
import type { AuthOptions } from "./index.js";
import { KeyStore } from "./key-store.js";
import type { KeyRecord } from "./keys-file.js";
import { Quotas } from "./quota.js";
import { rateLimitBody } from "./rate-limit.js";
import { readStateFile, writeStateFile } from "./state-file.js";
import { utcDay } from "./time.js";

/** How often the quota counters are written when they changed (ms). */
export const STATE_FLUSH_MS = 2000;
export const DEFAULT_MAX_CONCURRENT = 8;
export const DEFAULT_POLL_MS = 1000;
export const RATE_LIMIT_PATH = "/dnsdb/v2/rate_limit";

const NO_LIMITS = { name: "-", resultsMax: null, offsetMax: null } as const;

/** The key store of a server with web UI users only (no keys file): every X-API-Key is unknown. */
const NO_KEYS: Pick<KeyStore, "keys" | "poll" | "byToken" | "byNameAndToken"> = {
  keys: [],
  poll: () => false,
  byToken: () => ({ ok: false, reason: "unknown API key" }),
  byNameAndToken: () => ({ ok: false, reason: "unknown API key" }),
};

/** Send a one-line plain-text refusal and end the request. */
function refuse(reply: FastifyReply, status: number, line: string, headers: Record<string, string> = {}): FastifyReply {
  for (const [h, v] of Object.entries(headers)) reply.header(h, v);
  return reply.code(status).type("text/plain; charset=utf-8").send(`${line}\n`);
}

/** The user and password of an HTTP basic Authorization header, or null when it is not one. */
export function parseBasicAuth(header: string): { user: string; password: string } | null {
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!m?.[1]) return null;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The `offset` query parameter values of a request that are decimal integers. */
function offsets(query: unknown): number[] {
  const v = (query as Record<string, unknown> | null | undefined)?.offset;
  const all = Array.isArray(v) ? v : [v];
  return all.filter((x): x is string => typeof x === "string" && /^\d+$/.test(x)).map(Number);
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`auth: ${name} must be a positive integer`);
  return v;
}

/** The body of the auth plugin (index.ts wraps it with fastify-plugin). */
export async function authPluginBody(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const maxConcurrent = positiveInt("maxConcurrentPerKey", opts.maxConcurrentPerKey, DEFAULT_MAX_CONCURRENT);
  const pollMs = positiveInt("pollMs", opts.pollMs, DEFAULT_POLL_MS);
  const log = opts.log ?? ((line: string) => app.log.error(line));
  app.decorateRequest("principal", null);

  if (opts.noAuth) {
    app.decorate("authUsage", () => ({ keys: 0, usage: [] }));
    // a callback hook, not an async one: no promise per request
    app.addHook("onRequest", (request, _reply, done) => {
      if (request.routeOptions.config.auth !== undefined) request.principal = { ...NO_LIMITS };
      done();
    });
    app.get(RATE_LIMIT_PATH, { config: { auth: "dnsdb" } }, async (_request, reply) =>
      reply.type("application/json").send(rateLimitBody(null, new Quotas(), now())),
    );
    return;
  }

  const keysFile = opts.keysFile;
  const sessions = opts.sessions;
  if ((keysFile === undefined || keysFile === "") && sessions === undefined)
    throw new TypeError("auth: a keys file is required unless noAuth or sessions is set");
  if (keysFile === undefined && opts.stateFile === undefined) throw new TypeError("auth: stateFile is required without a keys file");
  const stateFile = opts.stateFile ?? `${keysFile}.state`;
  // both throw a one-line AuthError naming the file: the server refuses to start
  const store = keysFile === undefined ? NO_KEYS : new KeyStore(keysFile, log);
  const quotas = new Quotas(readStateFile(stateFile));
  const keyOf = new WeakMap<FastifyRequest, KeyRecord>();

  let flushFailed = false;
  const flush = (): void => {
    if (!quotas.dirty) return;
    const today = utcDay(now());
    for (const [name, u] of quotas.usage) if (u.day < today) quotas.usage.delete(name);
    quotas.dirty = false;
    try {
      writeStateFile(stateFile, quotas.usage);
      flushFailed = false;
    } catch (e) {
      quotas.dirty = true;
      if (!flushFailed) log(`${stateFile}: cannot write the quota state file: ${messageOf(e)}`);
      flushFailed = true;
    }
  };
  const pollTimer = setInterval(() => store.poll(), pollMs);
  pollTimer.unref();
  const flushTimer = setInterval(flush, STATE_FLUSH_MS);
  flushTimer.unref();
  app.addHook("onClose", async () => {
    clearInterval(pollTimer);
    clearInterval(flushTimer);
    flush();
  });

  app.decorate("authUsage", () => {
    const t = now();
    return {
      keys: store.keys.length,
      usage: [...store.keys, ...(sessions?.quotas() ?? [])].map((k) => ({
        name: k.name,
        used: quotas.usedToday(k.name, t),
        limit: k.dailyLimit,
      })),
    };
  });

  app.addHook("onRequest", async (request, reply) => {
    const kind = request.routeOptions.config.auth;
    if (kind === undefined) return;
    const t = now();
    let check: ReturnType<KeyStore["byToken"]>;
    if (kind === "circl" || kind === "ingest-basic") {
      const header = request.headers.authorization;
      if (header === undefined || header === "")
        return refuse(reply, 401, "missing HTTP basic authorization (user: key name, password: API key)", {
          "WWW-Authenticate": 'Basic realm="dnstable-server"',
        });
      const cred = parseBasicAuth(header);
      if (cred === null)
        return refuse(reply, 401, "malformed HTTP basic authorization", { "WWW-Authenticate": 'Basic realm="dnstable-server"' });
      check = store.byNameAndToken(cred.user, cred.password, t / 1000);
    } else {
      const header = request.headers["x-api-key"];
      const token = (Array.isArray(header) ? header[0] : header)?.trim();
      if (token === undefined || token === "") {
        // the web UI's session cookie stands for a key (its user's quota)
        const user = kind === "dnsdb" ? (sessions?.userOf(request.headers.cookie) ?? null) : null;
        if (user === "expired") return refuse(reply, 401, "session expired or ended: log in again");
        if (user === null) return refuse(reply, 401, "missing API key (X-API-Key header)");
        check = { ok: true, key: user };
      } else check = store.byToken(token, t / 1000);
    }
    if (!check.ok) return refuse(reply, 403, check.reason);
    const key = check.key;
    // a key reads or writes, never both
    const writes = kind === "ingest" || kind === "ingest-basic";
    if (writes && key.role !== "ingest") return refuse(reply, 403, "this API key is a lookup key: it cannot ingest");
    if (!writes && key.role !== "lookup") return refuse(reply, 403, "this API key is an ingest key: it cannot look up");
    if (key.offsetMax !== null) {
      const over = offsets(request.query).find((o) => o > (key.offsetMax ?? 0));
      if (over !== undefined) return refuse(reply, 416, `offset ${over} is beyond this key's offset_max ${key.offsetMax}`);
    }
    if (request.routeOptions.config.quota === true) {
      if (quotas.inFlight(key.name) >= maxConcurrent)
        return refuse(reply, 503, `too many concurrent queries for this key (at most ${maxConcurrent})`);
      const q = quotas.consume(key.name, key.dailyLimit, key.burst, t);
      if (!q.ok) return refuse(reply, 429, `${q.reason}: retry in ${q.retryAfter} s`, { "Retry-After": String(q.retryAfter) });
      const leave = quotas.enter(key.name);
      reply.raw.once("finish", () => {
        // a query the route refused (400 and the like) is not charged; one that failed after its 200 is
        if (reply.raw.statusCode >= 400) quotas.refund(key.name, t);
        leave();
      });
      reply.raw.once("close", leave);
    }
    keyOf.set(request, key);
    request.principal = { name: key.name, resultsMax: key.resultsMax, offsetMax: key.offsetMax };
  });

  app.get(RATE_LIMIT_PATH, { config: { auth: "dnsdb" } }, async (request, reply) => {
    const key = keyOf.get(request) ?? null;
    return reply.type("application/json").send(rateLimitBody(key, quotas, now()));
  });
}
