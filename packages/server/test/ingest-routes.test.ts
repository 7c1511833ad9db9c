import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, createServer, type DnstableServer } from "../src/index.js";
import { DNS } from "./helpers.js";
import { MemoryStore } from "./memory-store.js";

/**
 * The ingest routes with inject(): every status they answer (200, 400, 401, 403, 413, 415, 503,
 * 507), idempotency, provenance in lookups, YAPDNS's routes — over in-memory stores that refuse
 * when told to (the real store's own tests and the CLI tests cover @dnsrep/store itself).
 */
describe("ingest routes", () => {
  const dir = mkdtempSync(join(tmpdir(), "ingest-routes-"));
  const stores = new Map<string, MemoryStore>();
  let server: DnstableServer;
  let writer: string;
  let reader: string;
  const NOW = 1_765_000_000_000;

  beforeAll(async () => {
    const keys = join(dir, "keys.json");
    writer = addKey(keys, "shipper", { role: "ingest" });
    reader = addKey(keys, "analyst");
    server = await createServer({
      data: [DNS],
      auth: { keysFile: keys },
      pollMs: 0,
      now: () => NOW,
      store: {
        dir: join(dir, "store"),
        open: async (d) => {
          const s = new MemoryStore();
          stores.set(d.includes("/logs/") ? `logs/${basename(d)}` : "sensor", s);
          return s;
        },
        maxBodyBytes: 4096,
        maxSources: 4,
        retryAfterSeconds: 2,
      },
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}, url = "/api/v1/ingest") =>
    server.app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/x-ndjson", "x-api-key": writer, ...headers },
      payload: body,
    });
  const lookup = async (path: string): Promise<Record<string, unknown>[]> => {
    const r = await server.app.inject({ method: "GET", url: `/dnsdb/v2/lookup/${path}`, headers: { "x-api-key": reader } });
    expect(r.statusCode).toBe(200);
    return r.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { obj?: Record<string, unknown> })
      .filter((l) => l.obj !== undefined)
      .map((l) => l.obj as Record<string, unknown>);
  };
  const line = (o: Record<string, unknown>): string => JSON.stringify(o);
  const sensorObs = (name: string, count = 1) =>
    line({
      rrname: name,
      rrtype: "A",
      rdata: "192.0.2.7",
      time_first: 1_700_000_000,
      time_last: 1_700_000_100,
      count,
      bailiwick: "ingest.test",
    });

  it("stores a batch (200 once durable) and a lookup sees it at once, beside the files' data", async () => {
    const r = await post(`${sensorObs("www.ingest.test", 3)}\n${sensorObs("mail.ingest.test")}\n`);
    expect([r.statusCode, r.json()]).toEqual([200, { accepted: 2 }]);
    expect(await lookup("rrset/name/www.ingest.test")).toEqual([
      {
        count: 3,
        time_first: 1_700_000_000,
        time_last: 1_700_000_100,
        rrname: "www.ingest.test.",
        rrtype: "A",
        bailiwick: "ingest.test.",
        rdata: ["192.0.2.7"],
      },
    ]);
    expect((await lookup("rdata/ip/192.0.2.7")).map((o) => o.rrname)).toEqual(["www.ingest.test.", "mail.ingest.test."]);
  });

  it("takes gzip bodies, and content types with parameters", async () => {
    const r = await post(gzipSync(`${sensorObs("gz.ingest.test")}\n`), { "content-encoding": "gzip" });
    expect([r.statusCode, r.json()]).toEqual([200, { accepted: 1 }]);
    const c = await post(`${sensorObs("gz.ingest.test")}\n`, { "content-type": "application/x-ndjson; charset=utf-8" });
    expect([c.statusCode, c.json()]).toEqual([200, { accepted: 1 }]);
  });

  it("refuses a bad batch whole with 400 naming the line and field; nothing is applied", async () => {
    const before = stores.get("sensor")?.observations;
    const r = await post(`${sensorObs("ok.ingest.test")}\n${line({ rrname: "x.ingest.test", rrtype: "A", rdata: "x" })}\n`);
    expect(r.statusCode).toBe(400);
    expect(r.headers["content-type"]).toContain("application/json");
    expect(r.json().error).toMatch(/^line 2: rdata: .*"x"/);
    expect(stores.get("sensor")?.observations).toBe(before);
    expect(await lookup("rrset/name/ok.ingest.test")).toEqual([]);
  });

  it.each([
    ["no key", { "x-api-key": "" }, 401],
    ["a lookup key", { "x-api-key": "READER" }, 403],
    ["an unknown key", { "x-api-key": "f".repeat(64) }, 403],
  ])("answers %s with %i", async (_what, headers, status) => {
    const h = { ...headers };
    if (h["x-api-key"] === "READER") h["x-api-key"] = reader;
    const r = await post(`${sensorObs("auth.ingest.test")}\n`, h);
    expect(r.statusCode).toBe(status);
  });

  it("an ingest key cannot look up (403)", async () => {
    const r = await server.app.inject({
      method: "GET",
      url: "/dnsdb/v2/lookup/rrset/name/www.ingest.test",
      headers: { "x-api-key": writer },
    });
    expect(r.statusCode).toBe(403);
  });

  it("answers 413 past the body limit (plain or gzip), 415 for another encoding or content type, 400 for bad gzip", async () => {
    const big = `${sensorObs("big.ingest.test")}\n`.repeat(100);
    expect((await post(big)).statusCode).toBe(413);
    const bomb = await post(gzipSync(big), { "content-encoding": "gzip" });
    expect([bomb.statusCode, bomb.json().error]).toEqual([413, "body larger than 4096 bytes uncompressed"]);
    expect((await post(sensorObs("a.ingest.test"), { "content-encoding": "br" })).statusCode).toBe(415);
    expect((await post(sensorObs("a.ingest.test"), { "content-type": "application/xml" })).statusCode).toBe(415);
    const badGzip = await post(Buffer.from("nope"), { "content-encoding": "gzip" });
    expect([badGzip.statusCode, badGzip.json().error]).toEqual([400, expect.stringContaining("not a valid gzip stream")]);
  });

  it("counts a retried batch once with an Idempotency-Key", async () => {
    const body = `${sensorObs("idem.ingest.test", 5)}\n`;
    const a = await post(body, { "idempotency-key": "batch-1" });
    const b = await post(body, { "idempotency-key": "batch-1" });
    expect([a.json(), b.json()]).toEqual([{ accepted: 1 }, { accepted: 1, duplicate: true }]);
    expect((await lookup("rrset/name/idem.ingest.test"))[0]?.count).toBe(5);
    expect((await post(body, { "idempotency-key": "has space" })).statusCode).toBe(400);
  });

  it("answers 503 with Retry-After when the store is busy, 507 when its disk is full, and takes the batch once it can", async () => {
    const sensor = stores.get("sensor") as MemoryStore;
    const body = `${sensorObs("busy.ingest.test", 2)}\n`;
    sensor.refuse = "BUSY";
    const busy = await post(body, { "idempotency-key": "busy-1" });
    expect([busy.statusCode, busy.headers["retry-after"]]).toEqual([503, "2"]);
    expect(busy.json().error).toContain("busy");
    sensor.refuse = "NOSPACE";
    const full = await post(body, { "idempotency-key": "busy-1" });
    expect(full.statusCode).toBe(507);
    expect(full.json().error).toContain("disk is full");
    sensor.refuse = null;
    const ok = await post(body, { "idempotency-key": "busy-1" });
    expect([ok.statusCode, ok.json()]).toEqual([200, { accepted: 1 }]);
    expect((await lookup("rrset/name/busy.ingest.test"))[0]?.count).toBe(2);
  });

  it("keeps log-derived observations apart: per source, no bailiwick, source shown; aggr=f and COF too", async () => {
    const logObs = (source: string, count: number) =>
      line({
        rrname: "shared.ingest.test",
        rrtype: "A",
        rdata: "198.51.100.1",
        time_first: 1_700_000_000,
        time_last: 1_700_000_050,
        count,
        source,
      });
    expect((await post(`${logObs("dnsmasq", 2)}\n${logObs("zeek", 4)}\n${logObs("dnsmasq", 1)}\n`)).json()).toEqual({ accepted: 3 });
    const objs = await lookup("rrset/name/shared.ingest.test");
    expect(objs).toEqual([
      {
        count: 3,
        time_first: 1_700_000_000,
        time_last: 1_700_000_050,
        rrname: "shared.ingest.test.",
        rrtype: "A",
        rdata: ["198.51.100.1"],
        source: "dnsmasq",
      },
      {
        count: 4,
        time_first: 1_700_000_000,
        time_last: 1_700_000_050,
        rrname: "shared.ingest.test.",
        rrtype: "A",
        rdata: ["198.51.100.1"],
        source: "zeek",
      },
    ]);
    // (the vector file has records for this address too: those come first, without a source)
    expect(
      (await lookup("rdata/ip/198.51.100.1")).filter((o) => o.source !== undefined).map((o) => [o.source, o.count, o.bailiwick]),
    ).toEqual([
      ["dnsmasq", 3, undefined],
      ["zeek", 4, undefined],
    ]);
    const unagg = await lookup("rrset/name/shared.ingest.test?aggr=f");
    expect(unagg.map((o) => o.source)).toEqual(["dnsmasq", "zeek"]);
    // a query naming a bailiwick: log-derived data has none
    expect(await lookup("rrset/name/shared.ingest.test/A/ingest.test")).toEqual([]);
    const basic = `Basic ${Buffer.from(`analyst:${reader}`).toString("base64")}`;
    const cof = await server.app.inject({ method: "GET", url: "/pdns/query/shared.ingest.test", headers: { authorization: basic } });
    const lines = cof.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.origin, l.bailiwick])).toEqual([
      ["dnsmasq", undefined],
      ["zeek", undefined],
    ]);
  });

  it("refuses sources past the limit of log sources (400) and stores nothing of that batch", async () => {
    const third = line({ rrname: "s.ingest.test", rrtype: "A", rdata: "192.0.2.1", source: "suricata" });
    expect((await post(`${third}\n`)).statusCode).toBe(200);
    // three sources so far; a batch naming two new ones would make five
    const more = (source: string) => line({ rrname: "s.ingest.test", rrtype: "A", rdata: "192.0.2.1", source });
    const r = await post(`${sensorObs("s2.ingest.test")}\n${more("fourth")}\n${more("fifth")}\n`);
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toContain("at most 4");
    expect(await lookup("rrset/name/s2.ingest.test")).toEqual([]);
  });

  it("applies only the missing part of a batch a store refused in part, when retried with its key", async () => {
    const logs = stores.get("logs/zeek") as MemoryStore;
    const body = `${sensorObs("part.ingest.test", 7)}\n${line({ rrname: "part.ingest.test", rrtype: "A", rdata: "192.0.2.8", source: "zeek", count: 3 })}\n`;
    logs.refuse = "BUSY";
    expect((await post(body, { "idempotency-key": "part-1" })).statusCode).toBe(503);
    logs.refuse = null;
    expect((await post(body, { "idempotency-key": "part-1" })).json()).toEqual({ accepted: 2 });
    expect((await lookup("rrset/name/part.ingest.test")).map((o) => [o.source ?? "sensor", o.count])).toEqual([
      ["sensor", 7],
      ["zeek", 3],
    ]);
  });

  it("takes YAPDNS clients' records with HTTP basic auth (single and bulk)", async () => {
    const basic = (user: string, pass: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`,
      "content-type": "application/json",
    });
    const rec = {
      domain: "yap.ingest.test",
      rtype: "A",
      rdata: "203.0.113.5",
      ttl: 60,
      timestamp: "2023-11-14T22:13:20.000Z",
      client: { hostname: "h", ip: "10.0.0.1" },
    };
    const one = await server.app.inject({
      method: "POST",
      url: "/api/v1/dns",
      headers: basic("shipper", writer),
      payload: JSON.stringify(rec),
    });
    expect([one.statusCode, one.json()]).toEqual([200, { status: 200, message: "DNS Record create successfully", accepted: 1 }]);
    const bulk = await server.app.inject({
      method: "POST",
      url: "/api/v1/dns/bulk",
      headers: basic("shipper", writer),
      payload: JSON.stringify([rec, { ...rec, timestamp: 1_700_000_100 }]),
    });
    expect([bulk.statusCode, bulk.json().accepted]).toEqual([200, 2]);
    expect(await lookup("rrset/name/yap.ingest.test")).toEqual([
      {
        count: 3,
        time_first: 1_700_000_000,
        time_last: 1_700_000_100,
        rrname: "yap.ingest.test.",
        rrtype: "A",
        rdata: ["203.0.113.5"],
        source: "yapdns",
      },
    ]);
    const bad = await server.app.inject({
      method: "POST",
      url: "/api/v1/dns/bulk",
      headers: basic("shipper", writer),
      payload: JSON.stringify([rec, { ...rec, rtype: "NOPE" }]),
    });
    expect([bad.statusCode, bad.json()]).toEqual([
      400,
      { status: 400, message: expect.stringMatching(/^record 2: rrtype: unknown rrtype/) },
    ]);
    const wrongRole = await server.app.inject({
      method: "POST",
      url: "/api/v1/dns",
      headers: basic("analyst", reader),
      payload: JSON.stringify(rec),
    });
    expect(wrongRole.statusCode).toBe(403);
    const noAuth = await server.app.inject({
      method: "POST",
      url: "/api/v1/dns",
      headers: { "content-type": "application/json" },
      payload: "{}",
    });
    expect(noAuth.statusCode).toBe(401);
  });

  it("/metrics tells the ingest counts, rate, lag and store sizes", async () => {
    const r = await server.app.inject({ method: "GET", url: "/metrics" });
    expect(r.body).toMatch(/dnstable_server_ingest_observations_total\{via="http"\} \d+/);
    expect(r.body).toMatch(/dnstable_server_ingest_observations_total\{via="yapdns"\} 3/);
    expect(r.body).toMatch(/dnstable_server_ingest_rate \d/);
    expect(r.body).toMatch(/dnstable_server_ingest_lag_seconds \d/);
    expect(r.body).toMatch(/dnstable_server_store_memtable_entries\{store="sensor"\} \d+/);
    expect(r.body).toMatch(/dnstable_server_store_files\{store="logs\/dnsmasq",tier="minute"\} 0/);
    expect(r.body).toMatch(/dnstable_server_requests_total\{endpoint="ingest",status="503"\} \d/);
    expect(r.body).toMatch(/dnstable_server_requests_total\{endpoint="ingest",status="507"\} \d/);
  });
});
