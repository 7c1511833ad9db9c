/**
 * The client against recorded responses from a hand-written server: terminators, a cut stream, a
 * non-JSON line, a line too long, 400/401/403/416/429/503 with the server's message and
 * Retry-After, slow servers (connect and idle timeouts), cancellation that closes the connection.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ClientError, ClientErrorCode, PdnsClient, type PdnsRecord } from "../src/index.js";
import { type Fixture, REC, saf, startFixture, waitFor } from "./fixture-server.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx.close();
});
beforeEach(() => {
  fx.requests.length = 0;
  fx.hangups = 0;
});

const client = (extra: Partial<ConstructorParameters<typeof PdnsClient>[0]> = {}) =>
  new PdnsClient({ server: fx.url, apiKey: "k1", connectTimeoutMs: 5000, idleTimeoutMs: 5000, ...extra });

/** What a query gave: the records before it ended and the error it ended with (or its terminator). */
async function drain<T>(
  s: AsyncIterable<T> & { terminator: unknown },
): Promise<{ records: T[]; error: ClientError | null; terminator: unknown }> {
  const records: T[] = [];
  try {
    for await (const r of s) records.push(r);
  } catch (e) {
    if (!(e instanceof ClientError)) throw e;
    return { records, error: e, terminator: s.terminator };
  }
  return { records, error: null, terminator: s.terminator };
}

const ndjson =
  (body: string, status = 200, headers: Record<string, string> = {}) =>
  (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(status, { "content-type": status === 200 ? "application/x-ndjson" : "text/plain", ...headers });
    res.end(body);
  };

describe("terminators", () => {
  it("succeeded: every record, typed, and the terminator", async () => {
    fx.handle(ndjson(saf([REC(0), REC(1), REC(2)])));
    const s = client().lookupRRset("*.example.test", { type: "A" });
    expect(s.terminator).toBeNull();
    const r = await drain(s);
    expect(r.error).toBeNull();
    expect(r.records).toEqual([REC(0), REC(1), REC(2)]);
    expect(r.terminator).toEqual({ cond: "succeeded" });
  });
  it("limited, with its message", async () => {
    fx.handle(ndjson(saf([REC(0)], '{"cond":"limited","msg":"Result limit reached"}')));
    const { records, terminator } = await client().lookupRRset("x.test", { limit: 1 }).collect();
    expect(records).toHaveLength(1);
    expect(terminator).toEqual({ cond: "limited", msg: "Result limit reached" });
  });
  it("failed, with its message, after the records that came", async () => {
    fx.handle(ndjson(saf([REC(0), REC(1)], '{"cond":"failed","msg":"data error: bad block"}')));
    const { records, terminator } = await client().lookupRdataIp("192.0.2.0/24").collect();
    expect(records).toHaveLength(2);
    expect(terminator).toEqual({ cond: "failed", msg: "data error: bad block" });
  });
  it("keepalives and ongoing lines are skipped; blank lines too", async () => {
    fx.handle(
      ndjson(`{"cond":"begin"}\n\n{"cond":"ongoing"}\n{"cond":"ongoing","obj":${JSON.stringify(REC(4))}}\n{}\n{"cond":"succeeded"}\n`),
    );
    const { records } = await client().lookupRRset("x.test").collect();
    expect(records).toEqual([REC(4)]);
  });
  it("a stream that ends without a terminator is ERR_TRUNCATED, after its records", async () => {
    fx.handle(ndjson(saf([REC(0), REC(1)], null)));
    const r = await drain(client().lookupRRset("x.test"));
    expect(r.records).toHaveLength(2);
    expect(r.error?.code).toBe(ClientErrorCode.TRUNCATED);
    expect(r.error?.message).toMatch(/without a terminator \(after 2 records\)/);
    expect(r.terminator).toBeNull();
  });
  it("a connection cut in the middle of the body is ERR_TRUNCATED", async () => {
    fx.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write(saf([REC(0)], null));
      res.write('{"obj":{"count":1,"rrn');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const r = await drain(client().lookupRRset("x.test"));
    expect(r.records).toHaveLength(1);
    expect(r.error?.code).toBe(ClientErrorCode.TRUNCATED);
  });
  it("data after the terminator is a protocol error", async () => {
    fx.handle(ndjson(`${saf([REC(0)])}${JSON.stringify({ obj: REC(1) })}\n`));
    expect((await drain(client().lookupRRset("x.test"))).error?.code).toBe(ClientErrorCode.PROTOCOL);
  });
});

