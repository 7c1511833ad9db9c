import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { type ClientRequest, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, type DnstableServer, revokeKey } from "../src/index.js";
import { writeBigFile } from "./big-file.js";
import { DNS, DNSSEC, ndjson, testServer } from "./helpers.js";

/**
 * The auth plugin wired into createServer: the documented status of each refusal on the real
 * routes, results_max capping the limit, Basic auth on /pdns, keys added while running, and
 * dnsdbq -I / dnsdbq lookups with a real key.
 */
const NOW = Date.parse("2026-12-01T12:00:00Z");

describe("createServer with a keys file that cannot be used", () => {
  it("rejects with one line naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "server-badkeys-"));
    try {
      const { writeFileSync } = await import("node:fs");
      const bad = join(dir, "keys.json");
      writeFileSync(bad, "this is not a keys file");
      await expect(testServer({ auth: { keysFile: bad } })).rejects.toThrow(/keys\.json/);
      await expect(testServer({ auth: { keysFile: join(dir, "missing.json") } })).rejects.toThrow(/missing\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("auth through createServer", () => {
  let dir: string;
  let keys: string;
  let s: DnstableServer;
  let url: string;
  let clock = NOW;
  const tok: Record<string, string> = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "server-auth-"));
    keys = join(dir, "keys.json");
    tok.plain = addKey(keys, "plain", {}, NOW);
    tok.small = addKey(keys, "small", { resultsMax: 3, offsetMax: 5 }, NOW);
    tok.daily = addKey(keys, "daily", { dailyLimit: 2 }, NOW);
    tok.burst = addKey(keys, "burst", { burst: { size: 2, window: 3600 } }, NOW);
    tok.gone = addKey(keys, "gone", {}, NOW);
    tok.soon = addKey(keys, "soon", { expires: NOW / 1000 + 60 }, NOW);
    tok.one = addKey(keys, "one", {}, NOW);
    revokeKey(keys, "gone");
    writeBigFile(join(dir, "big.mtbl"), 100_000);
    s = await testServer({
      data: [DNS, DNSSEC, join(dir, "big.mtbl")],
      auth: { keysFile: keys, pollMs: 50, maxConcurrentPerKey: 1, now: () => clock },
      maxLimit: 1_000_000,
    });
    url = await s.listen("127.0.0.1", 0);
  }, 120_000);
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = (path: string, key?: string, headers: Record<string, string> = {}) =>
    s.app.inject({ url: path, headers: key === undefined ? headers : { "x-api-key": key, ...headers } });
  const LOOKUP = "/dnsdb/v2/lookup/rrset/name/www.example.test";

  it("no key 401, unknown key 403, revoked 403, expired 403; a good key 200 (header name in any case)", async () => {
    expect((await get(LOOKUP)).statusCode).toBe(401);
    expect((await get("/dnsdb/v2/ping")).statusCode).toBe(401);
    expect((await get(LOOKUP, "f".repeat(64))).statusCode).toBe(403);
    expect((await get(LOOKUP, tok.gone)).statusCode).toBe(403);
    expect((await get(LOOKUP, undefined, { "X-Api-KEY": tok.plain as string })).statusCode).toBe(200);
    expect((await get(LOOKUP, tok.soon)).statusCode).toBe(200);
    clock = NOW + 120_000;
    try {
      const r = await get(LOOKUP, tok.soon);
      expect(r.statusCode).toBe(403);
      expect(r.body).toMatch(/^[^\n]+\n$/);
    } finally {
      clock = NOW;
    }
    // /metrics carries no auth
    expect((await get("/metrics")).statusCode).toBe(200);
  });

  it("results_max caps the limit; an offset beyond offset_max is 416", async () => {
    const r = ndjson((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?limit=100", tok.small)).body);
    expect(r).toHaveLength(5);
    expect(r[4]).toEqual({ cond: "limited", msg: "Result limit reached" });
    expect((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?offset=5", tok.small)).statusCode).toBe(200);
    const far = await get("/dnsdb/v2/lookup/rrset/name/*.example.test?offset=6", tok.small);
    expect(far.statusCode).toBe(416);
  });

  it("the daily quota: 429 with Retry-After once used up (a 400 costs nothing)", async () => {
    expect((await get("/dnsdb/v2/lookup/rrset/name/a..b", tok.daily)).statusCode).toBe(400);
    expect((await get(LOOKUP, tok.daily)).statusCode).toBe(200);
    expect((await get("/dnsdb/v2/summarize/rrset/name/www.example.test", tok.daily)).statusCode).toBe(200);
    const r = await get(LOOKUP, tok.daily);
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
    // ping is not a query
    expect((await get("/dnsdb/v2/ping", tok.daily)).statusCode).toBe(200);
  });

  it("the burst: 429 beyond it", async () => {
    expect((await get(LOOKUP, tok.burst)).statusCode).toBe(200);
    expect((await get(LOOKUP, tok.burst)).statusCode).toBe(200);
    const r = await get(LOOKUP, tok.burst);
    expect(r.statusCode).toBe(429);
    expect(r.headers["retry-after"]).toBeDefined();
  });

  it("503 for a second concurrent query of a key while a large stream is held open", async () => {
    const held = await new Promise<{ req: ClientRequest }>((resolve, reject) => {
      const req = request(
        `${url}/dnsdb/v2/lookup/rrset/name/*.big.test?limit=0`,
        { headers: { "x-api-key": tok.one as string } },
        (res) => {
          res.pause();
          resolve({ req });
        },
      );
      req.on("error", () => {});
      req.once("error", reject);
      req.end();
    });
    try {
      expect((await get(LOOKUP, tok.one)).statusCode).toBe(503);
    } finally {
      held.req.destroy();
    }
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      status = (await get(LOOKUP, tok.one)).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe(200);
  });

  it("/pdns takes HTTP Basic auth: the key's name and the key", async () => {
    const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });
    expect((await get("/pdns/query/www.example.test")).statusCode).toBe(401);
    expect((await get("/pdns/query/www.example.test", undefined, basic("plain", "wrong"))).statusCode).toBe(403);
    const ok = await get("/pdns/query/www.example.test", undefined, basic("plain", tok.plain as string));
    expect(ok.statusCode).toBe(200);
    expect(ndjson(ok.body).length).toBeGreaterThan(0);
  });

  it("a key added while the server runs works without a restart", async () => {
    const fresh = addKey(keys, "fresh", {}, NOW);
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      status = (await get(LOOKUP, fresh)).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe(200);
  });

  it("the access log and metrics never carry a key", async () => {
    const m = (await get("/metrics")).body;
    for (const t of Object.values(tok)) expect(m).not.toContain(t);
    for (const labels of m.matchAll(/\{([^}]*)\}/g)) expect(labels[1]).not.toMatch(/plain|small|daily|burst|fresh/);
    expect(m).toMatch(/^dnstable_server_keys 8$/m);
  });

  const haveDnsdbq = spawnSync("dnsdbq", ["-v"]).status === 0;
  it.runIf(haveDnsdbq || process.env.CI)("dnsdbq with a real key: -I prints its limits, lookups work, a bad key is refused", async () => {
    if (!haveDnsdbq) throw new Error("dnsdbq is not installed (scripts/setup.sh installs it)");
    // asynchronously: the server answers from this process
    const dnsdbq = (key: string, args: string[]) =>
      new Promise<{ stdout: string; stderr: string }>((resolve) => {
        execFile(
          "dnsdbq",
          args,
          {
            encoding: "utf8",
            timeout: 30000,
            env: { PATH: process.env.PATH, HOME: "/nonexistent", DNSDB_SERVER: url, DNSDB_API_KEY: key },
          },
          (_err, stdout, stderr) => resolve({ stdout, stderr }),
        );
      });
    const info = await dnsdbq(tok.small as string, ["-I"]);
    expect(info.stderr).toBe("");
    expect(info.stdout).toContain("results_max: 3");
    expect(info.stdout).toContain("offset_max: 5");
    const r = await dnsdbq(tok.plain as string, ["-j", "-r", "www.example.test/A"]);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stdout).rdata).toEqual(["192.0.2.80", "192.0.2.81"]);
    const bad = await dnsdbq("nope", ["-j", "-r", "www.example.test/A"]);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("403");
  });
});
