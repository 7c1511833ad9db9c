import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addUser } from "@dnsrep/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCert } from "../../../test/tls-cert.js";
import { vectorPath } from "../../../test/vectors.js";
import { type Running, startServer } from "./spawn-server.js";

/**
 * `dnstable-server --users FILE` as a real process, driven by curl with a cookie jar: log in,
 * look up with the cookie, rate_limit, log out (CSRF token), and the cookie no longer works; under
 * TLS the cookie is Secure. Needs the built tool (`tsc -b`) and curl/openssl (scripts/setup.sh).
 */
const DNS = vectorPath("dnstable/dns.mtbl");
const CI = Boolean(process.env.CI);
const CHEAP = { ln: 4, r: 8, p: 1 };
const haveTools = spawnSync("openssl", ["version"]).status === 0 && spawnSync("curl", ["--version"]).status === 0;

function curl(...args: string[]): { status: number; headers: string; body: string } {
  const r = spawnSync("curl", ["-sS", "-D", "-", "--max-time", "20", ...args], { encoding: "utf8", timeout: 30000 });
  if (r.status !== 0) throw new Error(`curl ${args.join(" ")}: ${r.stderr}`);
  const cut = r.stdout.indexOf("\r\n\r\n");
  const headers = r.stdout.slice(0, cut);
  return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(headers)?.[1]), headers, body: r.stdout.slice(cut + 4) };
}

/** POST alice's login with curl, keeping the cookie in `jar`. */
function curlLogin(url: string, jar: string, ...extra: string[]): ReturnType<typeof curl> {
  const body = JSON.stringify({ username: "alice", password: "alice's password" });
  return curl(...extra, "-c", jar, "-H", "content-type: application/json", "--data-binary", body, `${url}/ui/api/login`);
}

describe.runIf(haveTools || CI)("dnstable-server --users with curl", () => {
  let dir = "";
  let users = "";
  beforeAll(async () => {
    if (!haveTools) throw new Error("openssl and curl are needed (scripts/setup.sh installs them)");
    dir = mkdtempSync(join(tmpdir(), "dnsrep-web-login-"));
    users = join(dir, "users.json");
    await addUser(users, "alice", "alice's password", { dailyLimit: 10 }, { scrypt: CHEAP });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("login → cookie jar → lookup with the cookie → rate_limit → logout → 401", async () => {
    const jar = join(dir, "jar.txt");
    let s: Running | null = null;
    try {
      s = await startServer(["-q", "--users", users, "--session-ttl", "600", DNS]);
      const login = curlLogin(s.url, jar);
      expect(login.status).toBe(200);
      expect(login.headers).toMatch(/^set-cookie: dnsrep_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Strict\r?$/im);
      expect(login.headers).toMatch(/^content-security-policy: default-src 'self'; .*frame-ancestors 'none'\r?$/im);
      const { user, csrf } = JSON.parse(login.body) as { user: string; csrf: string };
      expect(user).toBe("alice");
      // curl keeps HttpOnly cookies in its jar with the #HttpOnly_ prefix
      expect(readFileSync(jar, "utf8")).toMatch(/^#HttpOnly_127\.0\.0\.1\tFALSE\t\/\tFALSE\t\d+\tdnsrep_session\t[A-Za-z0-9_-]{43}$/m);

      const lookup = curl("-b", jar, "-H", "accept: application/x-ndjson", `${s.url}/dnsdb/v2/lookup/rrset/name/www.example.test/A`);
      expect(lookup.status).toBe(200);
      expect(lookup.body).toMatch(/^\{"cond":"begin"\}\n\{"obj":\{"count":4,.*\}\}\n\{"cond":"succeeded"\}\n$/);
      const rl = curl("-b", jar, `${s.url}/dnsdb/v2/rate_limit`);
      expect(JSON.parse(rl.body)).toMatchObject({ rate: { limit: 10, remaining: 9 } });
      expect(curl("-b", jar, `${s.url}/ui/api/session`).body).toBe(JSON.stringify({ user: "alice", csrf }));

      expect(curl("-b", jar, "-X", "POST", `${s.url}/ui/api/logout`).status).toBe(403);
      const out = curl("-b", jar, "-c", jar, "-X", "POST", "-H", `x-csrf-token: ${csrf}`, `${s.url}/ui/api/logout`);
      expect(out.status).toBe(204);
      expect(out.headers).toMatch(/^set-cookie: dnsrep_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict\r?$/im);
      expect(readFileSync(jar, "utf8")).not.toMatch(/dnsrep_session\t[A-Za-z0-9_-]{43}/);
      const after = curl("-b", jar, `${s.url}/dnsdb/v2/lookup/rrset/name/www.example.test/A`);
      expect(after.status).toBe(401);
      const wrong = curl(
        "-H",
        "content-type: application/json",
        "--data-binary",
        '{"username":"alice","password":"nope"}',
        `${s.url}/ui/api/login`,
      );
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.body)).toEqual({ error: "wrong user name or password" });
    } finally {
      if (s) expect(await s.stop()).toBe(0);
    }
  });

  it("under TLS the session cookie is Secure", async () => {
    const { key, cert } = selfSignedCert(dir);
    let s: Running | null = null;
    try {
      s = await startServer(["-q", "--users", users, "--tls-cert", cert, "--tls-key", key, DNS]);
      expect(s.url).toMatch(/^https:/);
      const jar = join(dir, "tls-jar.txt");
      const login = curlLogin(s.url, jar, "--cacert", cert);
      expect(login.status).toBe(200);
      expect(login.headers).toMatch(
        /^set-cookie: dnsrep_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure\r?$/im,
      );
      expect(curl("--cacert", cert, "-b", jar, `${s.url}/dnsdb/v2/lookup/rrset/name/www.example.test/A`).status).toBe(200);
    } finally {
      if (s) expect(await s.stop()).toBe(0);
    }
  });

  it("refuses to start on a bad users file (one line, exit 1)", async () => {
    const { writeFileSync } = await import("node:fs");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{}");
    await expect(startServer(["-q", "--users", bad, DNS], 20000)).rejects.toThrow(
      /exited \(1\) before listening: dnstable-server: \S*bad\.json: not a valid users file: unknown version undefined \(expected 1\)\n$/,
    );
  });
});
