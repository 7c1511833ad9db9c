import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { relative, resolve } from "node:path";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { accessLine } from "./access-log.js";
import { type AuthOptions, authPlugin } from "./auth/index.js";
import { Dashboard } from "./dashboard/dashboard.js";
import { dashboardIngestHook } from "./dashboard/ingest-hook.js";
import { dashboardRoutes } from "./dashboard/route.js";
import { DataStore } from "./data.js";
import { dnsdbRoutes } from "./dnsdb-routes.js";
import { type Enrichment, type EnrichOptions, openEnrichment } from "./enrich/hook.js";
import { enrichRoutes } from "./enrich/routes.js";
import { isServerError, ServerError, ServerErrorCode } from "./errors.js";
import { flexRoutes } from "./flex-route.js";
import { DEFAULT_MAX_BODY_BYTES } from "./ingest/body.js";
import { IngestStores } from "./ingest/live-stores.js";
import { IngestMetrics } from "./ingest/metrics.js";
import { type NmsgListener, type NmsgListenSpec, startNmsgListener } from "./ingest/nmsg-listener.js";
import { ingestRoutes } from "./ingest/routes.js";
import type { OpenStore, StoreLike } from "./ingest/store-like.js";
import { endpointOf, ServerMetrics } from "./metrics.js";
import { pdnsRoute } from "./pdns-route.js";
import { printable } from "./rrtypes.js";
import type { QueryContext } from "./run-query.js";
import { newStats, type StreamStats } from "./saf.js";
import { openUi, type UiOptions, type UiPart } from "./ui/index.js";
import { SECURITY_HEADERS } from "./ui/security-headers.js";

export interface ServerOptions {
  /** dnstable mtbl files and set files (told apart by content) */
  data?: string[];
  /** mtbl files (dnstable-lookup's DNSTABLE_FNAME) */
  fnames?: string[];
  /** set files (DNSTABLE_SETFILE) */
  setfiles?: string[];
  /** the auth plugin's options (keys file, or noAuth) */
  auth: AuthOptions;
  /** results per query when the client gives no limit (default 10000) */
  defaultLimit?: number;
  /** the most results per query, whatever the client asks (default 1000000) */
  maxLimit?: number;
  /** serve HTTPS with this certificate and key (PEM) */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** poll the data files this often (ms) and reload when one changed; 0 turns polling off (default 2000) */
  pollMs?: number;
  /** serve /metrics on the main listener (default true; false when it has a listener of its own) */
  metricsRoute?: boolean;
  /** one line per request (no newline) */
  accessLog?: (line: string) => void;
  /** leave the client address out of the access log */
  zeroClientIp?: boolean;
  /** diagnostics (a reload, a set member left out, an internal error): one line, no newline */
  log?: (line: string) => void;
  /** check each data block's CRC32C (default true) */
  verifyChecksums?: boolean;
  /** epoch ms (tests) */
  now?: () => number;
  /**
   * the web UI (issue 24): users who log in with a password (their session cookie stands for an
   * API key), the /ui/api routes, the built page from `staticDir`, and security headers (CSP …) on
   * every response. `auth.keysFile` may then be left out (users only; the quota state file is then
   * the users file's name + .state).
   */
  ui?: UiOptions;
  /** serve a live store too, fed by POST /api/v1/ingest, the YAPDNS routes and NMSG listeners */
  store?: LiveStoreOptions;
  /** the dashboard's options (GET /ui/api/dashboard, /dnsdb/v2/dashboard; docs/web-ui.md) */
  dashboard?: { silentAfterSeconds?: number; saveMs?: number; maxFileEntries?: number };
  /**
   * stamp each ingested A/AAAA (rrname, address) with country / ASN from MaxMind-format databases
   * (`--geoip-db`, `--asn-db`; needs `store`): `?enrich=1` and the rdata/asn, rdata/country lookups
   */
  enrich?: EnrichOptions;
}

