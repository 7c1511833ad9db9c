import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie } from "./cookies.js";
import type { Limiter } from "./limiter.js";
import type { Lockout } from "./lockout.js";
import { LOGIN_BODY_LIMIT, LoginBodyError, parseLoginBody } from "./login-body.js";
import { type PasswordHash, verifyPassword } from "./password.js";
import { csrfMatches, type Session, type SessionStore } from "./sessions.js";
import type { UserStore } from "./user-store.js";
import type { UserRecord } from "./users-file.js";

/** What the login routes work with (index.ts makes them). */
export interface LoginContext {
  users: UserStore;
  sessions: SessionStore;
  lockout: Lockout;
  /** bounds the scrypt work of concurrent logins */
  hashing: Limiter;
  /** hashed for a name that is no user, so an unknown name takes as long as a wrong password */
  dummyHash: () => PasswordHash;
  ttlSeconds: number;
  secureCookies: boolean;
  /** a login's outcome, for /metrics */
  counted: (result: "ok" | "wrong" | "locked" | "busy") => void;
  log: (line: string) => void;
}

/** A session cookie's live session with its user (the user still exists and has the password of the login). */
export interface LiveSession {
  token: string;
  session: Session;
  user: UserRecord;
}

/** The live session of a Cookie header, or null; a session whose user was removed or given a new password is ended. */
export function liveSession(ctx: Pick<LoginContext, "users" | "sessions">, cookieHeader: string | undefined): LiveSession | null {
  const token = cookieValue(cookieHeader, SESSION_COOKIE);
  if (token === null) return null;
  const session = ctx.sessions.get(token);
  if (session === null) return null;
  const user = ctx.users.get(session.user);
  if (user === undefined || user.password !== session.password) {
    ctx.sessions.delete(token);
    return null;
  }
  return { token, session, user };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function fail(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send({ error });
}

/** The message of a 4xx fastify raises itself (body size, content type): one line for the page. */
function frameworkMessage(err: FastifyError): string {
  if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") return `request body too large (at most ${LOGIN_BODY_LIMIT} bytes)`;
  if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return "expected Content-Type: application/json";
  return (err.message || "bad request").split("\n")[0] as string;
}

/**
 * The routes under /ui/api (registered with that prefix, encapsulated: JSON errors, a JSON body
 * parser of its own with a small limit). Every state-changing request (not GET/HEAD/OPTIONS) is
 * refused with 403 when the browser says it comes from another site (Sec-Fetch-Site), and, login
 * aside, needs a live session (401) and its CSRF token in X-CSRF-Token (403); all of it is checked
 * before the body is read. Responses are `Cache-Control: no-store`.
 */
export async function loginRoutes(api: FastifyInstance, ctx: LoginContext): Promise<void> {
  const live = new WeakMap<FastifyRequest, LiveSession>();
  const cleared = clearedSessionCookie(ctx.secureCookies);

  api.removeAllContentTypeParsers();
  api.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: LOGIN_BODY_LIMIT }, (_req, body, done) => done(null, body));
  api.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof LoginBodyError) return fail(reply, 400, err.message);
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return fail(reply, status, frameworkMessage(err));
    ctx.log(`internal error on /ui/api: ${err.message}`.split("\n")[0] as string);
    return fail(reply, 500, "internal error");
  });
  api.setNotFoundHandler((_req, reply) => fail(reply, 404, "not found"));

  api.addHook("onRequest", async (req, reply) => {
    reply.header("cache-control", "no-store");
    if (SAFE_METHODS.has(req.method)) return;
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") return fail(reply, 403, "cross-site request refused");
    if (req.routeOptions.url === "/ui/api/login") return;
    const s = liveSession(ctx, req.headers.cookie);
    if (s === null) return fail(reply.header("set-cookie", cleared), 401, "not logged in");
    const token = req.headers["x-csrf-token"];
    if (token === undefined) return fail(reply, 403, "missing CSRF token (X-CSRF-Token header)");
    if (!csrfMatches(s.session, Array.isArray(token) ? token[0] : token)) return fail(reply, 403, "wrong CSRF token");
    live.set(req, s);
  });

  api.post("/login", async (req, reply) => {
    if (typeof req.body !== "string") return fail(reply, 415, "expected Content-Type: application/json");
    const { username, password } = parseLoginBody(req.body);
    const lock = ctx.lockout.begin(username);
    if (!lock.ok) {
      ctx.counted("locked");
      reply.header("retry-after", String(lock.retryAfter));
      return fail(reply, 429, `too many wrong passwords for this account: retry in ${lock.retryAfter} s`);
    }
    const user = ctx.users.get(username);
    const checking = ctx.hashing.run(() => verifyPassword(password, user?.hash ?? ctx.dummyHash()));
    if (checking === null) {
      ctx.lockout.abandon(username);
      ctx.counted("busy");
      return fail(reply.header("retry-after", "1"), 503, "too many logins at once: retry in 1 s");
    }
    let ok = false;
    try {
      ok = (await checking) && user !== undefined;
    } finally {
      const wait = ctx.lockout.end(username, ok);
      // the name as JSON: one line whatever it holds
      if (wait !== null) ctx.log(`login: ${JSON.stringify(username)} had too many wrong passwords in a row: refused for ${wait} s`);
    }
    if (!ok || user === undefined) {
      ctx.counted("wrong");
      return fail(reply, 401, "wrong user name or password");
    }
    ctx.counted("ok");
    const { token, session } = ctx.sessions.create(user.name, user.password);
    reply.header("set-cookie", sessionCookie(token, { maxAge: ctx.ttlSeconds, secure: ctx.secureCookies }));
    return reply.type("application/json; charset=utf-8").send({ user: user.name, csrf: session.csrf });
  });

  api.get("/session", async (req, reply) => {
    const s = liveSession(ctx, req.headers.cookie);
    if (s === null) {
      if (req.headers.cookie !== undefined && cookieValue(req.headers.cookie, SESSION_COOKIE) !== null) reply.header("set-cookie", cleared);
      return fail(reply, 401, "not logged in");
    }
    return reply.type("application/json; charset=utf-8").send({ user: s.user.name, csrf: s.session.csrf });
  });

  api.post("/logout", async (req, reply) => {
    const s = live.get(req);
    if (s !== undefined) ctx.sessions.delete(s.token);
    return reply.code(204).header("set-cookie", cleared).send();
  });
}
