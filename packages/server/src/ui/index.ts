// The web UI's server side (issue 24): users, logins, sessions, CSRF, static files, security headers.
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, type Registry } from "prom-client";
import type { SessionResolver } from "../auth/index.js";
import { cookieValue, SESSION_COOKIE } from "./cookies.js";
import { Limiter } from "./limiter.js";
import { Lockout } from "./lockout.js";
import { liveSession, loginRoutes } from "./login-routes.js";
import { DEFAULT_SCRYPT, hashPassword, type PasswordHash, parsePasswordHash } from "./password.js";
import { SessionStore } from "./sessions.js";
import { staticRoutes } from "./static-files.js";
import { UserStore } from "./user-store.js";

/** The `ui` option of createServer. */
export interface UiOptions {
  /** the users file (docs/formats/users.md): who may log in, and each user's quota */
  usersFile: string;
  /** the built page (index.html, assets/) to serve under `/`; none: only the /ui/api routes */
  staticDir?: string;
  /** how long a session lasts from its login (default 43200: 12 hours) */
  sessionTtlSeconds?: number;
  /** mark the session cookie Secure (default: when the server serves TLS; set it behind a TLS proxy) */
  secureCookies?: boolean;
  /** how often the users file is checked for changes (ms, default 1000) */
  pollMs?: number;
  /** sessions kept in memory at most (default 10000) */
  maxSessions?: number;
  /** passwords checked at once (default 2) and logins waiting for that (default 32; past it: 503) */
  loginChecks?: { running: number; waiting: number };
}

/** The web UI part of a server: its session resolver for the auth plugin and its routes. */
export interface UiPart {
  readonly sessions: SessionResolver;
  /** Add the /ui/api routes and the static files (before app.ready()), and start polling the users file. */
  register(app: FastifyInstance): Promise<void>;
  /** Stop the timers (the server's close does it). */
  close(): void;
}

export const DEFAULT_SESSION_TTL = 43_200;
const SWEEP_MS = 60_000;

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`ui: ${name} must be a positive integer`);
  return v;
}

/**
 * Open the web UI part: reads the users file (a bad one throws UiError ERR_USERS_FILE: the server
 * refuses to start), makes the session store, and registers its metrics in `registry`.
 */
export async function openUi(
  o: UiOptions,
  env: { now: () => number; log: (line: string) => void; tls: boolean; registry: Registry },
): Promise<UiPart> {
  if (typeof o.usersFile !== "string" || o.usersFile === "") throw new TypeError("ui: usersFile is required");
  const ttlSeconds = positiveInt("sessionTtlSeconds", o.sessionTtlSeconds, DEFAULT_SESSION_TTL);
  const pollMs = positiveInt("pollMs", o.pollMs, 1000);
  const sessions = new SessionStore({
    ttlMs: ttlSeconds * 1000,
    maxSessions: positiveInt("maxSessions", o.maxSessions, 10_000),
    now: env.now,
  });
  const users = new UserStore(o.usersFile, env.log, (gone) => {
    let n = 0;
    for (const name of gone) n += sessions.dropUser(name);
    if (n > 0) env.log(`${o.usersFile}: ended ${n} session${n === 1 ? "" : "s"} of users removed or given a new password`);
  });
  // an unknown name is checked against this hash, at the cost of the users' own (the first user's parameters)
  const params = users.first()?.hash ?? DEFAULT_SCRYPT;
  const dummy = parsePasswordHash(
    await hashPassword(randomBytes(16).toString("hex"), { ln: params.ln, r: params.r, p: params.p }),
  ) as PasswordHash;

  const registers = [env.registry];
  const logins = new Counter({
    name: "dnstable_server_ui_logins_total",
    help: "Web UI login attempts, by result (ok, wrong, locked, busy)",
    labelNames: ["result"],
    registers,
  });
  new Gauge({
    name: "dnstable_server_ui_sessions",
    help: "Web UI sessions open",
    registers,
    collect() {
      this.set(sessions.size);
    },
  });
  new Gauge({
    name: "dnstable_server_users",
    help: "Web UI users in the users file",
    registers,
    collect() {
      this.set(users.size);
    },
  });

  // started by register(): a server that fails to come up before it leaves no timers behind
  const timers: NodeJS.Timeout[] = [];
  const ctx = {
    users,
    sessions,
    lockout: new Lockout({ now: env.now }),
    hashing: new Limiter(positiveInt("loginChecks.running", o.loginChecks?.running, 2), o.loginChecks?.waiting ?? 32),
    dummyHash: () => dummy,
    ttlSeconds,
    secureCookies: o.secureCookies ?? env.tls,
    counted: (result: "ok" | "wrong" | "locked" | "busy") => logins.inc({ result }),
    log: env.log,
  };
  return {
    sessions: {
      userOf(cookieHeader) {
        if (cookieValue(cookieHeader, SESSION_COOKIE) === null) return null;
        const s = liveSession(ctx, cookieHeader);
        if (s === null) return "expired";
        return users.quota(s.user.name) ?? "expired";
      },
      quotas: () => users.quotas(),
    },
    async register(app) {
      await app.register(async (api) => loginRoutes(api, ctx), { prefix: "/ui/api" });
      if (o.staticDir !== undefined) staticRoutes(app, o.staticDir);
      timers.push(
        setInterval(() => users.poll(), pollMs),
        setInterval(() => sessions.sweep(), SWEEP_MS),
      );
      for (const t of timers) t.unref();
    },
    close() {
      for (const t of timers) clearInterval(t);
    },
  };
}
