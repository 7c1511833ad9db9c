import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, createServer, type DnstableServer } from "../src/index.js";
import { DNS, ingestLines } from "./helpers.js";

/**
 * GET /ui/api/dashboard and /dnsdb/v2/dashboard over a real @dnsrep/store and the test vectors'
 * dns.mtbl: auth, bad ranges, and every panel's number against the same count from the lookup API
 * (a name's count is the sum of its RRsets' counts, as is an address's); a restart keeps them.
 */
describe("dashboard route", () => {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-route-"));
  const keys = join(dir, "keys.json");
  const writer = addKey(keys, "shipper", { role: "ingest" });
  const reader = addKey(keys, "analyst");
  let server: DnstableServer;
  let now = 1_765_000_000_000;
  const open = () =>
    createServer({
      data: [DNS],
      auth: { keysFile: keys },
      pollMs: 0,
      now: () => now,
      store: { dir: join(dir, "store") },
      dashboard: { silentAfterSeconds: 600 },
    });
  beforeAll(async () => {
    server = await open();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, key: string | null = reader) =>
    server.app.inject({ method: "GET", url, headers: key === null ? {} : { "x-api-key": key } });
  const dashboard = async (range = "24h") => {
    const r = await get(`/dnsdb/v2/dashboard?range=${range}`);
    expect(r.statusCode).toBe(200);
    return r.json();
  };
  const sumCounts = async (path: string): Promise<number> => {
    const r = await get(`/dnsdb/v2/lookup/${path}?limit=100000`);
    expect(r.statusCode).toBe(200);
    let n = 0;
    for (const l of r.body.split("\n")) {
      if (l === "") continue;
      const o = JSON.parse(l) as { obj?: { count: number } };
      if (o.obj) n += o.obj.count;
    }
    return n;
  };
  const ingest = (lines: object[], source?: string) => ingestLines(server, writer, source ? lines.map((l) => ({ ...l, source })) : lines);

  it("refuses without a key, an ingest key, and a bad range", async () => {
    expect((await get("/dnsdb/v2/dashboard", null)).statusCode).toBe(401);
    expect((await get("/ui/api/dashboard", null)).statusCode).toBe(401);
    expect((await get("/dnsdb/v2/dashboard", writer)).statusCode).toBe(403);
    const bad = await get("/dnsdb/v2/dashboard?range=1y");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toBe("range: must be 24h, 7d or 30d\n");
  });

  it("counts the data files: top names and addresses equal the lookups' sums", async () => {
    const d = await dashboard();
    expect(d.files.state).toBe("ready");
    expect(d.files.rrsets).toBeGreaterThan(0);
    expect(d.topNames.length).toBeGreaterThan(0);
    for (const n of d.topNames.slice(0, 5)) expect(n.error).toBe(0);
    for (const n of d.topNames.slice(0, 5)) expect(await sumCounts(`rrset/name/${encodeURIComponent(n.name)}`)).toBe(n.count);
    for (const a of d.topAddresses.slice(0, 5)) expect(await sumCounts(`rdata/ip/${a.address}`)).toBe(a.count);
    const total = d.rrtypes.reduce((s: number, r: { observations: number }) => s + r.observations, 0);
    expect(total).toBe(d.files.rrsets);
  });

  it("counts ingested batches as they are applied: series, sources, new domains, lag", async () => {
    const t = Math.floor(now / 1000) - 120;
    const obs = [
      { rrname: "www.dash-one.example.com", rrtype: "A", rdata: ["198.51.100.7"], time_first: t - 60, time_last: t, count: 40 },
      { rrname: "mail.dash-one.example.com", rrtype: "A", rdata: "198.51.100.7", time_first: t - 30, time_last: t, count: 2 },
      { rrname: "dash-two.co.uk", rrtype: "AAAA", rdata: "2001:db8::7", time_first: t, time_last: t, count: 5, bailiwick: "co.uk" },
    ];
    expect((await ingest(obs.slice(0, 2), "zeek")).statusCode).toBe(200);
    expect((await ingest(obs.slice(2))).statusCode).toBe(200);
    // the same again: names seen before are not new again
    expect((await ingest(obs.slice(0, 1), "zeek")).statusCode).toBe(200);
    const d = await dashboard();
    const zeek = d.series.sources.find((s: { source: string }) => s.source === "zeek");
    expect(zeek.observations.reduce((a: number, b: number) => a + b, 0)).toBe(3);
    expect(zeek.newNames.reduce((a: number, b: number) => a + b, 0)).toBe(2);
    const sensor = d.series.sources.find((s: { source: string }) => s.source === "sensor");
    expect(sensor.observations.reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(d.newDomains.map((x: { domain: string }) => x.domain).sort()).toEqual(["dash-two.co.uk", "example.com"]);
    expect(d.ingest.lagSeconds).toBe(120);
    expect(d.ingest.sources.map((s: { source: string }) => s.source)).toEqual(["sensor", "zeek"]);
    // 198.51.100.7: 40 + 2 + 40 (sent twice), and the lookup says the same
    const a = d.topAddresses.find((x: { address: string }) => x.address === "198.51.100.7");
    expect(a.count).toBe(82);
    expect(await sumCounts("rdata/ip/198.51.100.7")).toBe(82);
    const n = d.topNames.find((x: { name: string }) => x.name === "www.dash-one.example.com.");
    expect(n.count).toBe(await sumCounts("rrset/name/www.dash-one.example.com"));
    // a source silent past silentAfterSeconds is marked
    now += 601_000;
    const later = await dashboard("7d");
    expect(later.ingest.sources.every((s: { silent: boolean }) => s.silent)).toBe(true);
    expect(later.step).toBe(3600);
    expect(later.series.buckets.length).toBe(168);
    expect((await dashboard("30d")).step).toBe(86400);
  });

  it("counts a batch repeated under the same Idempotency-Key once", async () => {
    const t = Math.floor(now / 1000);
    const line = {
      rrname: "idem.dash-three.example.net",
      rrtype: "A",
      rdata: "198.51.100.9",
      time_first: t,
      time_last: t,
      count: 3,
      source: "zeek",
    };
    const send = () =>
      server.app.inject({
        method: "POST",
        url: "/api/v1/ingest",
        headers: { "content-type": "application/x-ndjson", "x-api-key": writer, "idempotency-key": "dash-batch-1" },
        payload: JSON.stringify(line),
      });
    const before = (await dashboard()).observations;
    expect((await send()).statusCode).toBe(200);
    const r = await send();
    expect(r.statusCode).toBe(200);
    expect(r.json().duplicate).toBe(true);
    const d = await dashboard();
    expect(d.observations).toBe(before + 1);
    expect(d.topAddresses.find((x: { address: string }) => x.address === "198.51.100.9").count).toBe(3);
  });

  it("keeps the live aggregates across a restart", async () => {
    const before = await dashboard();
    await server.close();
    server = await open();
    const after = await dashboard();
    expect(after.series).toEqual(before.series);
    expect(after.topNames).toEqual(before.topNames);
    expect(after.ingest.sources).toEqual(before.ingest.sources);
    expect(after.newDomains).toEqual(before.newDomains);
  });
});

describe("dashboard over DATA files only", () => {
  it("bounds the files' count (partial), and answers 'none' for the live part without a store", async () => {
    const server = await createServer({ data: [DNS], auth: { noAuth: true }, pollMs: 0, dashboard: { maxFileEntries: 5 } });
    try {
      const d = (await server.app.inject({ method: "GET", url: "/dnsdb/v2/dashboard?range=30d" })).json();
      expect(d.files).toMatchObject({ state: "ready", files: 1, rrsets: 5, partial: true });
      expect(d.observations).toBe(5);
      expect(d.ingest).toMatchObject({ lagSeconds: null, sources: [] });
      expect(d.series.sources.map((s: { source: string }) => s.source)).toEqual(["files"]);
      expect(d.step).toBe(86400);
    } finally {
      await server.close();
    }
  });
});