/** The live store of a server (`--store DIR`). */
export interface LiveStoreOptions {
  /** the store's directory (DIR/sensor, DIR/logs/SOURCE, DIR/idempotency.journal) */
  dir: string;
  /** opens one store (a tests' seam); default @dnsrep/store's Store.open with `storeOptions` */
  open?: OpenStore;
  /** @dnsrep/store's StoreOptions for the default `open` */
  storeOptions?: Record<string, unknown>;
  /** the largest ingest body, uncompressed (default 16 MiB) */
  maxBodyBytes?: number;
  /** Retry-After of a 503 when the store is behind (seconds, default 1) */
  retryAfterSeconds?: number;
  /** the most log sources (default 32) */
  maxSources?: number;
  /** how long an Idempotency-Key is remembered (ms, default 24 h) */
  idempotencyWindowMs?: number;
  /** the most Idempotency-Keys remembered (default 100000) */
  idempotencyMaxKeys?: number;
}

/** A running (or ready to run) dnstable-server. */
export interface DnstableServer {
  /** the fastify instance (inject() for tests without sockets) */
  readonly app: FastifyInstance;
  readonly metrics: ServerMetrics;
  /** the mtbl files being answered from */
  readonly files: string[];
  /** Listen; resolves to the URL (`http://HOST:PORT`, https under TLS) once ready. */
  listen(host: string, port: number): Promise<string>;
  /** Serve /metrics on a listener of its own; resolves to its URL. */
  listenMetrics(host: string, port: number): Promise<string>;
  /** the live stores (null without `store`) */
  readonly stores: IngestStores | null;
  /** Listen for NMSG (SIE dnsdedupe) on TCP or UDP, feeding the live store; resolves to `tcp:HOST:PORT` / `udp:HOST:PORT`. */
  listenNmsg(spec: NmsgListenSpec): Promise<string>;
  /** Open the data anew and swap it in (in-flight queries finish on the old files); throws ServerError ERR_DATA and keeps the old data when it cannot. */
  reload(): void;
  /** Stop taking requests, let those in flight finish (up to `graceMs`, then cut), release everything. */
  close(graceMs?: number): Promise<void>;
}

declare module "fastify" {
  interface FastifyRequest {
    /** what the request's response did, for the access log and metrics */
    dnstableStats: StreamStats | null;
  }
}

/** A bad-request error's one-line message: printable, never a stack. */
function errorBody(e: FastifyError | Error, status: number): string {
  if (status >= 500) return "internal error\n";
  const msg = (e.message || "bad request").split("\n")[0] as string;
  return `${printable(msg)}\n`;
}

/**
 * A DNSDB API v2 and CIRCL COF lookup server over dnstable files. Opens the data at once (throws
 * ServerError ERR_DATA when it cannot); `listen` starts it. No argv, no console: diagnostics and
 * access log lines go to the callbacks given.
 */
export async function createServer(opts: ServerOptions): Promise<DnstableServer> {
  const log = opts.log ?? (() => {});
  const nowMs = opts.now ?? Date.now;
  const defaultLimit = opts.defaultLimit ?? 10000;
  const maxLimit = opts.maxLimit ?? 1_000_000;
  if (!Number.isSafeInteger(defaultLimit) || defaultLimit < 1)
    throw new ServerError(ServerErrorCode.INVALID, "defaultLimit must be a positive integer");
  if (!Number.isSafeInteger(maxLimit) || maxLimit < 1)
    throw new ServerError(ServerErrorCode.INVALID, "maxLimit must be a positive integer");
  if (opts.enrich && !opts.store)
    throw new ServerError(ServerErrorCode.INVALID, "enrichment (--geoip-db/--asn-db) needs a live store (--store)");
  if (opts.enrich && opts.enrich.geoipDb === undefined && opts.enrich.asnDb === undefined)
    throw new ServerError(ServerErrorCode.INVALID, "enrichment needs a database (--geoip-db and/or --asn-db)");
  const data = new DataStore({
    ...(opts.data ? { data: opts.data } : {}),
    ...(opts.fnames ? { fnames: opts.fnames } : {}),
    ...(opts.setfiles ? { setfiles: opts.setfiles } : {}),
    verifyChecksums: opts.verifyChecksums ?? true,
    onWarning: log,
    allowEmpty: opts.store !== undefined,
  });
  const opened: (() => Promise<void>)[] = [];
  try {
    return await serve(opts, data, log, nowMs, defaultLimit, maxLimit, (close) => {
      opened.unshift(close);
    });
  } catch (e) {
    // the data's readers (and the live stores) are closed when the server could not be made (a bad keys file)
    data.close();
    for (const close of opened) await close().catch(() => {});
    throw e;
  }
}

