import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addUser, type DnstableServer, removeUser, setUserPassword } from "../src/index.js";
import { until } from "./auth-helpers.js";
import { CHEAP, login, makeUsers, PASSWORD, sessionCookieOf, uiServer } from "./ui-helpers.js";

/**
 * The web UI's sessions and logins against an injected clock: expiry, lockout after five wrong
 * passwords, users removed or given a new password while the server runs, body limits, CSRF on
 * every state-changing route, and what /metrics shows of users.
 */
const NOW = Date.parse("2026-12-07T12:00:00Z");
const LOOKUP = "/dnsdb/v2/lookup/rrset/name/www.example.test";

let dir = "";
let users = "";
let s: DnstableServer;
let clock = NOW;
let logs: string[] = [];
beforeEach(async () => {
  clock = NOW;
  logs = [];
  dir = mkdtempSync(join(tmpdir(), "server-ui-sessions-"));
  users = await makeUsers(dir, { alice: {}, bob: { dailyLimit: 3 }, carol: {} }, NOW);
  s = await uiServer(users, { auth: { now: () => clock }, now: () => clock, log: (l) => logs.push(l) }, { sessionTtlSeconds: 600 });
});
afterEach(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  s.app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json", ...headers },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
const wrong = () => post("/ui/api/login", { username: "alice", password: "not the password" });

describe("session expiry", () => {
  it("a session lives sessionTtlSeconds: then /session and lookups are 401 (and the cookie is cleared)", async () => {
    const { cookie } = await login(s, "alice");
    clock = NOW + 599_000;
    expect((await s.app.inject({ url: "/ui/api/session", headers: { cookie } })).statusCode).toBe(200);
    expect((await s.app.inject({ url: LOOKUP, headers: { cookie } })).statusCode).toBe(200);
    clock = NOW + 600_000;
    const r = await s.app.inject({ url: "/ui/api/session", headers: { cookie } });
    expect(r.statusCode).toBe(401);
    expect(r.headers["set-cookie"]).toMatch(/^dnsrep_session=; Path=\/; Max-Age=0;/);
    const l = await s.app.inject({ url: LOOKUP, headers: { cookie } });
    expect(l.statusCode).toBe(401);
    expect(l.body).toBe("session expired or ended: log in again\n");
    const out = await post("/ui/api/logout", "", { cookie, "x-csrf-token": "x" });
    expect(out.statusCode).toBe(401);
  });

  it("a cookie that names no session (forged, malformed) is 401, not a lookup without a key", async () => {
    for (const cookie of ["dnsrep_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "dnsrep_session=<script>", "dnsrep_session="]) {
      const r = await s.app.inject({ url: LOOKUP, headers: { cookie } });
      expect(r.statusCode, cookie).toBe(401);
      expect(r.body).toMatch(/log in again/);
    }
    // other cookies only: the usual "missing API key"
    const r = await s.app.inject({ url: LOOKUP, headers: { cookie: "theme=dark" } });
    expect(r.statusCode).toBe(401);
    expect(r.body).toMatch(/missing API key/);
  });
});

describe("lockout", () => {
  it("five wrong passwords in a row: 429 + Retry-After, growing; the right password is refused meanwhile, then clears it", async () => {
    for (let i = 0; i < 5; i++) expect((await wrong()).statusCode).toBe(401);
    const locked = await post("/ui/api/login", { username: "alice", password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers["retry-after"]).toBe("10");
    expect(locked.json()).toEqual({ error: "too many wrong passwords for this account: retry in 10 s" });
    // other accounts are not slowed down
    await login(s, "carol");
    clock += 10_000;
    expect((await wrong()).statusCode).toBe(401);
    const longer = await wrong();
    expect(longer.statusCode).toBe(429);
    expect(longer.headers["retry-after"]).toBe("20");
    expect(logs).toEqual([
      'login: "alice" had too many wrong passwords in a row: refused for 10 s',
      'login: "alice" had too many wrong passwords in a row: refused for 20 s',
    ]);
    clock += 20_000;
    await login(s, "alice");
    // cleared: five more wrong passwords before the next wait
    for (let i = 0; i < 5; i++) expect((await wrong()).statusCode).toBe(401);
    expect((await wrong()).statusCode).toBe(429);
  });

  it("an unknown name is slowed down alike (the answers tell nothing about which names exist)", async () => {
    for (let i = 0; i < 5; i++)
      expect((await post("/ui/api/login", { username: "mallory", password: "guess guess" })).statusCode).toBe(401);
    const r = await post("/ui/api/login", { username: "mallory", password: "guess guess" });
    expect(r.statusCode).toBe(429);
    expect(r.headers["retry-after"]).toBe("10");
  });

  it("parallel guesses cannot slip past the threshold", async () => {
    const rs = await Promise.all(Array.from({ length: 12 }, () => wrong()));
    const codes = rs.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(7);
  });
});

describe("users changed while the server runs", () => {
  it("a removed user's sessions end (401) and it cannot log in; a new user can", async () => {
    const { cookie } = await login(s, "bob");
    expect((await s.app.inject({ url: LOOKUP, headers: { cookie } })).statusCode).toBe(200);
    removeUser(users, "bob");
    await until(() => logs.some((l) => l.endsWith("ended 1 session of users removed or given a new password")));
    expect((await s.app.inject({ url: "/ui/api/session", headers: { cookie } })).statusCode).toBe(401);
    expect((await s.app.inject({ url: LOOKUP, headers: { cookie } })).statusCode).toBe(401);
    expect((await post("/ui/api/login", { username: "bob", password: PASSWORD })).statusCode).toBe(401);
    await makeUsers(dir, { dave: {} }, NOW);
    await until(async () => (await post("/ui/api/login", { username: "dave", password: PASSWORD })).statusCode === 200);
  });

  it("a new password ends the user's sessions; the old password no longer logs in", async () => {
    const { cookie } = await login(s, "carol");
    await setUserPassword(users, "carol", "another password", { scrypt: CHEAP });
    await until(async () => (await s.app.inject({ url: LOOKUP, headers: { cookie } })).statusCode === 401);
    expect((await post("/ui/api/login", { username: "carol", password: PASSWORD })).statusCode).toBe(401);
    expect((await post("/ui/api/login", { username: "carol", password: "another password" })).statusCode).toBe(200);
  });

  it("a users file turned invalid keeps the users loaded before (logged once)", async () => {
    writeFileSync(users, "{ not json");
    await until(() => logs.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/users\.json: not a valid users file: .*\(keeping the 3 users loaded before\)$/);
    await login(s, "alice");
  });
});

describe("bad login requests", () => {
  it("bad JSON, wrong shapes: 400 with a JSON error; too large: 413; not JSON: 415", async () => {
    const cases: [unknown, string][] = [
      ["{", "the body is not valid JSON"],
      ["[]", 'expected a JSON object {"username":…,"password":…}'],
      ["null", 'expected a JSON object {"username":…,"password":…}'],
      [{ username: "alice" }, "password: expected a non-empty string"],
      [{ username: 7, password: "x" }, "username: expected a non-empty string"],
      [{ username: "", password: "x" }, "username: expected a non-empty string"],
      [{ username: "a".repeat(65), password: "x" }, "username: longer than 64 characters"],
      [{ username: "alice", password: "p".repeat(1025) }, "password: longer than 1024 characters"],
    ];
    for (const [payload, error] of cases) {
      const r = await post("/ui/api/login", payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json()).toEqual({ error });
    }
    const big = await post("/ui/api/login", { username: "alice", password: "p".repeat(5000) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ error: "request body too large (at most 4096 bytes)" });
    const form = await s.app.inject({
      method: "POST",
      url: "/ui/api/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "username=alice&password=x",
    });
    expect(form.statusCode).toBe(415);
    expect(form.json()).toEqual({ error: "expected Content-Type: application/json" });
    const none = await s.app.inject({ method: "POST", url: "/ui/api/login" });
    expect(none.statusCode).toBe(415);
  });

  it("a cross-site request (Sec-Fetch-Site) is 403 before anything else", async () => {
    const r = await post("/ui/api/login", { username: "alice", password: PASSWORD }, { "sec-fetch-site": "cross-site" });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ error: "cross-site request refused" });
    expect(sessionCookieOf(r.headers)).toBeUndefined();
    expect((await post("/ui/api/login", { username: "alice", password: PASSWORD }, { "sec-fetch-site": "same-origin" })).statusCode).toBe(
      200,
    );
  });

  it("every non-GET /ui/api route needs a session and its CSRF token, unknown ones included; GET of an unknown one is a JSON 404", async () => {
    const { cookie, csrf } = await login(s, "alice");
    for (const method of ["POST", "PUT", "DELETE", "PATCH"] as const) {
      expect((await s.app.inject({ method, url: "/ui/api/anything" })).statusCode, method).toBe(401);
      expect((await s.app.inject({ method, url: "/ui/api/anything", headers: { cookie } })).statusCode, method).toBe(403);
      expect((await s.app.inject({ method, url: "/ui/api/anything", headers: { cookie, "x-csrf-token": csrf } })).statusCode, method).toBe(
        404,
      );
    }
    const g = await s.app.inject({ url: "/ui/api/nothing" });
    expect(g.statusCode).toBe(404);
    expect(g.json()).toEqual({ error: "not found" });
    // the CSRF token is checked before the body is read: a huge body without it is a 403, not a 413
    const r = await s.app.inject({
      method: "POST",
      url: "/ui/api/logout",
      headers: { cookie, "content-type": "application/json" },
      payload: "x".repeat(10000),
    });
    expect(r.statusCode).toBe(403);
  });
});

describe("login checks bounded", () => {
  it("past the logins being checked and waiting: 503 + Retry-After, counted as busy, not as a wrong password", async () => {
    const slow = join(dir, "slow.json");
    await addUser(slow, "zed", PASSWORD, {}, { scrypt: { ln: 14, r: 8, p: 1 } });
    const busy = await uiServer(slow, {}, { loginChecks: { running: 1, waiting: 0 } });
    try {
      const [a, b] = await Promise.all(
        ["zed", "zed"].map((username) =>
          busy.app.inject({ method: "POST", url: "/ui/api/login", payload: { username, password: PASSWORD } }),
        ),
      );
      expect([a?.statusCode, b?.statusCode].sort()).toEqual([200, 503]);
      const refused = a?.statusCode === 503 ? a : b;
      expect(refused?.headers["retry-after"]).toBe("1");
      expect(refused?.json()).toEqual({ error: "too many logins at once: retry in 1 s" });
      expect((await busy.app.inject({ url: "/metrics" })).body).toMatch(/^dnstable_server_ui_logins_total\{result="busy"\} 1$/m);
    } finally {
      await busy.close();
    }
  });
});

describe("users in rate_limit and /metrics", () => {
  it("a user's quota is counted like a key's; metrics carry no user names", async () => {
    const { cookie } = await login(s, "bob");
    for (let i = 0; i < 3; i++) expect((await s.app.inject({ url: LOOKUP, headers: { cookie } })).statusCode).toBe(200);
    expect((await s.app.inject({ url: LOOKUP, headers: { cookie } })).statusCode).toBe(429);
    const rl = JSON.parse((await s.app.inject({ url: "/dnsdb/v2/rate_limit", headers: { cookie } })).body);
    expect(rl).toEqual({
      rate: {
        reset: Math.floor(NOW / 86_400_000 + 1) * 86_400,
        expires: "n/a",
        limit: 3,
        remaining: 0,
        results_max: "n/a",
        offset_max: "n/a",
      },
    });
    await wrong();
    const m = (await s.app.inject({ url: "/metrics" })).body;
    expect(m).toMatch(/^dnstable_server_users 3$/m);
    expect(m).toMatch(/^dnstable_server_ui_sessions 1$/m);
    expect(m).toMatch(/^dnstable_server_keys_quota_exhausted 1$/m);
    expect(m).toMatch(/^dnstable_server_key_queries_today 3$/m);
    expect(m).toMatch(/^dnstable_server_ui_logins_total\{result="ok"\} 1$/m);
    expect(m).toMatch(/^dnstable_server_ui_logins_total\{result="wrong"\} 1$/m);
    expect(m).toMatch(/^dnstable_server_requests_total\{endpoint="ui",status="200"\} 1$/m);
    expect(m).not.toMatch(/bob|alice|carol/);
  });
});
