import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo } from "@dnsrep/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as lookup } from "../../../tools/dnstable/src/dnstable-lookup.js";
import type { DnstableServer } from "../src/index.js";
import { writeBigFile } from "./big-file.js";
import { DNS, DNSSEC, ndjson, PARTS, testServer } from "./helpers.js";

async function lookupJson(args: string[], env: Record<string, string> = { DNSTABLE_FNAME: DNS }): Promise<unknown[]> {
  const io = memoryIo("", env);
  expect(await lookup(["-j", ...args], io)).toBe(0);
  return ndjson(io.out());
}

/** The objects of a SAF body, checking its framing: begin first, exactly one terminator, last. */
function saf(body: string): { objs: unknown[]; end: Record<string, unknown> } {
  const lines = ndjson(body) as Record<string, unknown>[];
  expect(lines[0]).toEqual({ cond: "begin" });
  const end = lines[lines.length - 1] as Record<string, unknown>;
  expect(["succeeded", "limited", "failed"]).toContain(end.cond);
  const middle = lines.slice(1, -1);
  for (const l of middle) expect(Object.keys(l)).toEqual(["obj"]);
  return { objs: middle.map((l) => l.obj), end };
}

describe("DNSDB API v2 over inject()", () => {
  let s: DnstableServer;
  const log: string[] = [];
  beforeAll(async () => {
    s = await testServer({ maxLimit: 50, defaultLimit: 20, accessLog: (l) => log.push(l), now: () => 1795340110_000 });
  });
  afterAll(() => s.close());
  const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ url, headers });

  it("ping", async () => {
    const r = await get("/dnsdb/v2/ping");
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('{"ping":"ok"}\n');
  });

  it("a lookup streams SAF: begin, the objects dnstable-lookup -j prints, succeeded", async () => {
    const r = await get("/dnsdb/v2/lookup/rrset/name/www.example.test");
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^application\/x-ndjson\b/);
    const { objs, end } = saf(r.body);
    expect(end).toEqual({ cond: "succeeded" });
    expect(objs).toEqual(await lookupJson(["rrset", "www.example.test"]));
  });

  it("no results: begin and succeeded", async () => {
    const r = await get("/dnsdb/v2/lookup/rrset/name/nonexistent.example.test");
    expect(r.body).toBe('{"cond":"begin"}\n{"cond":"succeeded"}\n');
  });

  it("%2A and a literal * both make a wildcard; names decode as one segment", async () => {
    const a = await get("/dnsdb/v2/lookup/rrset/name/%2A.example.test/A?limit=50");
    const b = await get("/dnsdb/v2/lookup/rrset/name/*.example.test/A?limit=50");
    expect(a.body).toBe(b.body);
    expect(saf(a.body).objs).toEqual((await lookupJson(["rrset", "*.example.test", "A"])).slice(0, 50));
    // a %2F inside a name is part of the name (and dnstable refuses a / in an owner name)
    const slash = await get("/dnsdb/v2/lookup/rrset/name/a%2Fb.example.test");
    expect(slash.statusCode).toBe(400);
  });

  it("limit: results cut with limited; default and maximum limits; 0 asks for the maximum", async () => {
    const all = await lookupJson(["rrset", "*.example.test"]);
    expect(all.length).toBeGreaterThan(50);
    const three = saf((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?limit=3")).body);
    expect(three.objs).toEqual(all.slice(0, 3));
    expect(three.end).toEqual({ cond: "limited", msg: "Result limit reached" });
    expect(saf((await get("/dnsdb/v2/lookup/rrset/name/*.example.test")).body).objs).toHaveLength(20);
    expect(saf((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?limit=0")).body).objs).toHaveLength(50);
    expect(saf((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?limit=1000")).body).objs).toHaveLength(50);
  });

  it("offset skips results", async () => {
    const all = await lookupJson(["rrset", "*.example.test"]);
    expect(saf((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?offset=5&limit=4")).body).objs).toEqual(all.slice(5, 9));
  });

  it("time fences, absolute and relative to now", async () => {
    const want = await lookupJson(["-A", "1795340103", "-B", "1795340105", "rrset", "*.example.test"]);
    const abs = saf((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?time_last_after=1795340103&time_first_before=1795340105")).body);
    expect(abs.objs).toEqual(want);
    // now is 1795340110: -7 is 1795340103, -5 is 1795340105
    const rel = saf((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?time_last_after=-7&time_first_before=-5")).body);
    expect(rel.objs).toEqual(want);
    const strict = await lookupJson(["-a", "1795340103", "-b", "1795340105", "rrset", "*.example.test"]);
    expect(
      saf((await get("/dnsdb/v2/lookup/rrset/name/*.example.test?time_first_after=1795340103&time_last_before=1795340105")).body).objs,
    ).toEqual(strict);
  });

  it("humantime gives RFC 3339 times", async () => {
    const { objs } = saf((await get("/dnsdb/v2/lookup/rrset/name/www.example.test/A?humantime=t")).body);
    expect((objs[0] as Record<string, unknown>).time_first).toBe("2026-11-22T09:34:59Z");
  });

  it("rdata lookups: name, ip (address, ADDR,PREFIX, range), raw", async () => {
    const cases: [string, string[]][] = [
      ["rdata/name/www.example.test", ["rdata", "name", "www.example.test"]],
      ["rdata/name/ns1.example.test/SOA", ["rdata", "name", "ns1.example.test", "SOA"]],
      ["rdata/ip/10.0.0.0,24", ["rdata", "ip", "10.0.0.0/24"]],
      ["rdata/ip/10.0.0.2-10.0.0.4", ["rdata", "ip", "10.0.0.2-10.0.0.4"]],
      ["rdata/ip/10.0.0.3", ["rdata", "ip", "10.0.0.3"]],
      ["rdata/raw/0a000001", ["rdata", "raw", "0a000001"]],
      ["rdata/raw/0a000001/A", ["rdata", "raw", "0a000001", "A"]],
    ];
    for (const [path, args] of cases) {
      const r = saf((await get(`/dnsdb/v2/lookup/${path}?limit=50`)).body);
      expect(r.objs, path).toEqual(await lookupJson(args));
      expect(r.objs.length, path).toBeGreaterThan(0);
    }
  });

  it("rrset/raw takes the owner name's wire form in hex", async () => {
    // 03www07example04test00
    const r = saf((await get("/dnsdb/v2/lookup/rrset/raw/03777777076578616d706c650474657374" + "00/A")).body);
    expect(r.objs).toEqual(await lookupJson(["rrset", "www.example.test", "A"]));
  });

  it("no type and ANY answer the non-DNSSEC records; ANY-DNSSEC and DS the DNSSEC ones", async () => {
    const dnsAll = await lookupJson(["rrset", "another.test"], { DNSTABLE_FNAME: DNS });
    const secAll = await lookupJson(["rrset", "another.test"], { DNSTABLE_FNAME: DNSSEC });
    expect(secAll.length).toBeGreaterThan(0);
    expect(saf((await get("/dnsdb/v2/lookup/rrset/name/another.test")).body).objs).toEqual(dnsAll);
    expect(saf((await get("/dnsdb/v2/lookup/rrset/name/another.test/ANY")).body).objs).toEqual(dnsAll);
    const sec = saf((await get("/dnsdb/v2/lookup/rrset/name/another.test/ANY-DNSSEC")).body).objs as { rrtype: string }[];
    expect(sec).toEqual(secAll);
    const ds = saf((await get("/dnsdb/v2/lookup/rrset/name/another.test/DS")).body).objs as { rrtype: string }[];
    expect(ds.length).toBeGreaterThan(0);
    expect(ds.every((o) => o.rrtype === "DS")).toBe(true);
  });

  it("bailiwick", async () => {
    expect(saf((await get("/dnsdb/v2/lookup/rrset/name/example.test/NS/test")).body).objs).toEqual(
      await lookupJson(["rrset", "example.test", "NS", "test"]),
    );
  });

  it("summarize: count, first/last seen and num_results over the matching results; max_count", async () => {
    const objs = (await lookupJson(["rrset", "*.example.test", "A"])) as { count: number; time_first: number; time_last: number }[];
    const r = saf((await get("/dnsdb/v2/summarize/rrset/name/*.example.test/A?limit=50")).body);
    expect(r.objs).toEqual([
      {
        count: objs.reduce((a, o) => a + o.count, 0),
        num_results: objs.length,
        time_first: Math.min(...objs.map((o) => o.time_first)),
        time_last: Math.max(...objs.map((o) => o.time_last)),
      },
    ]);
    const cut = saf((await get("/dnsdb/v2/summarize/rrset/name/*.example.test/A?max_count=5")).body);
    expect((cut.objs[0] as { count: number }).count).toBeGreaterThan(5);
    expect((cut.objs[0] as { num_results: number }).num_results).toBeLessThan(objs.length);
    expect(saf((await get("/dnsdb/v2/summarize/rrset/name/nonexistent.example.test")).body).objs).toEqual([]);
  });

  it("bad queries are a 400 with a one-line plain-text body", async () => {
    const bad = [
      "/dnsdb/v2/lookup/rrset/name/a..b",
      "/dnsdb/v2/lookup/rrset/name/www.example.test/NOSUCHTYPE",
      "/dnsdb/v2/lookup/rrset/name/www.example.test/TYPE70000",
      "/dnsdb/v2/lookup/rdata/ip/10.0.0.256",
      "/dnsdb/v2/lookup/rdata/ip/10.0.0.0,33",
      "/dnsdb/v2/lookup/rdata/ip/10.0.0.9-10.0.0.1",
      "/dnsdb/v2/lookup/rdata/ip/::1-10.0.0.1",
      "/dnsdb/v2/lookup/rdata/ip/10.0.0.1/A",
      "/dnsdb/v2/lookup/rdata/raw/0a0",
      "/dnsdb/v2/lookup/rdata/raw/zz",
      "/dnsdb/v2/lookup/rrset/raw/0377",
      "/dnsdb/v2/lookup/rrset/raw/40aa00",
      "/dnsdb/v2/lookup/rrset/ip/10.0.0.1",
      "/dnsdb/v2/lookup/rdata/name/www.example.test/A/extra",
      "/dnsdb/v2/lookup/rrset/name/*",
      `/dnsdb/v2/lookup/rrset/name/${"a".repeat(64)}.test`,
      `/dnsdb/v2/lookup/rrset/name/${"abc.".repeat(300)}`,
      "/dnsdb/v2/lookup/rrset/name/www.example.test?limit=-1",
      "/dnsdb/v2/lookup/rrset/name/www.example.test?limit=ten",
      "/dnsdb/v2/lookup/rrset/name/www.example.test?offset=1.5",
      "/dnsdb/v2/lookup/rrset/name/www.example.test?time_first_after=yesterday",
      "/dnsdb/v2/lookup/rrset/name/www.example.test?time_last_before=99999999999999999999",
      "/dnsdb/v2/lookup/rrset/name/www.example.test?aggr=maybe",
      "/dnsdb/v2/lookup/rrset/name/www.example.test?limit=1&limit=2",
      "/dnsdb/v2/lookup/rrset/name/www.example.test?time_frist_after=1",
      "/dnsdb/v2/lookup/rrset/name/www%zz.example.test",
      "/dnsdb/v2/lookup/rrset/name/%E0%A4%A",
      `/dnsdb/v2/lookup/rrset/name/${"a".repeat(5000)}`,
    ];
    for (const url of bad) {
      const r = await get(url);
      // a path segment longer than any name is refused by the router: 414 URI Too Long
      expect(r.statusCode, url).toBe(url.length > 4000 ? 414 : 400);
      expect(r.headers["content-type"], url).toMatch(/^text\/plain/);
      expect(r.body, url).toMatch(/^[^\n]+\n$/);
      expect(r.body, url).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
  });

  it("unknown paths are a 404", async () => {
    for (const url of ["/", "/dnsdb/v2/nothing", "/dnsdb/v1/lookup/rrset/name/x", "/dnsdb/v2/lookup", "/pdns/query"]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.body).toBe("not found\n");
    }
  });

  it("logs one access line per request: the key's name, never a key; swclient/version", async () => {
    log.length = 0;
    await get("/dnsdb/v2/lookup/rrset/name/www.example.test?swclient=tester&version=1.2", { "x-api-key": "sekrit-key" });
    // written once the response has closed (inject() closes its responses a little later)
    const mine = () => log.filter((l) => l.includes("swclient=tester"));
    for (let i = 0; i < 200 && mine().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(mine()).toHaveLength(1);
    const line = mine()[0] as string;
    expect(line).toMatch(
      /^\S+Z 127\.0\.0\.1 - GET \/dnsdb\/v2\/lookup\/rrset\/name\/www\.example\.test\?\S+ 200 results=2 ms=\S+ endpoint=lookup end=succeeded sw=tester\/1\.2$/,
    );
    expect(line).not.toContain("sekrit");
  });

  it("/metrics: Prometheus text with counters, histograms and no key names", async () => {
    const r = await get("/metrics");
    expect(r.statusCode).toBe(200);
    const text = r.body;
    expect(text).toMatch(/^dnstable_server_requests_total\{endpoint="lookup",status="200"\} \d+$/m);
    expect(text).toMatch(/^dnstable_server_requests_total\{endpoint="lookup",status="400"\} \d+$/m);
    expect(text).toMatch(/^dnstable_server_request_duration_seconds_bucket\{le="0\.005",endpoint="lookup"\} \d+$/m);
    expect(text).toMatch(/^dnstable_server_results_total\{endpoint="lookup"\} \d+$/m);
    expect(text).toMatch(/^dnstable_server_open_streams 0$/m);
    expect(text).toMatch(/^dnstable_server_data_files 2$/m);
    for (const m of text.matchAll(/^# TYPE (\S+) counter$/gm)) expect(m[1]).toMatch(/_total$/);
    for (const m of text.matchAll(/^[a-z_]+\{([^}]*)\}/gm))
      for (const l of (m[1] as string).split(",")) expect(l.split("=")[0]).toMatch(/^(endpoint|status|le|result)$/);
  });
});

describe("aggr=f on a set file", () => {
  it("gives one result per file, as dnstable-lookup -u", async () => {
    const s = await testServer({ data: [PARTS] });
    try {
      const env = { DNSTABLE_SETFILE: PARTS };
      for (const [path, args] of [
        ["rrset/name/*.example.test", ["rrset", "*.example.test"]],
        ["rdata/ip/10.0.0.0,24", ["rdata", "ip", "10.0.0.0/24"]],
      ] as const) {
        const unagg = saf((await s.app.inject({ url: `/dnsdb/v2/lookup/${path}?aggr=f&limit=1000` })).body).objs;
        const agg = saf((await s.app.inject({ url: `/dnsdb/v2/lookup/${path}?limit=1000` })).body).objs;
        expect(unagg).toEqual(await lookupJson(["-u", ...args], env));
        expect(agg).toEqual(await lookupJson([...args], env));
      }
      const u = saf((await s.app.inject({ url: "/dnsdb/v2/lookup/rrset/name/*.example.test?aggr=f&limit=1000" })).body).objs;
      const a = saf((await s.app.inject({ url: "/dnsdb/v2/lookup/rrset/name/*.example.test?limit=1000" })).body).objs;
      expect(u.length).toBeGreaterThan(a.length);
    } finally {
      await s.close();
    }
  });
});

describe("CIRCL COF /pdns/query", () => {
  let s: DnstableServer;
  beforeAll(async () => {
    s = await testServer();
  });
  afterAll(() => s.close());
  it("a name: its RRsets (one object per rdata), then the records whose rdata names it", async () => {
    const r = await s.app.inject({ url: "/pdns/query/www.example.test" });
    expect(r.statusCode).toBe(200);
    const lines = ndjson(r.body) as Record<string, unknown>[];
    const rrsets = (await lookupJson(["rrset", "www.example.test"])) as { rdata: string[] }[];
    const rdatas = await lookupJson(["rdata", "name", "www.example.test"]);
    expect(lines).toHaveLength(rrsets.reduce((a, o) => a + o.rdata.length, 0) + rdatas.length);
    expect(lines[0]).toEqual({
      count: 4,
      time_first: 1795340099,
      time_last: 1795340106,
      rrtype: "A",
      rrname: "www.example.test.",
      rdata: "192.0.2.80",
      bailiwick: "example.test.",
    });
  });
  it("an address, ADDR,PREFIX and ADDR/PREFIX", async () => {
    const want = (await lookupJson(["rdata", "ip", "10.0.0.0/24"])).length;
    for (const v of ["10.0.0.0,24", "10.0.0.0/24"])
      expect(ndjson((await s.app.inject({ url: `/pdns/query/${v}` })).body)).toHaveLength(want);
    expect(ndjson((await s.app.inject({ url: "/pdns/query/10.0.0.1" })).body)).toHaveLength(1);
  });
  it("a bad value is a 400", async () => {
    for (const v of ["a..b", "10.0.0.0,99", "10.0.0.0/x"])
      expect((await s.app.inject({ url: `/pdns/query/${v}` })).statusCode, v).toBe(400);
  });
});

describe("streaming a large wildcard over a socket", () => {
  const N = 200_000;
  let dir: string;
  let s: DnstableServer;
  let url: string;
  const log: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "server-big-"));
    writeBigFile(join(dir, "big.mtbl"), N);
    s = await testServer({ data: [join(dir, "big.mtbl")], maxLimit: 10_000_000, accessLog: (l) => log.push(l) });
    url = await s.listen("127.0.0.1", 0);
  }, 120_000);
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Open a lookup of every result and hand back the response stream. */
  const open = (): Promise<{ res: import("node:http").IncomingMessage; req: import("node:http").ClientRequest }> =>
    new Promise((resolve, reject) => {
      const req = request(`${url}/dnsdb/v2/lookup/rrset/name/*.big.test?limit=0`, (res) => resolve({ res, req }));
      req.on("error", reject);
      req.end();
    });

  const waitFor = async (cond: () => boolean, what: string): Promise<void> => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(cond(), what).toBe(true);
  };

  it("streams all of them with one terminator", async () => {
    const { res } = await open();
    let body = "";
    res.setEncoding("utf8");
    for await (const c of res) body += c;
    const lines = body.split("\n");
    expect(lines).toHaveLength(N + 3);
    expect(lines[N + 1]).toBe('{"cond":"succeeded"}');
  });

  it("a stalled client holds only what the socket buffers; hanging up stops the query at once", async () => {
    log.length = 0;
    const { res, req } = await open();
    res.pause();
    // the server stops producing once the socket pushes back
    await new Promise((r) => setTimeout(r, 1000));
    const metrics = await s.metrics.text();
    expect(metrics).toMatch(/^dnstable_server_open_streams 1$/m);
    req.destroy();
    await waitFor(() => log.length === 1, "an access line once the client left");
    const m = /results=(\d+) .* end=(\S+)/.exec(log[0] as string);
    expect(m?.[2]).toBe("aborted");
    // far fewer than N were produced: what fit in the socket buffers, not the whole result set
    expect(Number(m?.[1])).toBeLessThan(N / 2);
    expect(await s.metrics.text()).toMatch(/^dnstable_server_open_streams 0$/m);
  });
});
