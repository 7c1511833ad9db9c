import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES as FX, fixtureStamp, haveMmdblookup } from "../../enrich/test/mmdblookup.js";
import { addKey, createServer, type DnstableServer, type ServerOptions } from "../src/index.js";
import { ingestLines } from "./helpers.js";

/**
 * Enrichment end to end in one process (inject()): a real live store with the enrichment hook;
 * observations ingested before and after the test databases are swapped on disk keep their own
 * stamps; every stamped value is what Debian's mmdblookup says of that address in the database
 * version in force at the first ingest; rdata/asn and rdata/country give exactly the stamped
 * pairs; a restart keeps the stamps; a corrupt swap keeps the old database and is logged once.
 */

type Obj = Record<string, unknown>;

describe.skipIf(!haveMmdblookup)("enrichment at ingest", () => {
  const dir = mkdtempSync(join(tmpdir(), "enrich-ingest-"));
  const country = join(dir, "country.mmdb");
  const asn = join(dir, "asn.mmdb");
  const keys = join(dir, "keys.json");
  const writer = addKey(keys, "shipper", { role: "ingest" });
  const reader = addKey(keys, "analyst");
  const logs: string[] = [];
  let server: DnstableServer;
  const options = (): ServerOptions => ({
    auth: { keysFile: keys },
    pollMs: 0,
    store: { dir: join(dir, "store") },
    enrich: { geoipDb: country, asnDb: asn, pollMs: 20 },
    log: (l) => logs.push(l),
  });
  // (rrname, address) → the fixture version in force when first ingested
  const firstVersion = new Map<string, number>();

  const post = async (lines: Obj[]): Promise<void> => {
    const r = await ingestLines(server, writer, lines);
    expect(r.statusCode, r.body).toBe(200);
  };
  const get = async (url: string, key = reader): Promise<{ status: number; objs: Obj[]; body: string }> => {
    const r = await server.app.inject({ method: "GET", url, headers: { "x-api-key": key } });
    const objs =
      r.statusCode === 200
        ? r.body
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as Obj)
            .filter((o) => "obj" in o)
            .map((o) => o.obj as Obj)
        : [];
    return { status: r.statusCode, objs, body: r.body };
  };
  const swapTo = async (v: number): Promise<void> => {
    const before = logs.filter((l) => l.includes("new database in use")).length;
    copyFileSync(join(FX, `country-v${v}.mmdb`), country);
    copyFileSync(join(FX, `asn-v${v}.mmdb`), asn);
    for (let i = 0; i < 500 && logs.filter((l) => l.includes("new database in use")).length < before + 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(logs.filter((l) => l.includes("new database in use")).length).toBe(before + 2);
  };
  const ingest = async (version: number, recs: [string, string, string][]): Promise<void> => {
    await post(
      recs.map(([rrname, rrtype, rdata], i) => ({
        rrname,
        rrtype,
        rdata,
        time_first: 1_790_000_000 + i,
        time_last: 1_790_000_100 + i,
        count: 2,
      })),
    );
    for (const [rrname, rrtype, rdata] of recs)
      if (rrtype === "A" || rrtype === "AAAA") {
        const k = `${rrname.toLowerCase()}|${rdata}`;
        if (!firstVersion.has(k)) firstVersion.set(k, version);
      }
  };
  /** What mmdblookup says the stamp of a pair must be. */
  const memo = new Map<string, Obj>();
  const expected = (k: string): Obj => {
    const key = `${k}|${firstVersion.get(k)}`;
    const have = memo.get(key);
    if (have) return have;
    const v = firstVersion.get(k) as number;
    const ip = k.split("|")[1] as string;
    // the fields a stamp has: what mmdblookup finds, absent ones left out
    const o: Obj = Object.fromEntries(Object.entries(fixtureStamp(v, ip)).filter(([, x]) => x !== null));
    memo.set(key, o);
    return o;
  };
  const fieldsOf = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([k]) => k === "asn" || k === "as_org" || k === "country"));

  beforeAll(async () => {
    copyFileSync(join(FX, "country-v1.mmdb"), country);
    copyFileSync(join(FX, "asn-v1.mmdb"), asn);
    server = await createServer(options());
    await ingest(1, [
      ["a.example.", "A", "192.0.2.200"],
      ["b.example.", "A", "203.0.113.9"],
      ["c.example.", "AAAA", "2001:db8:8000::1"],
      ["d.example.", "A", "8.8.8.8"],
      ["x.example.", "CNAME", "a.example."],
      ["m.example.", "A", "192.0.2.5"],
    ]);
    await swapTo(2);
    await ingest(2, [
      ["A.example.", "A", "192.0.2.200"],
      ["e.example.", "A", "192.0.2.200"],
      ["f.example.", "A", "203.0.113.9"],
      ["b.example.", "A", "203.0.113.9"],
      ["g.example.", "AAAA", "2001:db8:8000::1"],
    ]);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const checkAllStamps = async (): Promise<void> => {
    for (const k of firstVersion.keys()) {
      const [rrname, ip] = k.split("|") as [string, string];
      const { objs } = await get(`/dnsdb/v2/lookup/rdata/ip/${ip}?enrich=1`);
      const mine = objs.filter((o) => o.rrname === rrname);
      expect(mine.length, k).toBe(1);
      expect(fieldsOf(mine[0] as Obj), k).toEqual(expected(k));
    }
  };

  it("each pair keeps the stamp of the database in force when first ingested; mmdblookup agrees with every value", async () => {
    await checkAllStamps();
    // the swap shows: one address, two stamps
    const { objs } = await get("/dnsdb/v2/lookup/rdata/ip/192.0.2.200?enrich=1");
    expect(objs.map((o) => [o.rrname, o.asn, o.country]).sort()).toEqual([
      ["a.example.", 64497, "FR"],
      ["e.example.", 64511, "NL"],
    ]);
    // an address no database knows: stamped, but with no fields
    expect(fieldsOf((await get("/dnsdb/v2/lookup/rdata/ip/8.8.8.8?enrich=1")).objs[0] as Obj)).toEqual({});
  });

  it("without enrich=1 nothing is added; rrset lookups and COF gain the fields too", async () => {
    const plain = await get("/dnsdb/v2/lookup/rdata/ip/192.0.2.200");
    expect(plain.body).not.toMatch(/"asn"|"as_org"|"country"/);
    const off = await get("/dnsdb/v2/lookup/rrset/name/a.example/A?enrich=0");
    expect(off.body).toBe((await get("/dnsdb/v2/lookup/rrset/name/a.example/A")).body);
    const rrset = await get("/dnsdb/v2/lookup/rrset/name/a.example/A?enrich=1");
    expect(rrset.objs).toHaveLength(1);
    expect(fieldsOf(rrset.objs[0] as Obj)).toEqual({ asn: 64497, as_org: "Exemple Hébergement SAS", country: "FR" });
    // an RRset of several addresses: only the fields all its stamps agree on
    await post([
      { rrname: "multi.example.", rrtype: "A", rdata: ["192.0.2.10", "192.0.2.200"], time_first: 1_790_000_300, time_last: 1_790_000_300 },
      {
        rrname: "same.example.",
        rrtype: "A",
        rdata: ["198.51.100.1", "198.51.100.2"],
        time_first: 1_790_000_300,
        time_last: 1_790_000_300,
      },
    ]);
    firstVersion.set("multi.example.|192.0.2.10", 2);
    firstVersion.set("multi.example.|192.0.2.200", 2);
    firstVersion.set("same.example.|198.51.100.1", 2);
    firstVersion.set("same.example.|198.51.100.2", 2);
    const multi = (await get("/dnsdb/v2/lookup/rrset/name/multi.example?enrich=1")).objs[0] as Obj;
    expect(multi.rdata).toHaveLength(2);
    expect(fieldsOf(multi)).toEqual({}); // DE/64496 beside NL/64511
    expect(fieldsOf((await get("/dnsdb/v2/lookup/rrset/name/same.example?enrich=1")).objs[0] as Obj)).toEqual({
      asn: 64498,
      as_org: "Example Cloud KK",
      country: "JP",
    });
    // a CNAME gets nothing
    expect(fieldsOf((await get("/dnsdb/v2/lookup/rrset/name/x.example?enrich=1")).objs[0] as Obj)).toEqual({});
    const basic = `Basic ${Buffer.from(`analyst:${reader}`).toString("base64")}`;
    const cof = await server.app.inject({ method: "GET", url: "/pdns/query/192.0.2.200?enrich=1", headers: { authorization: basic } });
    expect(cof.statusCode).toBe(200);
    const lines = cof.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Obj);
    expect(lines.map((o) => [o.rrname, o.asn, o.as_org, o.country]).sort()).toEqual([
      ["a.example.", 64497, "Exemple Hébergement SAS", "FR"],
      ["e.example.", 64511, "Moved Hosting B.V.", "NL"],
      ["multi.example.", 64511, "Moved Hosting B.V.", "NL"],
    ]);
    const cofPlain = await server.app.inject({ method: "GET", url: "/pdns/query/192.0.2.200", headers: { authorization: basic } });
    expect(cofPlain.body).not.toMatch(/"asn"/);
  });

  /** The pairs whose expected stamp has this field value. */
  const pairsWith = (field: string, value: unknown): string[] =>
    [...firstVersion.keys()].filter((k) => expected(k)[field] === value).sort();
  const pairsOf = (objs: Obj[]): string[] => objs.map((o) => `${o.rrname}|${o.rdata}`).sort();

  it("lookups by ASN and by country return exactly the stamped pairs", async () => {
    for (const a of [64496, 64497, 64498, 64499, 64500, 64501, 64511, 65000]) {
      const r = await get(`/dnsdb/v2/lookup/rdata/asn/AS${a}`);
      expect(r.status).toBe(200);
      expect(pairsOf(r.objs), `AS${a}`).toEqual(pairsWith("asn", a));
    }
    for (const c of ["DE", "FR", "NL", "BR", "US", "JP", "IT"]) {
      const r = await get(`/dnsdb/v2/lookup/rdata/country/${c.toLowerCase()}`);
      expect(pairsOf(r.objs), c).toEqual(pairsWith("country", c));
    }
    expect(pairsWith("asn", 64497).length).toBeGreaterThan(0);
    // SAF framing, the limit, time fences, enrich on these routes too
    const lim = await get("/dnsdb/v2/lookup/rdata/country/FR?limit=1");
    expect(lim.objs).toHaveLength(1);
    expect(lim.body.trim().split("\n").at(-1)).toContain("limited");
    const fenced = await get(`/dnsdb/v2/lookup/rdata/asn/64497?time_last_before=${1_790_000_100}`);
    expect(pairsOf(fenced.objs)).toEqual(["a.example.|192.0.2.200"]);
    expect(pairsWith("asn", 64497)).toContain("g.example.|2001:db8:8000::1");
    const en = await get("/dnsdb/v2/lookup/rdata/asn/AS64511?enrich=1");
    expect(en.objs.every((o) => o.asn === 64511 && o.country === "NL")).toBe(true);
  });

  it("these routes take auth, and bad values are a 400", async () => {
    expect((await server.app.inject({ method: "GET", url: "/dnsdb/v2/lookup/rdata/asn/AS64496" })).statusCode).toBe(401);
    expect((await get("/dnsdb/v2/lookup/rdata/asn/AS64496", writer)).status).toBe(403);
    for (const bad of ["asn/ASX", "asn/0", "asn/4294967296", "country/DEU", "country/1A"]) {
      const r = await get(`/dnsdb/v2/lookup/rdata/${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.trim().split("\n")).toHaveLength(1);
    }
    expect((await get("/dnsdb/v2/lookup/rdata/ip/192.0.2.200?enrich=maybe")).status).toBe(400);
  });

  it("a corrupt database swapped in is refused once and the one in use kept", async () => {
    writeFileSync(asn, "garbage, not a database\n");
    for (let i = 0; i < 300 && !logs.some((l) => l.includes("keeping the database in use")); i++)
      await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    expect(logs.filter((l) => l.includes("keeping the database in use"))).toHaveLength(1);
    await ingest(2, [["h.example.", "A", "192.0.2.130"]]);
    expect(fieldsOf((await get("/dnsdb/v2/lookup/rdata/ip/192.0.2.130?enrich=1")).objs[0] as Obj)).toEqual(
      expected("h.example.|192.0.2.130"),
    );
  });

  it("a restart keeps every stamp (under other databases now)", async () => {
    await server.close();
    copyFileSync(join(FX, "country-v1.mmdb"), country);
    copyFileSync(join(FX, "asn-v1.mmdb"), asn);
    server = await createServer(options());
    // re-ingested after the restart under v1: the v2 stamps stay
    await post([{ rrname: "e.example.", rrtype: "A", rdata: "192.0.2.200", time_first: 1_790_000_500, time_last: 1_790_000_600 }]);
    await checkAllStamps();
    expect(pairsOf((await get("/dnsdb/v2/lookup/rdata/asn/AS64511")).objs)).toEqual(pairsWith("asn", 64511));
  });
});

describe("enrichment options", () => {
  it("needs a store and a database; a bad database fails at start with one line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enrich-opts-"));
    try {
      await expect(createServer({ auth: { noAuth: true }, data: [], enrich: { geoipDb: join(FX, "country-v1.mmdb") } })).rejects.toThrow(
        /needs a live store/,
      );
      await expect(createServer({ auth: { noAuth: true }, store: { dir: join(dir, "s0") }, enrich: {} })).rejects.toThrow(
        /needs a database/,
      );
      writeFileSync(join(dir, "bad.mmdb"), "nope");
      for (const f of [join(dir, "missing.mmdb"), join(dir, "bad.mmdb")]) {
        const e = await createServer({ auth: { noAuth: true }, pollMs: 0, store: { dir: join(dir, "s1") }, enrich: { asnDb: f } }).catch(
          (x: Error) => x,
        );
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toContain(f);
        expect((e as Error).message).not.toContain("\n");
      }
      // and the store it opened was closed again: a server can open it now
      const s = await createServer({ auth: { noAuth: true }, pollMs: 0, store: { dir: join(dir, "s1") } });
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
