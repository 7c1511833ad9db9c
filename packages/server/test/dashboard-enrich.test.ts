import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES as FX, fixtureStamp, haveMmdblookup } from "../../enrich/test/mmdblookup.js";
import type { DashboardView } from "../src/dashboard/index.js";
import { addKey, createServer, type DnstableServer, type ServerOptions } from "../src/index.js";
import { ingestLines } from "./helpers.js";

/**
 * The dashboard's ASN / country panels on a server with enrichment (the test databases of
 * @dnsrep/enrich), in one process (inject()): each ASN's and each country's number equals the sum
 * of `count` over its rdata/asn (rdata/country) lookup, the ASNs and countries are the ones
 * Debian's mmdblookup gives for the ingested addresses, the breakdown adds up, a restart keeps
 * them; without enrichment the panels are null with a note; with it but nothing ingested, empty.
 */

type Obj = Record<string, unknown>;
const T = 1_790_000_000;

describe.skipIf(!haveMmdblookup)("dashboard with enrichment", () => {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-enrich-"));
  const country = join(dir, "country.mmdb");
  const asn = join(dir, "asn.mmdb");
  const keys = join(dir, "keys.json");
  const writer = addKey(keys, "shipper", { role: "ingest" });
  const reader = addKey(keys, "analyst");
  let server: DnstableServer;
  let now = 1_790_001_000_000;
  const options = (enrich = true): ServerOptions => ({
    auth: { keysFile: keys },
    pollMs: 0,
    now: () => now,
    store: { dir: join(dir, "store") },
    ...(enrich ? { enrich: { geoipDb: country, asnDb: asn, pollMs: 20 } } : {}),
    dashboard: { saveMs: 60_000 },
    log: (l) => logs.push(l),
  });
  const logs: string[] = [];
  /** address → sum of counts ingested */
  const byAddress = new Map<string, number>();

  const post = async (lines: Obj[]): Promise<void> => {
    const r = await ingestLines(server, writer, lines);
    expect(r.statusCode, r.body).toBe(200);
    for (const l of lines)
      if (l.rrtype === "A" || l.rrtype === "AAAA")
        for (const a of Array.isArray(l.rdata) ? l.rdata : [l.rdata])
          byAddress.set(a as string, (byAddress.get(a as string) ?? 0) + ((l.count as number) ?? 1));
  };
  const get = (url: string) => server.app.inject({ method: "GET", url, headers: { "x-api-key": reader } });
  const dashboard = async (): Promise<DashboardView> => {
    const r = await get("/dnsdb/v2/dashboard?range=24h");
    expect(r.statusCode).toBe(200);
    return r.json() as DashboardView;
  };
  const sumCounts = async (path: string): Promise<number> => {
    const r = await get(`/dnsdb/v2/lookup/${path}?limit=100000`);
    expect(r.statusCode, r.body).toBe(200);
    let n = 0;
    for (const l of r.body.split("\n")) if (l.startsWith('{"obj"')) n += (JSON.parse(l) as { obj: { count: number } }).obj.count;
    return n;
  };

  beforeAll(async () => {
    copyFileSync(join(FX, "country-v1.mmdb"), country);
    copyFileSync(join(FX, "asn-v1.mmdb"), asn);
    // first without enrichment: the panels say how to turn it on
    server = await createServer(options(false));
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("without enrichment: null panels and a note saying how to turn it on", async () => {
    await post([{ rrname: "pre.example.", rrtype: "A", rdata: "192.0.2.1", time_first: T, time_last: T, count: 4 }]);
    byAddress.clear(); // not counted by the enrichment panels
    const d = await dashboard();
    expect(d.topAsns).toBeNull();
    expect(d.topCountries).toBeNull();
    expect(d.breakdown).toBeNull();
    expect(d.enrichment).toBeNull();
    expect(d.enrichNote).toMatch(/--geoip-db/);
    expect(d.topAddresses.map((a) => a.address)).toEqual(["192.0.2.1"]);
    await server.close();
  });

  it("with enrichment but nothing ingested since: empty panels and a note", async () => {
    server = await createServer(options());
    const d = await dashboard();
    expect(d.topAsns).toEqual([]);
    expect(d.topCountries).toEqual([]);
    expect(d.breakdown).toEqual([]);
    expect(d.enrichment).toEqual({ since: null, addresses: 0, withoutAsn: 0 });
    expect(d.enrichNote).toMatch(/Enrichment is on/);
  });

  it("each ASN's and country's number equals the sum of counts its rdata/asn (country) lookup returns", async () => {
    now += 5000;
    await post([
      { rrname: "a.example.", rrtype: "A", rdata: "192.0.2.10", time_first: T, time_last: T + 10, count: 3 },
      { rrname: "b.example.", rrtype: "A", rdata: ["192.0.2.20", "192.0.2.200"], time_first: T, time_last: T + 20, count: 5 },
      { rrname: "c.example.", rrtype: "AAAA", rdata: "2001:db8::1", time_first: T, time_last: T + 30, count: 7 },
      { rrname: "d.example.", rrtype: "AAAA", rdata: "2001:db8:8000::5", time_first: T, time_last: T + 40, count: 2 },
      { rrname: "e.example.", rrtype: "A", rdata: "198.51.100.7", time_first: T, time_last: T + 50, count: 11 },
      { rrname: "f.example.", rrtype: "A", rdata: "203.0.113.9", time_first: T, time_last: T + 60, count: 1 },
      { rrname: "g.example.", rrtype: "A", rdata: "8.8.8.8", time_first: T, time_last: T + 70, count: 6 },
      { rrname: "x.example.", rrtype: "CNAME", rdata: "a.example.", time_first: T, time_last: T + 80, count: 9 },
    ]);
    // a second batch: the same pair again (its count adds up) and a new name on a known address
    await post([
      { rrname: "a.example.", rrtype: "A", rdata: "192.0.2.10", time_first: T + 100, time_last: T + 200, count: 4 },
      { rrname: "h.example.", rrtype: "A", rdata: "198.51.100.8", time_first: T + 100, time_last: T + 200, count: 1 },
    ]);
    const d = await dashboard();
    expect(d.enrichment?.since).toBe(Math.floor(now / 1000));
    expect(d.enrichNote).toMatch(/under the databases in force at ingest/);
    // what mmdblookup says of each address ingested: the expected ASN and country totals
    const wantAsn = new Map<number, number>();
    const wantCountry = new Map<string, number>();
    let total = 0;
    for (const [ip, n] of byAddress) {
      const s = fixtureStamp(1, ip);
      total += n;
      if (typeof s.asn === "number") wantAsn.set(s.asn, (wantAsn.get(s.asn) ?? 0) + n);
      const cc = typeof s.country === "string" ? s.country : "unknown";
      wantCountry.set(cc, (wantCountry.get(cc) ?? 0) + n);
    }
    expect(new Map((d.topAsns ?? []).map((r) => [r.asn, r.count]))).toEqual(wantAsn);
    expect(new Map((d.topCountries ?? []).map((r) => [r.country, r.count]))).toEqual(wantCountry);
    expect(d.enrichment?.addresses).toBe(total);
    expect(wantCountry.get("unknown")).toBe(6); // 8.8.8.8: in neither database
    for (const r of d.topAsns ?? []) {
      expect(await sumCounts(`rdata/asn/AS${r.asn}`), `AS${r.asn}`).toBe(r.count);
      expect(r.as_org, `AS${r.asn}`).toBe(
        fixtureStamp(1, [...byAddress.keys()].find((ip) => fixtureStamp(1, ip).asn === r.asn) as string).as_org,
      );
      expect(r.error).toBe(0);
    }
    for (const r of d.topCountries ?? [])
      if (r.country !== "unknown") expect(await sumCounts(`rdata/country/${r.country}`), r.country).toBe(r.count);
    // the breakdown adds up to the same totals both ways
    const bd = d.breakdown ?? [];
    const sumBy = <K>(key: (r: (typeof bd)[number]) => K): Map<K, number> => {
      const m = new Map<K, number>();
      for (const r of bd) m.set(key(r), (m.get(key(r)) ?? 0) + r.count);
      return m;
    };
    expect(sumBy((r) => r.country)).toEqual(wantCountry);
    const byAsn = sumBy((r) => r.asn);
    byAsn.delete(null);
    expect(byAsn).toEqual(wantAsn);
    expect(d.enrichment?.withoutAsn).toBe(6);
  });

  it("a restart keeps the counts (aggregates.bin)", async () => {
    const before = await dashboard();
    await server.close();
    server = await createServer(options());
    const after = await dashboard();
    expect(after.topAsns).toEqual(before.topAsns);
    expect(after.topCountries).toEqual(before.topCountries);
    expect(after.breakdown).toEqual(before.breakdown);
    expect(after.enrichment).toEqual(before.enrichment);
  });

  it("counts an address under the databases in force at ingest: after a swap, a new observation of an old pair counts under its new owner", async () => {
    copyFileSync(join(FX, "country-v2.mmdb"), country);
    copyFileSync(join(FX, "asn-v2.mmdb"), asn);
    // wait for both swaps to be picked up (no observation in between)
    const swapped = () => logs.filter((l) => l.includes("new database in use")).length;
    const had = swapped();
    for (let i = 0; i < 500 && swapped() < had + 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(swapped()).toBe(had + 2);
    const before = await dashboard();
    const was = (asnN: number) => before.topAsns?.find((r) => r.asn === asnN)?.count ?? 0;
    await post([{ rrname: "b.example.", rrtype: "A", rdata: "192.0.2.200", time_first: T + 300, time_last: T + 300, count: 10 }]);
    const d = await dashboard();
    expect(d.topAsns?.find((r) => r.asn === 64511)?.count).toBe(was(64511) + 10);
    expect(d.topAsns?.find((r) => r.asn === 64497)?.count).toBe(was(64497));
    // the pair keeps its first stamp (AS64497): its lookup by ASN now counts 10 more than the panel
    expect(await sumCounts("rdata/asn/AS64497")).toBe(was(64497) + 10);
  });
});
