import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, CONTENT_SECURITY_POLICY, type DnstableServer } from "../src/index.js";
import { ndjson } from "./helpers.js";
import { login, makeStatic, makeUsers, PASSWORD, sessionCookieOf, uiServer } from "./ui-helpers.js";

const NOW = Date.parse("2026-12-07T12:00:00Z");
const LOOKUP = "/dnsdb/v2/lookup/rrset/name/www.example.test";

describe("the web UI routes (inject)", () => {
  let dir: string;
  let s: DnstableServer;
  const clock = NOW;
  let key = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "server-ui-"));
    const users = await makeUsers(dir, { alice: {}, bob: { dailyLimit: 1 } }, NOW);
    key = addKey(join(dir, "keys.json"), "alice", {}, NOW);
    s = await uiServer(
      users,
      { auth: { keysFile: join(dir, "keys.json"), now: () => clock }, now: () => clock },
      {
        staticDir: makeStatic(dir),
        sessionTtlSeconds: 3600,
      },
    );
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("login: 200 with the user and a CSRF token, and an HttpOnly SameSite=Strict cookie that expires (no Secure without TLS)", async () => {
    const r = await s.app.inject({ method: "POST", url: "/ui/api/login", payload: { username: "alice", password: PASSWORD } });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { user: string; csrf: string };
    expect(body.user).toBe("alice");
    expect(body.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const set = r.headers["set-cookie"] as string;
    expect(set).toMatch(/^dnsrep_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=3600; HttpOnly; SameSite=Strict$/);
    expect(r.headers["cache-control"]).toBe("no-store");
    expect(r.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
  });

  it("a session cookie stands for an API key on /dnsdb/v2 lookups; the user is its own quota holder", async () => {
    const { cookie } = await login(s, "bob");
    const r = await s.app.inject({ url: LOOKUP, headers: { cookie, accept: "application/x-ndjson" } });
    expect(r.statusCode).toBe(200);
    expect(ndjson(r.body).at(-1)).toEqual({ cond: "succeeded" });
    const rl = await s.app.inject({ url: "/dnsdb/v2/rate_limit", headers: { cookie } });
    expect(JSON.parse(rl.body)).toMatchObject({ rate: { limit: 1, remaining: 0 } });
    const over = await s.app.inject({ url: LOOKUP, headers: { cookie } });
    expect(over.statusCode).toBe(429);
    expect(over.headers["retry-after"]).toBeDefined();
    // the key named alice and the user alice do not share counters
    expect((await s.app.inject({ url: LOOKUP, headers: { "x-api-key": key } })).statusCode).toBe(200);
  });

  it("session: 200 with the same CSRF token while logged in, 401 without a cookie", async () => {
    const { cookie, csrf } = await login(s, "alice");
    const r = await s.app.inject({ url: "/ui/api/session", headers: { cookie } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ user: "alice", csrf });
    const none = await s.app.inject({ url: "/ui/api/session" });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: "not logged in" });
  });

  it("logout: 403 without or with a wrong CSRF token, 204 with it (cookie cleared), and the session is gone", async () => {
    const { cookie, csrf } = await login(s, "alice");
    const missing = await s.app.inject({ method: "POST", url: "/ui/api/logout", headers: { cookie } });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toEqual({ error: "missing CSRF token (X-CSRF-Token header)" });
    const wrong = await s.app.inject({
      method: "POST",
      url: "/ui/api/logout",
      headers: { cookie, "x-csrf-token": `${csrf.slice(0, -1)}x` },
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await s.app.inject({ method: "POST", url: "/ui/api/logout", headers: { cookie, "x-csrf-token": csrf } });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers["set-cookie"]).toBe("dnsrep_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    expect((await s.app.inject({ url: "/ui/api/session", headers: { cookie } })).statusCode).toBe(401);
    const lookup = await s.app.inject({ url: LOOKUP, headers: { cookie } });
    expect(lookup.statusCode).toBe(401);
    expect(lookup.body).toMatch(/log in again/);
  });

  it("wrong password and unknown user: the same 401", async () => {
    for (const payload of [
      { username: "alice", password: "nope nope" },
      { username: "mallory", password: PASSWORD },
    ]) {
      const r = await s.app.inject({ method: "POST", url: "/ui/api/login", payload });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: "wrong user name or password" });
      expect(sessionCookieOf(r.headers)).toBeUndefined();
    }
  });

  it("static: / and client-side routes serve index.html; /assets/* serve files; traversal is a 404", async () => {
    for (const url of [
      "/",
      "/login",
      "/lookup/rrset/name/*.example.com/A?time_last_after=-86400",
      "/glob/rrnames/*.example.test",
      "/graph",
      "/dashboard",
    ]) {
      const r = await s.app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(r.body).toContain("<title>dnsrep</title>");
      expect(r.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["referrer-policy"]).toBe("no-referrer");
    }
    const js = await s.app.inject({ url: "/assets/app.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.body).toBe('console.log("app");\n');
    const again = await s.app.inject({ url: "/assets/app.js", headers: { "if-none-match": js.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    for (const url of [
      "/assets/..%2findex.html",
      "/assets/..%2f..%2f..%2fetc%2fpasswd",
      "/assets/%2e%2e%5cindex.html",
      "/assets/.hidden",
      "/assets/app.js%00",
      "/assets/nope.js",
      "/assets/",
      "/nope",
    ]) {
      const r = await s.app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
    }
    // HEAD: the headers of the GET, no body
    const head = await s.app.inject({ method: "HEAD", url: "/assets/app.css" });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(head.headers["content-length"]).toBe("15");
    expect(head.body).toBe("");
    // a link that leads out of the folder is a 404; one that stays inside is served
    symlinkSync("/etc/hostname", join(dir, "web/assets/out.txt"));
    symlinkSync(join(dir, "web/assets/app.css"), join(dir, "web/assets/in.css"));
    expect((await s.app.inject({ url: "/assets/out.txt" })).statusCode).toBe(404);
    expect((await s.app.inject({ url: "/assets/in.css" })).body).toBe("body{margin:0}\n");
    // a URL that does not decode: the router's 400, with the headers too
    const bad = await s.app.inject({ url: "/assets/%E0%A4%A" });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe("createServer with a UI that cannot be served", () => {
  it("rejects with one line: a staticDir without index.html, a bad users file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "server-ui-bad-"));
    try {
      const users = await makeUsers(dir, { alice: {} });
      await expect(uiServer(users, {}, { staticDir: dir })).rejects.toThrow(
        /^.*server-ui-bad-\w+: cannot serve the web UI from it: ENOENT.*index\.html'$/,
      );
      await expect(uiServer(join(dir, "none.json"))).rejects.toMatchObject({ code: "ERR_USERS_FILE" });
      await expect(uiServer(users, {}, { sessionTtlSeconds: 0 })).rejects.toThrow(/sessionTtlSeconds must be a positive integer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
