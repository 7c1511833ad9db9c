import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { authPlugin, parseKeysFile, readKeysFile } from "../src/auth/index.js";
import { inTempDir, makeKeys } from "./auth-helpers.js";

/** Key roles: lookup keys read (the DNSDB and COF routes), ingest keys write (the ingest routes), never both. */
describe("key roles", () => {
  it("lookup keys cannot ingest and ingest keys cannot look up (403); each passes where it belongs", () =>
    inTempDir(async (dir) => {
      const { file, token } = makeKeys(dir, { reader: {}, writer: { role: "ingest" } });
      expect(readKeysFile(file).map((k) => k.role)).toEqual(["lookup", "ingest"]);
      const app = Fastify({ logger: false });
      await app.register(authPlugin, { keysFile: file });
      const ok = async (req: { principal: { name: string } | null }) => ({ who: req.principal?.name });
      app.get("/q", { config: { auth: "dnsdb" } }, ok);
      app.get("/pdns/q", { config: { auth: "circl" } }, ok);
      app.post("/ingest", { config: { auth: "ingest" } }, ok);
      app.post("/yapdns", { config: { auth: "ingest-basic" } }, ok);
      const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
      const reader = { "x-api-key": token.reader as string };
      const writer = { "x-api-key": token.writer as string };
      const cases: [string, string, Record<string, string>, number, string][] = [
        ["GET", "/q", reader, 200, ""],
        ["GET", "/q", writer, 403, "this API key is an ingest key: it cannot look up"],
        ["GET", "/pdns/q", { authorization: basic("reader", token.reader as string) }, 200, ""],
        ["GET", "/pdns/q", { authorization: basic("writer", token.writer as string) }, 403, "ingest key"],
        ["POST", "/ingest", writer, 200, ""],
        ["POST", "/ingest", reader, 403, "this API key is a lookup key: it cannot ingest"],
        ["POST", "/ingest", {}, 401, "missing API key"],
        ["POST", "/ingest", { "x-api-key": "nope" }, 403, "unknown API key"],
        ["POST", "/yapdns", { authorization: basic("writer", token.writer as string) }, 200, ""],
        ["POST", "/yapdns", { authorization: basic("reader", token.reader as string) }, 403, "lookup key"],
        ["POST", "/yapdns", { authorization: basic("writer", "wrong") }, 403, "unknown API key"],
        ["POST", "/yapdns", {}, 401, "basic authorization"],
      ];
      for (const [method, url, headers, status, text] of cases) {
        const r = await app.inject({ method: method as "GET" | "POST", url, headers });
        expect([url, r.statusCode], JSON.stringify(headers)).toEqual([url, status]);
        if (text) expect(r.body).toContain(text);
      }
      await app.close();
    }));

  it("keys files: role is optional (lookup), and only lookup or ingest", () => {
    const digest = "ab".repeat(32);
    const doc = (role: unknown) =>
      JSON.stringify({
        version: 1,
        keys: [{ name: "k", digest, created: "2026-01-01T00:00:00Z", ...(role === undefined ? {} : { role }) }],
      });
    expect(parseKeysFile(doc(undefined), "f")[0]?.role).toBe("lookup");
    expect(parseKeysFile(doc("ingest"), "f")[0]?.role).toBe("ingest");
    expect(() => parseKeysFile(doc("admin"), "f")).toThrow('f: not a valid keys file: key "k": role is not "lookup" or "ingest"');
  });
});