/** The default way to open a store: @dnsrep/store, loaded when a server has a store. */
async function defaultOpen(storeOptions: Record<string, unknown>, onEvent: (dir: string, e: unknown) => void): Promise<OpenStore> {
  // seen through StoreLike: the routes and listeners need only that much of a Store
  const { Store } = (await import("@dnsrep/store")) as unknown as {
    Store: { open(dir: string, opts: Record<string, unknown>): Promise<StoreLike> };
  };
  return (dir) => Store.open(dir, { ...storeOptions, onEvent: (e: unknown) => onEvent(dir, e) });
}

async function serve(
  opts: ServerOptions,
  data: DataStore,
  log: (line: string) => void,
  nowMs: () => number,
  defaultLimit: number,
  maxLimit: number,
  opened: (close: () => Promise<void>) => void,
): Promise<DnstableServer> {
  const app = Fastify({
    logger: false,
    // a DNS name is at most 255 bytes, 1020 characters as \DDD escapes (longer ones are a 400, not a 404)
    routerOptions: { maxParamLength: 2048, ignoreDuplicateSlashes: false },
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    forceCloseConnections: "idle",
    // a URL that does not decode (bad percent-encoding), a bad content type: one line, no stack
    frameworkErrors: (err: FastifyError, _req: unknown, reply: FastifyReply) => {
      if (opts.ui) reply.headers(SECURITY_HEADERS);
      const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      reply.code(status).type("text/plain; charset=utf-8").send(errorBody(err, status));
    },
    return503OnClosing: true,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  let usage: (() => { keys: number; usage: { used: number; limit: number | null }[] }) | undefined;
  const metrics = new ServerMetrics({ dataFiles: () => data.files.length, usage: () => (usage ? usage() : { keys: 0, usage: [] }) });
  const ctx: QueryContext = { data, defaultLimit, maxLimit, metrics, now: () => Math.floor(nowMs() / 1000) };

  let ui: UiPart | null = null;
  if (opts.ui) {
    ui = await openUi(opts.ui, { now: nowMs, log, tls: opts.tls !== undefined, registry: metrics.registry });
    const part = ui;
    app.addHook("onClose", async () => part.close());
    // every response: set before anything else can answer (auth refusals, 404s, errors)
    app.addHook("onRequest", (_req, reply, done) => {
      reply.headers(SECURITY_HEADERS);
      done();
    });
  }
  // the dashboard: its live aggregates beside the store, fed by the ingest hook
  const dash = new Dashboard({
    ...(opts.store ? { storeDir: opts.store.dir } : {}),
    files: () => data.files,
    now: nowMs,
    log,
    ...(opts.dashboard?.saveMs !== undefined ? { saveMs: opts.dashboard.saveMs } : {}),
    ...(opts.dashboard?.silentAfterSeconds !== undefined ? { silentAfterSeconds: opts.dashboard.silentAfterSeconds } : {}),
    ...(opts.dashboard?.maxFileEntries !== undefined ? { maxFileEntries: opts.dashboard.maxFileEntries } : {}),
  });
  app.addHook("onClose", async () => dash.close());
  // the live store: opened before the routes, its metrics in the server's registry
  let stores: IngestStores | null = null;
  let ingestMetrics: IngestMetrics | null = null;
  let enrichment: Enrichment | null = null;
  if (opts.store && opts.enrich) {
    const sync = (opts.store.storeOptions as { sync?: "always" | "batch" | "none" } | undefined)?.sync;
    enrichment = await openEnrichment({ ...(sync !== undefined ? { sync } : {}), ...opts.enrich }, opts.store.dir, log);
    const en = enrichment;
    opened(() => en.close());
    ctx.stamps = en.stamps;
  }
  if (opts.store) {
    const so = opts.store;
    const enricher = enrichment?.enricher ?? null;
    const partOf = (dir: string): string => relative(resolve(so.dir), resolve(dir)) || "sensor";
    ingestMetrics = new IngestMetrics(metrics.registry, () => stores?.stores() ?? [], nowMs);
    const im = ingestMetrics;
    // the stores remember put tags (Idempotency-Keys made durable with their batches) as long as the journal remembers keys
    const tagOptions = {
      ...(so.idempotencyWindowMs !== undefined ? { tagWindowMs: so.idempotencyWindowMs } : {}),
      ...(so.idempotencyMaxKeys !== undefined ? { maxTags: so.idempotencyMaxKeys } : {}),
    };
    const open = so.open ?? (await defaultOpen({ ...tagOptions, ...so.storeOptions }, (dir, e) => im.event(partOf(dir), e as never)));
    stores = await IngestStores.open({
      dir: so.dir,
      open,
      ...(so.maxSources !== undefined ? { maxSources: so.maxSources } : {}),
      idempotency: {
        ...(so.idempotencyWindowMs !== undefined ? { windowMs: so.idempotencyWindowMs } : {}),
        ...(so.idempotencyMaxKeys !== undefined ? { maxKeys: so.idempotencyMaxKeys } : {}),
        now: nowMs,
      },
      onApplied: (via, n, newest) => im.applied(via, n, newest),
      // with enrichment, the dashboard counts each address by ASN and country (the Enricher's cached lookup)
      onObservations: dashboardIngestHook(dash, log, enricher !== null ? (a) => enricher.lookup(a) : undefined),
      ...(enrichment !== null ? { beforeApply: enrichment.beforeApply } : {}),
    });
    const st = stores;
    opened(() => st.close());
    data.attachLive(stores);
  }
  const liveStores = stores;
  const liveEnrichment = enrichment;
  const nmsgListeners: NmsgListener[] = [];

  app.decorateRequest("dnstableStats", null);
  const statsOf = (req: FastifyRequest): StreamStats => {
    req.dnstableStats ??= newStats();
    return req.dnstableStats;
  };
  // the access log and metrics, from the socket's close: a response that ended and one whose client left alike
  // (a callback hook, not an async one: no promise per request)
  const accessLog = opts.accessLog;
  const zeroClientIp = opts.zeroClientIp ?? false;
  app.addHook("onRequest", (req, reply, done) => {
    const t0 = process.hrtime.bigint();
    const arrived = nowMs();
    // read now: once a client has hung up, its socket no longer knows the remote address
    const client = accessLog ? (req.ip ?? "-") : "-";
    // after the close: fastify destroys a result stream on it first, which marks an aborted one
    reply.raw.once("close", () =>
      setImmediate(() => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const endpoint = endpointOf(req.routeOptions.url);
        const st = req.dnstableStats;
        // a client that left before its results were all produced: 499, as nginx logs it
        const status = st?.aborted ? 499 : reply.statusCode;
        const results = st?.results ?? 0;
        metrics.request(endpoint, reply.statusCode, ms / 1000, results);
        if (accessLog === undefined) return;
        accessLog(
          accessLine(
            {
              time: new Date(arrived),
              client,
              key: req.principal?.name ?? "-",
              endpoint,
              method: req.method,
              url: req.url,
              status,
              results,
              ms,
              swclient: st?.swclient ?? null,
              version: st?.version ?? null,
              end: st ? (st.aborted ? "aborted" : st.end) : "-",
            },
            zeroClientIp,
          ),
        );
      }),
    );
    done();
  });
  const auth: AuthOptions = { log, ...opts.auth };
  if (ui !== null && opts.ui) {
    auth.sessions = ui.sessions;
    if (auth.keysFile === undefined && !auth.noAuth) auth.stateFile ??= `${opts.ui.usersFile}.state`;
  }
  await app.register(authPlugin, auth);
  usage = () => app.authUsage();

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    let status = isServerError(err) && err.code === ServerErrorCode.BAD_QUERY ? 400 : (err.statusCode ?? 500);
    if (status < 400 || status > 599) status = 500;
    if (status >= 500) log(`internal error: ${err.stack ?? err.message}`.split("\n").slice(0, 3).join(" | "));
    reply.code(status).type("text/plain; charset=utf-8").send(errorBody(err, status));
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type("text/plain; charset=utf-8").send("not found\n");
  });

  if (ui !== null) await ui.register(app);
  enrichRoutes(app, ctx, statsOf);
  dnsdbRoutes(app, ctx, statsOf);
  pdnsRoute(app, ctx, statsOf);
  flexRoutes(app, ctx, statsOf);
  dashboardRoutes(app, dash);
  if (liveStores) {
    const so = opts.store as LiveStoreOptions;
    await app.register(ingestRoutes, {
      stores: liveStores,
      maxBodyBytes: so.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      retryAfterSeconds: so.retryAfterSeconds ?? 1,
      now: nowMs,
      log,
    });
  }
  if (opts.metricsRoute ?? true) {
    app.get("/metrics", async (_req, reply) => {
      return reply.type(metrics.contentType).send(await metrics.text());
    });
  }

  const reload = (): void => {
    try {
      data.reload();
      metrics.reload(true);
    } catch (e) {
      metrics.reload(false);
      throw e;
    }
  };
  if ((opts.pollMs ?? 2000) > 0) {
    data.watch(opts.pollMs ?? 2000, () => {
      try {
        reload();
        log(`reloaded ${data.files.length} data file${data.files.length === 1 ? "" : "s"} (changed on disk)`);
      } catch (e) {
        log(`reload failed, keeping the data in use: ${(e as Error).message}`);
      }
    });
  }
  await app.ready();

  let metricsServer: Server | null = null;
  return {
    app,
    metrics,
    get files() {
      return data.files;
    },
    stores: liveStores,
    async listenNmsg(spec) {
      if (liveStores === null) throw new ServerError(ServerErrorCode.INVALID, "an NMSG listener needs a live store");
      const l = await startNmsgListener(spec, liveStores, log);
      nmsgListeners.push(l);
      return l.address;
    },
    async listen(host, port) {
      await app.listen({ host, port });
      const a = app.server.address() as AddressInfo;
      const h = a.family === "IPv6" ? `[${a.address}]` : a.address;
      return `${opts.tls ? "https" : "http"}://${h}:${a.port}`;
    },
    async listenMetrics(host, port) {
      metricsServer = createHttpServer((req, res) => {
        if (req.method === "GET" && (req.url ?? "").split("?")[0] === "/metrics") {
          metrics.text().then(
            (t) => {
              res.writeHead(200, { "content-type": metrics.contentType });
              res.end(t);
            },
            () => {
              res.writeHead(500, { "content-type": "text/plain" });
              res.end("internal error\n");
            },
          );
        } else {
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("not found\n");
        }
      });
      const srv = metricsServer;
      await new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen(port, host, () => resolve());
      });
      const a = srv.address() as AddressInfo;
      return `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
    },
    reload,
    async close(graceMs = 10000) {
      const cut = setTimeout(() => app.server.closeAllConnections?.(), graceMs);
      cut.unref();
      try {
        // the NMSG listeners first: what they read is stored before the stores close
        for (const l of nmsgListeners.splice(0)) await l.close();
        await app.close();
      } finally {
        clearTimeout(cut);
        metricsServer?.close();
        metricsServer?.closeAllConnections();
        data.close();
        try {
          await liveStores?.close();
        } finally {
          await liveEnrichment?.close();
        }
      }
    },
  };
}