describe("malformed lines", () => {
  it("a non-JSON line is ERR_PROTOCOL naming the line", async () => {
    // the response stays open after the bad line: the client must hang up, not wait for more
    fx.handle((_req, res) => {
      res.writeHead(200);
      res.write(`{"cond":"begin"}\n${JSON.stringify({ obj: REC(0) })}\n<html>oops</html>\n`);
    });
    const r = await drain(client().lookupRRset("x.test"));
    expect(r.records).toHaveLength(1);
    expect(r.error?.code).toBe(ClientErrorCode.PROTOCOL);
    expect(r.error?.message).toBe("response line 3: not JSON: <html>oops</html>");
    await waitFor(() => fx.hangups === 1, "the server to see the client leave");
  });
  it("a record of the wrong shape, an unknown cond, a line that is not an object", async () => {
    for (const bad of [
      '{"obj":{"count":"3","rrname":"a.","rrtype":"A","rdata":"1.2.3.4"}}',
      '{"obj":{"count":3,"rrname":"a.","rrtype":"A","rdata":[1]}}',
      '{"obj":[1]}',
      '{"cond":"exploded"}',
      "[1,2]",
      '"text"',
    ]) {
      fx.handle(ndjson(`{"cond":"begin"}\n${bad}\n{"cond":"succeeded"}\n`));
      const r = await drain(client().lookupRRset("x.test"));
      expect(r.error?.code, bad).toBe(ClientErrorCode.PROTOCOL);
    }
  });
  it("a line longer than maxLineBytes is refused without buffering the rest", async () => {
    fx.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write('{"cond":"begin"}\n{"obj":"');
      // 8 MiB without a newline, sent while the client reads
      let sent = 0;
      const more = (): void => {
        while (sent < 8 << 20) {
          sent += 65536;
          if (!res.write("x".repeat(65536))) {
            res.once("drain", more);
            return;
          }
        }
        res.end('"}\n');
      };
      more();
    });
    const r = await drain(client({ maxLineBytes: 100_000 }).lookupRRset("x.test"));
    expect(r.error?.code).toBe(ClientErrorCode.PROTOCOL);
    expect(r.error?.message).toMatch(/line 2 is longer than 100000 bytes/);
    await waitFor(() => fx.hangups === 1, "the server to see the client leave");
  });
  it("a line that is not UTF-8", async () => {
    fx.handle((_req, res) => {
      res.writeHead(200);
      res.end(Buffer.concat([Buffer.from('{"cond":"begin"}\n{"obj":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]));
    });
    expect((await drain(client().lookupRRset("x.test"))).error?.message).toMatch(/line 2 is not UTF-8/);
  });
});

describe("HTTP errors carry the code, the status and the server's one-line message", () => {
  const cases: [number, string, string][] = [
    [400, ClientErrorCode.BAD_REQUEST, "bad name: a..b"],
    [401, ClientErrorCode.UNAUTHORIZED, "missing API key (X-API-Key header)"],
    [403, ClientErrorCode.FORBIDDEN, "key revoked"],
    [404, ClientErrorCode.NOT_FOUND, "not found"],
    [416, ClientErrorCode.OFFSET_RANGE, "offset 5000 is beyond this key's offset_max 1000"],
    [500, ClientErrorCode.HTTP, "internal error"],
  ];
  for (const [status, code, msg] of cases) {
    it(`${status}`, async () => {
      fx.handle(ndjson(`${msg}\nsecond line ignored\n`, status));
      const r = await drain(client().lookupRRset("x.test"));
      expect(r.error?.code).toBe(code);
      expect(r.error?.status).toBe(status);
      expect(r.error?.message).toBe(`HTTP ${status}: ${msg}`);
      expect(fx.requests).toHaveLength(1);
    });
  }
  it("control characters in a message are escaped", async () => {
    fx.handle(ndjson("bad \x1b[31mname\n", 400));
    expect((await drain(client().lookupRRset("x.test"))).error?.message).toBe("HTTP 400: bad \\x1b[31mname");
  });
});

describe("Retry-After", () => {
  it("a 429 with Retry-After is waited for and retried; the retry's answer is the answer", async () => {
    let n = 0;
    fx.handle((req, res) => {
      if (n++ === 0) ndjson("daily quota reached: retry in 1 s\n", 429, { "Retry-After": "1" })(req, res);
      else ndjson(saf([REC(0)]))(req, res);
    });
    const retries: number[] = [];
    const { records } = await client({ onRetry: (e, ms) => retries.push(e.status, ms) })
      .lookupRRset("x.test")
      .collect();
    expect(records).toEqual([REC(0)]);
    expect(retries).toEqual([429, 1000]);
    expect(fx.requests).toHaveLength(2);
  });
  it("retries are bounded: a 503 that keeps coming is thrown with its Retry-After", async () => {
    fx.handle(ndjson("too many concurrent queries for this key (at most 8)\n", 503, { "Retry-After": "0" }));
    const r = await drain(client({ retries: 2 }).lookupRRset("x.test"));
    expect(r.error?.code).toBe(ClientErrorCode.UNAVAILABLE);
    expect(r.error?.retryAfter).toBe(0);
    expect(r.error?.message).toBe("HTTP 503: too many concurrent queries for this key (at most 8)");
    expect(fx.requests).toHaveLength(3);
  });
  it("a Retry-After beyond maxRetryWaitMs, or none, is thrown at once", async () => {
    fx.handle(ndjson("burst limit: retry in 3600 s\n", 429, { "Retry-After": "3600" }));
    const r = await drain(client({ maxRetryWaitMs: 10_000 }).lookupRRset("x.test"));
    expect(r.error?.code).toBe(ClientErrorCode.RATE_LIMITED);
    expect(r.error?.retryAfter).toBe(3600);
    fx.handle(ndjson("slow down\n", 429));
    expect((await drain(client().lookupRRset("x.test"))).error?.retryAfter).toBeNull();
    expect(fx.requests).toHaveLength(2);
  });
  it("an abort during the wait ends it", async () => {
    fx.handle(ndjson("wait\n", 429, { "Retry-After": "30" }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await drain(client().lookupRRset("x.test", { signal: ac.signal }));
    expect(r.error?.code).toBe(ClientErrorCode.ABORTED);
  });
});

describe("slow servers: timeouts, never a hang", () => {
  it("no response headers within connectTimeoutMs", async () => {
    fx.handle(() => {});
    const r = await drain(client({ connectTimeoutMs: 300 }).lookupRRset("x.test"));
    expect(r.error?.code).toBe(ClientErrorCode.TIMEOUT);
    expect(r.error?.message).toBe("no response within 300 ms");
    await waitFor(() => fx.hangups === 1, "the server to see the client leave");
  });
  it("a body that stops within idleTimeoutMs", async () => {
    fx.handle((_req, res) => {
      res.writeHead(200);
      res.write(saf([REC(0)], null));
    });
    const r = await drain(client({ idleTimeoutMs: 300 }).lookupRRset("x.test"));
    expect(r.records).toHaveLength(1);
    expect(r.error?.code).toBe(ClientErrorCode.TIMEOUT);
    expect(r.error?.message).toBe("no data within 300 ms");
    await waitFor(() => fx.hangups === 1, "the server to see the client leave");
  });
  it("a slow but steady server is read to its end", async () => {
    fx.handle((_req, res) => {
      res.writeHead(200);
      const lines = saf([REC(0), REC(1), REC(2), REC(3)]).split(/(?<=\n)/);
      const next = (): void => {
        const l = lines.shift();
        if (l === undefined) res.end();
        else {
          res.write(l);
          setTimeout(next, 60);
        }
      };
      next();
    });
    const { records, terminator } = await client({ idleTimeoutMs: 1000 }).lookupRRset("x.test").collect();
    expect(records).toHaveLength(4);
    expect(terminator.cond).toBe("succeeded");
  });
  it("a refused connection is ERR_NETWORK", async () => {
    const { createServer } = await import("node:net");
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as import("node:net").AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const c = new PdnsClient({ server: `http://127.0.0.1:${port}`, apiKey: "k" });
    const r = await drain(c.lookupRRset("x.test"));
    expect(r.error?.code).toBe(ClientErrorCode.NETWORK);
    expect(r.error?.message).toMatch(/ECONNREFUSED/);
  });
});

describe("cancellation", () => {
  /** A server that sends a record every 20 ms until the client leaves. */
  const endless = (req: unknown, res: import("node:http").ServerResponse): void => {
    res.writeHead(200);
    res.write('{"cond":"begin"}\n');
    let i = 0;
    const t = setInterval(() => res.write(`${JSON.stringify({ obj: REC(i++) })}\n`), 20);
    res.once("close", () => clearInterval(t));
    void req;
  };
  it("breaking out of the loop closes the connection (the server sees the hang-up)", async () => {
    fx.handle(endless);
    const got: PdnsRecord[] = [];
    for await (const r of client().lookupRRset("x.test")) {
      got.push(r);
      if (got.length === 3) break;
    }
    expect(got.map((r) => r.count)).toEqual([1, 2, 3]);
    await waitFor(() => fx.hangups === 1, "the server to see the client leave");
  });
  it("an AbortSignal stops the stream with ERR_ABORTED and closes the connection", async () => {
    fx.handle(endless);
    const ac = new AbortController();
    const s = client().lookupRRset("x.test", { signal: ac.signal });
    const r = await drain({
      terminator: null,
      async *[Symbol.asyncIterator]() {
        let n = 0;
        for await (const x of s) {
          if (++n === 2) ac.abort();
          yield x;
        }
      },
    });
    expect(r.error?.code).toBe(ClientErrorCode.ABORTED);
    await waitFor(() => fx.hangups === 1, "the server to see the client leave");
  });
  it("a signal already aborted sends nothing", async () => {
    const r = await drain(client({ signal: AbortSignal.abort() }).lookupRRset("x.test"));
    expect(r.error?.code).toBe(ClientErrorCode.ABORTED);
    expect(fx.requests).toHaveLength(0);
  });
  it("a stream is iterated once", async () => {
    fx.handle(ndjson(saf([])));
    const s = client().lookupRRset("x.test");
    await s.collect();
    await expect(s.collect()).rejects.toThrow(TypeError);
  });
});

describe("requests", () => {
  it("paths, parameters and headers as DNSDB API v2 has them", async () => {
    fx.handle(ndjson(saf([])));
    const c = client({ swclient: "t", version: "9" });
    await c.lookupRRset("*.ex/ample.test", { type: "A", bailiwick: "test", limit: 5, offset: 2, aggr: false }).collect();
    await c.lookupRRset("a.test", { bailiwick: "test", timeLastAfter: new Date(1_700_000_000_500), timeFirstBefore: "1w" }).collect();
    await c.lookupRRsetRaw("0161047465737400", { type: "NS" }).collect();
    await c.lookupRdataName("ns.test", { type: "NS", timeFirstAfter: "2023-11-14", timeLastBefore: 1_800_000_000 }).collect();
    await c.lookupRdataIp("10.0.0.0/24").collect();
    await c.lookupRdataIp("2001:db8::/32").collect();
    await c.lookupRdataRaw("c0000201").collect();
    await c.flex("regex", "rrnames", "^w+\\.", { type: "A", exclude: "x" }).collect();
    await c.lookupRRset(".", { type: "NS" }).collect();
    await c.lookupRRset("test", { type: "NS", bailiwick: "." }).collect();
    expect(fx.requests.map((r) => r.url)).toEqual([
      "/dnsdb/v2/lookup/rrset/name/*.ex%2Fample.test/A/test?swclient=t&version=9&limit=5&offset=2&aggr=f",
      "/dnsdb/v2/lookup/rrset/name/a.test/ANY/test?swclient=t&version=9&time_first_before=-604800&time_last_after=1700000000",
      "/dnsdb/v2/lookup/rrset/raw/0161047465737400/NS?swclient=t&version=9",
      "/dnsdb/v2/lookup/rdata/name/ns.test/NS?swclient=t&version=9&time_first_after=1699920000&time_last_before=1800000000",
      "/dnsdb/v2/lookup/rdata/ip/10.0.0.0,24?swclient=t&version=9",
      "/dnsdb/v2/lookup/rdata/ip/2001:db8::,32?swclient=t&version=9",
      "/dnsdb/v2/lookup/rdata/raw/c0000201?swclient=t&version=9",
      "/dnsdb/v2/regex/rrnames/%5Ew%2B%5C./A?swclient=t&version=9&exclude=x",
      // the root name as it is: a URL parser would take it for a dot segment and drop it
      "/dnsdb/v2/lookup/rrset/name/./NS?swclient=t&version=9",
      "/dnsdb/v2/lookup/rrset/name/test/NS/.?swclient=t&version=9",
    ]);
    const h = fx.requests[0]?.headers ?? {};
    expect(h["x-api-key"]).toBe("k1");
    expect(h.accept).toBe("application/x-ndjson");
  });
  it("circl: the value after the base URL, basic auth, COF lines; a cut COF body is ERR_TRUNCATED", async () => {
    const cof = [
      { count: 2, time_first: 1, time_last: 2, rrtype: "A", rrname: "a.test.", rdata: "192.0.2.1" },
      { count: 1, time_first: 1, time_last: 1, rrtype: "NS", rrname: "test.", rdata: "a.test." },
    ];
    fx.handle(ndjson(cof.map((o) => `${JSON.stringify(o)}\n`).join("")));
    const c = new PdnsClient({ server: fx.url, system: "circl", basicAuth: { user: "u", password: "p" } });
    const { records, terminator } = await c.lookupRRset("a.test").collect();
    expect(records).toEqual(cof);
    expect(terminator).toEqual({ cond: "succeeded" });
    await c.lookupRdataIp("10.0.0.0/24").collect();
    expect(fx.requests.map((r) => r.url)).toEqual([
      "/pdns/query/a.test?swclient=dnsrep-client&version=0.1.0",
      "/pdns/query/10.0.0.0,24?swclient=dnsrep-client&version=0.1.0",
    ]);
    expect(fx.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(() => c.summarize({ kind: "rrset", name: "a.test" })).toThrow(RangeError);
    expect(() => c.lookupRRset("a.test", { type: "A" })).toThrow(RangeError);
    fx.handle((_req, res) => {
      res.writeHead(200);
      res.write(`${JSON.stringify(cof[0])}\n{"count":`);
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const r = await drain(c.lookupRRset("a.test"));
    expect(r.records).toHaveLength(1);
    expect(r.error?.code).toBe(ClientErrorCode.TRUNCATED);
  });
  it("bad arguments are thrown at once", () => {
    const c = client();
    expect(() => c.lookupRRset("x", { limit: -1 })).toThrow(RangeError);
    expect(() => c.lookupRRset("x", { timeFirstAfter: "yesterday" })).toThrow(/bad time/);
    expect(() => c.lookupRdataIp("not-an-ip")).toThrow(/bad address/);
    expect(() => c.lookupRRsetRaw("abc")).toThrow(/bad hex/);
    expect(() => new PdnsClient({ server: "ftp://x" })).toThrow(TypeError);
    expect(() => new PdnsClient({ server: "nope" })).toThrow(TypeError);
  });
});

describe("paging", () => {
  /** A server of 10 records that gives at most 3 a response, honouring offset and limit. */
  const pager = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): void => {
    if ((req.url ?? "").startsWith("/dnsdb/v2/rate_limit")) {
      ndjson('{"rate":{"limit":"unlimited","offset_max":"n/a"}}\n')(req, res);
      return;
    }
    const q = new URL(req.url ?? "", "http://x").searchParams;
    const offset = Number(q.get("offset") ?? 0);
    const limit = Math.min(Number(q.get("limit") ?? 3) || 3, 3);
    const all = Array.from({ length: 10 }, (_, i) => REC(i)).slice(offset);
    const page = all.slice(0, limit);
    ndjson(saf(page, all.length > limit ? '{"cond":"limited","msg":"Result limit reached"}' : '{"cond":"succeeded"}'))(req, res);
  };
  it("pages with offset until the answer is whole", async () => {
    fx.handle(pager);
    const { records, terminator } = await client().lookupRRset("x.test", { paging: true }).collect();
    expect(records.map((r) => r.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(terminator).toEqual({ cond: "succeeded" });
    // offset_max asked of rate_limit once, before the second page ("n/a": none)
    expect(fx.requests.map((r) => r.url.split("?")[0])).toEqual([
      "/dnsdb/v2/lookup/rrset/name/x.test",
      "/dnsdb/v2/rate_limit",
      ...new Array(3).fill("/dnsdb/v2/lookup/rrset/name/x.test"),
    ]);
    const lookups = fx.requests.filter((r) => r.url.includes("/lookup/"));
    expect(lookups.map((r) => new URL(r.url, "http://x").searchParams.get("offset"))).toEqual([null, "3", "6", "9"]);
  });
  it("stops at the limit asked for, and at maxOffset", async () => {
    fx.handle(pager);
    const a = await client()
      .lookupRRset("x.test", { paging: { pageSize: 2 }, limit: 5, offset: 1 })
      .collect();
    expect(a.records.map((r) => r.count)).toEqual([2, 3, 4, 5, 6]);
    expect(a.terminator.cond).toBe("limited");
    expect(fx.requests.filter((r) => r.url.includes("/lookup/")).map((r) => r.url.replace(/^.*version=0.1.0&?/, ""))).toEqual([
      "limit=2&offset=1",
      "limit=2&offset=3",
      "limit=1&offset=5",
    ]);
    const b = await client()
      .lookupRRset("x.test", { paging: { maxOffset: 4 } })
      .collect();
    expect(b.records).toHaveLength(6);
    expect(b.terminator).toEqual({ cond: "limited", msg: "Result limit reached" });
  });
  it("a 416 on a later page ends the answer as limited", async () => {
    fx.handle((req, res) => {
      if ((req.url ?? "").includes("offset=")) ndjson("offset 3 is beyond this key's offset_max 2\n", 416)(req, res);
      else pager(req, res);
    });
    const { records, terminator } = await client().lookupRRset("x.test", { paging: true }).collect();
    expect(records).toHaveLength(3);
    expect(terminator).toEqual({ cond: "limited", msg: "HTTP 416: offset 3 is beyond this key's offset_max 2" });
  });
});

describe("ping and rate_limit", () => {
  it("answers and errors", async () => {
    fx.handle(ndjson('{"ping":"ok"}\n'));
    expect(await client().ping()).toBe(true);
    fx.handle(ndjson('{"rate":{"reset":"n/a","limit":"unlimited","results_max":1000}}\n'));
    expect(await client().rateLimit()).toEqual({ reset: "n/a", limit: "unlimited", results_max: 1000 });
    fx.handle(ndjson("unknown key\n", 403));
    await expect(client().rateLimit()).rejects.toMatchObject({ code: ClientErrorCode.FORBIDDEN, message: "HTTP 403: unknown key" });
    fx.handle(ndjson("nope\n"));
    await expect(client().ping()).rejects.toMatchObject({ code: ClientErrorCode.PROTOCOL });
  });
});
