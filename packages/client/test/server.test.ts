/**
 * The client against the real dnstable-server on 127.0.0.1 over the vector files: every lookup
 * kind gives the objects dnstable-lookup -j prints for the same query; summarize, limits and
 * paging, rate_limit and ping, CIRCL COF, keys (401/403/416, offset_max); and a consumer that
 * stops iterating hangs up, which the server sees (its access log, its open-streams gauge).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo } from "@dnsrep/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { run as lookup } from "../../../tools/dnstable/src/dnstable-lookup.js";
import { createServer, type DnstableServer } from "../../server/src/index.js";
import { writeBigFile } from "../../server/test/big-file.js";
import { ClientErrorCode, type LookupTarget, PdnsClient, type PdnsRecord } from "../src/index.js";
import { waitFor } from "./fixture-server.js";

const DNS = vectorPath("dnstable/dns.mtbl");

async function expected(args: string[], fname = DNS): Promise<Record<string, unknown>[]> {
  const io = memoryIo("", { DNSTABLE_FNAME: fname });
  expect(await lookup(["-j", ...args], io), io.err()).toBe(0);
  return io
    .out()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("against dnstable-server", () => {
  let s: DnstableServer;
  let url: string;
  let c: PdnsClient;
  beforeAll(async () => {
    s = await createServer({ fnames: [DNS], auth: { noAuth: true }, pollMs: 0 });
    url = await s.listen("127.0.0.1", 0);
    c = new PdnsClient({ server: url, apiKey: "any", connectTimeoutMs: 10000, idleTimeoutMs: 10000 });
  });
  afterAll(async () => {
    await s.close();
  });

  const kinds: [string, LookupTarget, string[]][] = [
    ["rrset name", { kind: "rrset", name: "www.example.test" }, ["rrset", "www.example.test"]],
    ["rrset wildcard with type", { kind: "rrset", name: "*.example.test", type: "A" }, ["rrset", "*.example.test", "A"]],
    ["rrset right wildcard", { kind: "rrset", name: "example.*" }, ["rrset", "example.*"]],
    [
      "rrset with bailiwick",
      { kind: "rrset", name: "example.test", type: "NS", bailiwick: "test" },
      ["rrset", "example.test", "NS", "test"],
    ],
    [
      "rrset raw (the wire name of www.example.test)",
      { kind: "rrset_raw", hex: "03777777076578616d706c65047465737400" },
      ["rrset", "www.example.test"],
    ],
    ["rdata name", { kind: "rdata_name", name: "ns1.example.test" }, ["rdata", "name", "ns1.example.test"]],
    ["rdata name wildcard", { kind: "rdata_name", name: "*.example.test", type: "NS" }, ["rdata", "name", "*.example.test", "NS"]],
    ["rdata ip", { kind: "rdata_ip", ip: "10.0.0.0/24" }, ["rdata", "ip", "10.0.0.0/24"]],
    ["rdata ip range", { kind: "rdata_ip", ip: "10.0.0.1-10.0.0.3" }, ["rdata", "ip", "10.0.0.1-10.0.0.3"]],
    ["rdata raw", { kind: "rdata_raw", hex: "c0000250", type: "A" }, ["rdata", "raw", "c0000250", "A"]],
  ];
  for (const [what, target, args] of kinds) {
    it(`${what}: the objects dnstable-lookup -j prints`, async () => {
      const want = await expected(args);
      expect(want.length, "the case has answers").toBeGreaterThan(0);
      const { records, terminator } = await c.lookup(target).collect();
      expect(records).toEqual(want);
      expect(terminator).toEqual({ cond: "succeeded" });
    });
  }

  it("fences: loose (time_last_after) and strict (time_first_after)", async () => {
    const all = (await c.lookupRRset("*.example.test").collect()).records;
    const mid = all.map((r) => r.time_first as number).sort((a, b) => a - b)[Math.floor(all.length / 2)] as number;
    expect((await c.lookupRRset("*.example.test", { timeLastAfter: mid }).collect()).records).toEqual(
      await expected(["-A", String(mid), "rrset", "*.example.test"]),
    );
    expect((await c.lookupRRset("*.example.test", { timeFirstAfter: new Date(mid * 1000) }).collect()).records).toEqual(
      await expected(["-a", String(mid), "rrset", "*.example.test"]),
    );
  });

  it("summarize: count, num_results, first and last seen of the lookup's records", async () => {
    const objs = (await c.lookupRRset("*.example.test").collect()).records;
    const { records, terminator } = await c.summarize({ kind: "rrset", name: "*.example.test" }).collect();
    expect(terminator.cond).toBe("succeeded");
    expect(records).toEqual([
      {
        count: objs.reduce((a, o) => a + o.count, 0),
        num_results: objs.length,
        time_first: Math.min(...objs.map((o) => o.time_first as number)),
        time_last: Math.max(...objs.map((o) => o.time_last as number)),
      },
    ]);
    expect((await c.summarize({ kind: "rrset", name: "nothing.invalid" }).collect()).records).toEqual([]);
  });

  it("a limit gives `limited`; paging gives the whole answer in pages", async () => {
    const all = (await c.lookupRRset("*.example.test").collect()).records;
    expect(all.length).toBeGreaterThan(7);
    const cut = await c.lookupRRset("*.example.test", { limit: 3 }).collect();
    expect(cut.records).toEqual(all.slice(0, 3));
    expect(cut.terminator).toEqual({ cond: "limited", msg: "Result limit reached" });
    const paged = await c.lookupRRset("*.example.test", { paging: { pageSize: 3 } }).collect();
    expect(paged.records).toEqual(all);
    expect(paged.terminator.cond).toBe("succeeded");
    const some = await c.lookupRRset("*.example.test", { paging: { pageSize: 2 }, limit: 5, offset: 1 }).collect();
    expect(some.records).toEqual(all.slice(1, 6));
  });

  it("a bad query is ERR_BAD_REQUEST with the server's message", async () => {
    const r = c.lookupRRset("a..b");
    await expect(r.collect()).rejects.toMatchObject({ code: ClientErrorCode.BAD_REQUEST, status: 400 });
    await expect(c.lookupRRset("a..b").collect()).rejects.toThrow(/^HTTP 400: bad name: a\.\.b/);
  });

  it("ping and rate_limit", async () => {
    expect(await c.ping()).toBe(true);
    expect(await c.rateLimit()).toEqual({
      reset: "n/a",
      expires: "n/a",
      limit: "unlimited",
      remaining: "n/a",
      results_max: "n/a",
      offset_max: "n/a",
    });
  });

  it("circl: COF records of a name (its RRsets' rdatas, then the records naming it) and of a prefix", async () => {
    const circl = new PdnsClient({ server: url, system: "circl", basicAuth: { user: "u", password: "p" } });
    const rrsets = await expected(["rrset", "www.example.test"]);
    const rdatas = await expected(["rdata", "name", "www.example.test"]);
    const { records } = await circl.lookupRRset("www.example.test").collect();
    expect(records).toEqual([
      ...rrsets.flatMap((o) =>
        (o.rdata as string[]).map((rdata) => ({
          count: o.count,
          time_first: o.time_first,
          time_last: o.time_last,
          rrtype: o.rrtype,
          rrname: o.rrname,
          rdata,
          bailiwick: o.bailiwick,
        })),
      ),
      ...rdatas.map((o) => ({
        count: o.count,
        time_first: o.time_first,
        time_last: o.time_last,
        rrtype: o.rrtype,
        rrname: o.rrname,
        rdata: o.rdata,
      })),
    ]);
    expect((await circl.lookupRdataIp("10.0.0.0/24").collect()).records.map((r) => r.rdata)).toEqual(
      (await expected(["rdata", "ip", "10.0.0.0/24"])).map((o) => o.rdata),
    );
  });
});

describe("against dnstable-server with keys", () => {
  const log: string[] = [];
  let s: DnstableServer;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "client-keys-"));
    const digest = (k: string) => createHash("sha256").update(k).digest("hex");
    const keys = {
      version: 1,
      keys: [
        { name: "small", digest: digest("small-key"), created: "2026-01-01T00:00:00Z", results_max: 3, offset_max: 4 },
        { name: "gone", digest: digest("gone-key"), created: "2026-01-01T00:00:00Z", revoked: true },
      ],
    };
    writeFileSync(join(dir, "keys.json"), JSON.stringify(keys));
    s = await createServer({ fnames: [DNS], auth: { keysFile: join(dir, "keys.json") }, pollMs: 0, accessLog: (l) => log.push(l) });
    url = await s.listen("127.0.0.1", 0);
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  it("401 without a key, 403 for a revoked or unknown one, with the server's message", async () => {
    await expect(new PdnsClient({ server: url }).lookupRRset("www.example.test").collect()).rejects.toMatchObject({
      code: ClientErrorCode.UNAUTHORIZED,
      message: "HTTP 401: missing API key (X-API-Key header)",
    });
    for (const k of ["gone-key", "wrong"])
      await expect(new PdnsClient({ server: url, apiKey: k }).lookupRRset("www.example.test").collect()).rejects.toMatchObject({
        code: ClientErrorCode.FORBIDDEN,
        status: 403,
      });
  });
  it("results_max cuts each response; paging goes on up to offset_max, and 416 beyond it", async () => {
    const c = new PdnsClient({ server: url, apiKey: "small-key" });
    const all = await expected(["rrset", "*.example.test"]);
    const one = await c.lookupRRset("*.example.test").collect();
    expect(one.records).toEqual(all.slice(0, 3));
    expect(one.terminator.cond).toBe("limited");
    // pages at offsets 0 and 3 (3 + 3 = 6 > offset_max 4: no third page)
    const paged = await c.lookupRRset("*.example.test", { paging: { maxOffset: 4 } }).collect();
    expect(paged.records).toEqual(all.slice(0, 6));
    expect(paged.terminator.cond).toBe("limited");
    // without maxOffset the client asks rate_limit for the key's offset_max: the same pages, no 416
    log.length = 0;
    const more = await c.lookupRRset("*.example.test", { paging: true }).collect();
    expect(more.records).toEqual(all.slice(0, 6));
    expect(more.terminator).toEqual({ cond: "limited", msg: "Result limit reached" });
    await waitFor(() => log.length === 3, "three access lines");
    expect(log.map((l) => /endpoint=(\S+)/.exec(l)?.[1])).toEqual(["lookup", "rate_limit", "lookup"]);
    expect(log.every((l) => / 200 results=/.test(l))).toBe(true);
    await expect(c.lookupRRset("*.example.test", { offset: 5 }).collect()).rejects.toMatchObject({
      code: ClientErrorCode.OFFSET_RANGE,
      status: 416,
    });
  });
});

describe("a consumer that stops iterating hangs up", () => {
  const N = 200_000;
  let dir: string;
  let s: DnstableServer;
  let url: string;
  const log: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "client-big-"));
    writeBigFile(join(dir, "big.mtbl"), N);
    s = await createServer({
      fnames: [join(dir, "big.mtbl")],
      auth: { noAuth: true },
      pollMs: 0,
      maxLimit: N,
      accessLog: (l) => log.push(l),
    });
    url = await s.listen("127.0.0.1", 0);
  }, 120_000);
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  it("break after 10 of 200000 records: the server logs end=aborted and its open streams go back to 0", async () => {
    const c = new PdnsClient({ server: url, apiKey: "x" });
    const got: PdnsRecord[] = [];
    for await (const r of c.lookupRRset("*.big.test", { limit: 0 })) {
      got.push(r);
      if (got.length === 10) {
        expect(await s.metrics.text()).toMatch(/^dnstable_server_open_streams 1$/m);
        break;
      }
    }
    expect(got[0]?.rrname).toBe("h00000000.big.test.");
    await waitFor(() => log.length === 1, "the server's access line", 20000);
    const m = /results=(\d+) .* end=(\S+)/.exec(log[0] as string);
    expect(m?.[2]).toBe("aborted");
    expect(Number(m?.[1])).toBeLessThan(N);
    expect(await s.metrics.text()).toMatch(/^dnstable_server_open_streams 0$/m);
  });
});
