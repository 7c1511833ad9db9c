import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { revokeKey } from "../src/auth/index.js";
import { clockAt, inTempDir, makeApp, makeKeys, until } from "./auth-helpers.js";

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("auth plugin: who may ask", () => {
  it("answers 401 without a key, 403 for a wrong one, and sets the principal for a good one", () =>
    inTempDir(async (dir) => {
      const { file, token } = makeKeys(dir, { alice: { resultsMax: 500, offsetMax: 100 } });
      const app = await makeApp({ keysFile: file });
      try {
        const none = await app.inject({ url: "/q" });
        expect(none.statusCode).toBe(401);
        expect(none.headers["content-type"]).toMatch(/^text\/plain/);
        expect(none.body).toBe("missing API key (X-API-Key header)\n");
        const empty = await app.inject({ url: "/q", headers: { "x-api-key": "" } });
        expect(empty.statusCode).toBe(401);
        const wrong = await app.inject({ url: "/q", headers: { "x-api-key": "0".repeat(64) } });
        expect(wrong.statusCode).toBe(403);
        expect(wrong.body).toBe("unknown API key\n");
        const good = await app.inject({ url: "/q", headers: { "X-Api-KEY": token.alice ?? "" } });
        expect(good.statusCode).toBe(200);
        expect(good.json()).toEqual({ principal: { name: "alice", resultsMax: 500, offsetMax: 100 } });
        // routes without config.auth are open
        const open = await app.inject({ url: "/open" });
        expect(open.statusCode).toBe(200);
        expect(open.json()).toEqual({ principal: null });
      } finally {
        await app.close();
      }
    }));

  it("refuses a revoked key and an expired key with 403", () =>
    inTempDir(async (dir) => {
      const clock = clockAt("2026-12-07T12:00:00Z");
      const expires = Date.parse("2026-12-07T13:00:00Z") / 1000;
      const { file, token } = makeKeys(dir, { old: {}, soon: { expires } });
      revokeKey(file, "old");
      const app = await makeApp({ keysFile: file, now: clock.now });
      try {
        const revoked = await app.inject({ url: "/q", headers: { "x-api-key": token.old ?? "" } });
        expect(revoked.statusCode).toBe(403);
        expect(revoked.body).toBe("API key revoked\n");
        expect((await app.inject({ url: "/q", headers: { "x-api-key": token.soon ?? "" } })).statusCode).toBe(200);
        clock.ms = expires * 1000;
        const expired = await app.inject({ url: "/q", headers: { "x-api-key": token.soon ?? "" } });
        expect(expired.statusCode).toBe(403);
        expect(expired.body).toBe("API key expired\n");
      } finally {
        await app.close();
      }
    }));

  it("takes HTTP basic auth on circl routes (user: key name, password: key)", () =>
    inTempDir(async (dir) => {
      const { file, token } = makeKeys(dir, { alice: {}, bob: {} });
      const app = await makeApp({ keysFile: file });
      try {
        const a = token.alice ?? "";
        const none = await app.inject({ url: "/pdns/q" });
        expect(none.statusCode).toBe(401);
        expect(none.headers["www-authenticate"]).toMatch(/^Basic realm=/);
        expect((await app.inject({ url: "/pdns/q", headers: { authorization: "Basic !!!" } })).statusCode).toBe(401);
        expect((await app.inject({ url: "/pdns/q", headers: { authorization: "Bearer x" } })).statusCode).toBe(401);
        // bob's name with alice's key, an unknown name, a wrong password: all 403
        expect((await app.inject({ url: "/pdns/q", headers: { authorization: basic("bob", a) } })).statusCode).toBe(403);
        expect((await app.inject({ url: "/pdns/q", headers: { authorization: basic("carol", a) } })).statusCode).toBe(403);
        expect((await app.inject({ url: "/pdns/q", headers: { authorization: basic("alice", `${a}x`) } })).statusCode).toBe(403);
        const ok = await app.inject({ url: "/pdns/q", headers: { authorization: basic("alice", a) } });
        expect(ok.statusCode).toBe(200);
        expect(ok.json().principal.name).toBe("alice");
        // the X-API-Key header does not open a circl route
        expect((await app.inject({ url: "/pdns/q", headers: { "x-api-key": a } })).statusCode).toBe(401);
      } finally {
        await app.close();
      }
    }));

  it("gives every authenticated route the '-' principal under noAuth", async () => {
    const app = await makeApp({ noAuth: true });
    try {
      const r = await app.inject({ url: "/q" });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ principal: { name: "-", resultsMax: null, offsetMax: null } });
      const rate = await app.inject({ url: "/dnsdb/v2/rate_limit" });
      expect(rate.body).toBe(
        '{"rate":{"reset":"n/a","expires":"n/a","limit":"unlimited","remaining":"n/a","results_max":"n/a","offset_max":"n/a"}}\n',
      );
      expect(app.authUsage()).toEqual({ keys: 0, usage: [] });
    } finally {
      await app.close();
    }
  });
});

describe("auth plugin: the keys file", () => {
  it("refuses to start on a corrupt or missing keys file, with one line naming it", () =>
    inTempDir(async (dir) => {
      const file = join(dir, "keys.json");
      writeFileSync(file, '{"version":1,"keys":[{"name":"a"');
      await expect(makeApp({ keysFile: file })).rejects.toThrow(/keys\.json: not a valid keys file: /);
      await expect(makeApp({ keysFile: join(dir, "nope.json") })).rejects.toThrow(/nope\.json: cannot read the keys file: /);
      writeFileSync(file, '{"version":1,"keys":[{"name":"a","digest":"00","created":"2026-01-01T00:00:00Z"}]}');
      await expect(makeApp({ keysFile: file })).rejects.toThrow(/key "a": digest is not 64 lowercase hex digits/);
    }));

  it("picks up a key added while running, and keeps the last good keys when the file turns bad", () =>
    inTempDir(async (dir) => {
      const { file, token } = makeKeys(dir, { alice: {} });
      const logs: string[] = [];
      const app = await makeApp({ keysFile: file, pollMs: 5 }, undefined, logs);
      try {
        const b = makeKeys(dir, { bob: {} }).token.bob ?? "";
        await until(() => app.authUsage().keys === 2);
        expect((await app.inject({ url: "/q", headers: { "x-api-key": b } })).statusCode).toBe(200);
        revokeKey(file, "bob");
        const statusOf = async (key: string): Promise<number> =>
          (await app.inject({ url: "/q", headers: { "x-api-key": key } })).statusCode;
        await until(async () => (await statusOf(b)) === 403);
        const good = readFileSync(file, "utf8");
        writeFileSync(file, "garbage");
        await until(() => logs.length > 0);
        expect(logs).toHaveLength(1);
        expect(logs[0]).toMatch(/keys\.json: not a valid keys file: .*\(keeping the 2 keys loaded before\)$/);
        expect((await app.inject({ url: "/q", headers: { "x-api-key": token.alice ?? "" } })).statusCode).toBe(200);
        writeFileSync(file, good.replace('"revoked": true', '"revoked": false'));
        await until(async () => (await statusOf(b)) === 200);
        expect(logs).toHaveLength(1);
      } finally {
        await app.close();
      }
    }));
});
