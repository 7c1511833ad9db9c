import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clockAt, Gate, inTempDir, makeApp, makeKeys, until } from "./auth-helpers.js";

const DAY = "2026-12-07";
const MIDNIGHT = Date.parse("2026-12-08T00:00:00Z") / 1000;

describe("auth plugin: quotas", () => {
  it("counts queries against the daily limit until 00:00 UTC, then answers 429 with Retry-After", () =>
    inTempDir(async (dir) => {
      const clock = clockAt(`${DAY}T23:00:00Z`);
      const { file, token } = makeKeys(dir, { alice: { dailyLimit: 2 } });
      const app = await makeApp({ keysFile: file, now: clock.now });
      const q = async (url = "/q") => app.inject({ url, headers: { "x-api-key": token.alice ?? "" } });
      try {
        expect((await q()).statusCode).toBe(200);
        // a query the route refuses (400) gives its count back
        expect((await q("/bad")).statusCode).toBe(400);
        // ping and rate_limit do not consume the quota
        expect((await q("/ping")).statusCode).toBe(200);
        expect(JSON.parse((await q("/dnsdb/v2/rate_limit")).body).rate).toMatchObject({ limit: 2, remaining: 1, reset: MIDNIGHT });
        expect((await q()).statusCode).toBe(200);
        const over = await q();
        expect(over.statusCode).toBe(429);
        expect(over.headers["retry-after"]).toBe("3600");
        expect(over.body).toBe("daily quota exhausted: retry in 3600 s\n");
        expect(app.authUsage()).toEqual({ keys: 1, usage: [{ name: "alice", used: 2, limit: 2 }] });
        // a refused query is not counted; the next UTC day starts afresh
        clock.ms = (MIDNIGHT + 1) * 1000;
        expect(JSON.parse((await q("/dnsdb/v2/rate_limit")).body).rate).toMatchObject({ remaining: 2, reset: MIDNIGHT + 86400 });
        expect((await q()).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    }));

  it("limits bursts to N queries per window, with Retry-After until the oldest leaves it", () =>
    inTempDir(async (dir) => {
      const clock = clockAt(`${DAY}T12:00:00Z`);
      const { file, token } = makeKeys(dir, { alice: { burst: { size: 2, window: 60 } } });
      const app = await makeApp({ keysFile: file, now: clock.now });
      const q = async () => app.inject({ url: "/q", headers: { "x-api-key": token.alice ?? "" } });
      try {
        expect((await app.inject({ url: "/bad", headers: { "x-api-key": token.alice ?? "" } })).statusCode).toBe(400);
        expect((await q()).statusCode).toBe(200);
        clock.ms += 10_000;
        expect((await q()).statusCode).toBe(200);
        clock.ms += 5_000;
        const over = await q();
        expect(over.statusCode).toBe(429);
        expect(over.headers["retry-after"]).toBe("45");
        expect(over.body).toBe("burst limit reached: retry in 45 s\n");
        clock.ms += 45_000; // the first query leaves the window
        expect((await q()).statusCode).toBe(200);
        expect((await q()).statusCode).toBe(429);
        expect(app.authUsage().usage[0]?.used).toBe(3);
      } finally {
        await app.close();
      }
    }));

  it("answers 416 to an offset beyond offset_max, on any authenticated route", () =>
    inTempDir(async (dir) => {
      const { file, token } = makeKeys(dir, { alice: { offsetMax: 100 }, bob: {} });
      const app = await makeApp({ keysFile: file });
      const q = async (key: string, url: string) => app.inject({ url, headers: { "x-api-key": key } });
      try {
        const a = token.alice ?? "";
        expect((await q(a, "/q?offset=100")).statusCode).toBe(200);
        const over = await q(a, "/q?offset=101");
        expect(over.statusCode).toBe(416);
        expect(over.body).toBe("offset 101 is beyond this key's offset_max 100\n");
        expect((await q(a, "/q?offset=5&offset=1000")).statusCode).toBe(416);
        // not a number: left to the route (a 400 there)
        expect((await q(a, "/q?offset=abc")).statusCode).toBe(200);
        expect((await q(token.bob ?? "", "/q?offset=100000000")).statusCode).toBe(200);
        // the refused queries did not count
        expect(app.authUsage().usage.find((u) => u.name === "alice")?.used).toBe(2);
      } finally {
        await app.close();
      }
    }));

  it("answers the rate_limit fields as DNSDB does (integers, n/a, unlimited; burst only when set)", () =>
    inTempDir(async (dir) => {
      const clock = clockAt(`${DAY}T12:00:00Z`);
      const expires = Date.parse("2027-01-01T00:00:00Z") / 1000;
      const { file, token } = makeKeys(dir, {
        full: { dailyLimit: 1000, resultsMax: 256, offsetMax: 3000, burst: { size: 10, window: 300 }, expires },
        plain: {},
      });
      const app = await makeApp({ keysFile: file, now: clock.now });
      try {
        await app.inject({ url: "/q", headers: { "x-api-key": token.full ?? "" } });
        const full = await app.inject({ url: "/dnsdb/v2/rate_limit", headers: { "x-api-key": token.full ?? "" } });
        expect(full.headers["content-type"]).toMatch(/^application\/json/);
        expect(full.body).toBe(
          `{"rate":{"reset":${MIDNIGHT},"expires":${expires},"limit":1000,"remaining":999,"results_max":256,"offset_max":3000,"burst_size":10,"burst_window":300}}\n`,
        );
        const plain = await app.inject({ url: "/dnsdb/v2/rate_limit", headers: { "x-api-key": token.plain ?? "" } });
        expect(plain.body).toBe(
          '{"rate":{"reset":"n/a","expires":"n/a","limit":"unlimited","remaining":"n/a","results_max":"n/a","offset_max":"n/a"}}\n',
        );
        expect((await app.inject({ url: "/dnsdb/v2/rate_limit" })).statusCode).toBe(401);
      } finally {
        await app.close();
      }
    }));

  it("keeps the counters across a close and a reopen (the state file)", () =>
    inTempDir(async (dir) => {
      const clock = clockAt(`${DAY}T12:00:00Z`);
      const { file, token } = makeKeys(dir, { alice: { dailyLimit: 3 } });
      const headers = { "x-api-key": token.alice ?? "" };
      const first = await makeApp({ keysFile: file, now: clock.now });
      expect((await first.inject({ url: "/q", headers })).statusCode).toBe(200);
      expect((await first.inject({ url: "/q", headers })).statusCode).toBe(200);
      await first.close();
      const second = await makeApp({ keysFile: file, now: clock.now });
      try {
        expect(second.authUsage().usage).toEqual([{ name: "alice", used: 2, limit: 3 }]);
        expect((await second.inject({ url: "/q", headers })).statusCode).toBe(200);
        expect((await second.inject({ url: "/q", headers })).statusCode).toBe(429);
      } finally {
        await second.close();
      }
      // an explicit state file, and a corrupt one refusing the start
      const stateFile = join(dir, "counters.json");
      const third = await makeApp({ keysFile: file, stateFile, now: clock.now });
      expect(third.authUsage().usage[0]?.used).toBe(0);
      await third.inject({ url: "/q", headers });
      await third.close();
      expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual({
        version: 1,
        usage: { alice: { day: Date.parse(DAY) / 86_400_000, used: 1 } },
      });
      writeFileSync(stateFile, "{");
      await expect(makeApp({ keysFile: file, stateFile })).rejects.toThrow(/counters\.json: not a valid quota state file: /);
    }));
});

describe("auth plugin: the state file while running", () => {
  it("is written within a few seconds of a counted query, without a close", () =>
    inTempDir(async (dir) => {
      const { file, token } = makeKeys(dir, { alice: { dailyLimit: 10 } });
      const stateFile = join(dir, "state.json");
      const app = await makeApp({ keysFile: file, stateFile });
      try {
        expect(
          (
            await app.inject({
              url: "/pdns/q",
              headers: { authorization: `Basic ${Buffer.from(`alice:${token.alice}`).toString("base64")}` },
            })
          ).statusCode,
        ).toBe(200);
        await until(() => existsSync(stateFile), 15_000);
        expect(JSON.parse(readFileSync(stateFile, "utf8")).usage.alice.used).toBe(1);
      } finally {
        await app.close();
      }
    }));
});

describe("auth plugin: a state file that cannot be written", () => {
  it("is reported once through the log option, and the server keeps answering", () =>
    inTempDir(async (dir) => {
      const { file, token } = makeKeys(dir, { alice: { dailyLimit: 10 } });
      const stateFile = join(dir, "missing-dir", "state.json");
      const lines: string[] = [];
      const app = await makeApp({ keysFile: file, stateFile, log: (line) => lines.push(line) });
      const headers = { "x-api-key": token.alice ?? "" };
      expect((await app.inject({ url: "/q", headers })).statusCode).toBe(200);
      await until(() => lines.length > 0, 15_000);
      expect((await app.inject({ url: "/q", headers })).statusCode).toBe(200);
      await app.close();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/missing-dir\/state\.json: cannot write the quota state file: ENOENT/);
    }));
});

describe("auth plugin: concurrency", () => {
  it("answers 503 beyond maxConcurrentPerKey and frees the slot when a request ends", () =>
    inTempDir(async (dir) => {
      const gate = new Gate();
      const { file, token } = makeKeys(dir, { alice: {}, bob: {} });
      const app = await makeApp({ keysFile: file, maxConcurrentPerKey: 2 }, gate);
      const headers = { "x-api-key": token.alice ?? "" };
      try {
        const slow = [app.inject({ url: "/slow", headers }), app.inject({ url: "/slow", headers })];
        await until(() => gate.entered === 2);
        const busy = await app.inject({ url: "/q", headers });
        expect(busy.statusCode).toBe(503);
        expect(busy.body).toBe("too many concurrent queries for this key (at most 2)\n");
        // other keys and non-quota routes are not held up
        expect((await app.inject({ url: "/q", headers: { "x-api-key": token.bob ?? "" } })).statusCode).toBe(200);
        expect((await app.inject({ url: "/ping", headers })).statusCode).toBe(200);
        gate.open();
        for (const r of await Promise.all(slow)) expect(r.statusCode).toBe(200);
        expect((await app.inject({ url: "/q", headers })).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    }));

  it("frees the slot of a client that hangs up (a real socket on 127.0.0.1)", () =>
    inTempDir(async (dir) => {
      const gate = new Gate();
      const { file, token } = makeKeys(dir, { alice: {} });
      const app = await makeApp({ keysFile: file, maxConcurrentPerKey: 1 }, gate);
      const headers = { "x-api-key": token.alice ?? "" };
      try {
        await app.listen({ host: "127.0.0.1", port: 0 });
        const { port } = app.server.address() as AddressInfo;
        const req = httpRequest({ host: "127.0.0.1", port, path: "/slow", headers });
        req.on("error", () => {}); // the hang-up below
        req.end();
        await until(() => gate.entered === 1);
        expect((await app.inject({ url: "/q", headers })).statusCode).toBe(503);
        req.destroy();
        // the slot comes back although the route is still waiting on its gate
        await until(async () => (await app.inject({ url: "/q", headers })).statusCode === 200);
        expect(gate.entered).toBe(1);
        gate.open();
      } finally {
        await app.close();
      }
    }));
});
