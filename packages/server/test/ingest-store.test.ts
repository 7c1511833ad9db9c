import { write as fsWrite, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type DnstableServer } from "../src/index.js";

/**
 * The ingest route over the real @dnsrep/store, with the WAL's writes failing ENOSPC on demand (the
 * store's StoreIo seam): a full disk answers 507 and applies nothing of the batch; once space
 * returns, ingest resumes and earlier data is intact; the store reopens clean after it.
 */
describe("ingest over @dnsrep/store: disk full", () => {
  const dir = mkdtempSync(join(tmpdir(), "ingest-store-"));
  let full = false;
  let server: DnstableServer;
  const open = () =>
    createServer({
      data: [],
      auth: { noAuth: true },
      pollMs: 0,
      store: {
        dir: join(dir, "store"),
        storeOptions: {
          io: {
            write: async (fd: number, buf: Uint8Array, position: number): Promise<void> => {
              if (full) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
              let off = 0;
              while (off < buf.length)
                off += await new Promise<number>((resolve, reject) =>
                  fsWrite(fd, buf, off, buf.length - off, position + off, (e, n) => (e ? reject(e) : resolve(n))),
                );
            },
          },
        },
      },
    });
  beforeAll(async () => {
    server = await open();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (name: string, count: number) =>
    server.app.inject({
      method: "POST",
      url: "/api/v1/ingest",
      headers: { "content-type": "application/x-ndjson" },
      payload: `${JSON.stringify({ rrname: name, rrtype: "A", rdata: "192.0.2.9", time_first: 1_700_000_000, time_last: 1_700_000_001, count, bailiwick: "full.test" })}\n`,
    });
  const count = async (name: string): Promise<number> => {
    const r = await server.app.inject({ url: `/dnsdb/v2/lookup/rrset/name/${name}` });
    const obj = r.body
      .split("\n")
      .filter((l) => l.includes('"obj"'))
      .map((l) => JSON.parse(l).obj as { count: number })[0];
    return obj?.count ?? 0;
  };

  it("answers 507 while the disk is full, applies nothing, and resumes when space returns", async () => {
    expect((await post("a.full.test", 2)).statusCode).toBe(200);
    full = true;
    const r = await post("a.full.test", 5);
    expect(r.statusCode).toBe(507);
    expect(r.json().error).toMatch(/disk is full/);
    expect(await count("a.full.test")).toBe(2);
    full = false;
    let resumed = 0;
    for (let i = 0; i < 50 && resumed !== 200; i++) {
      resumed = (await post("b.full.test", 3)).statusCode;
      if (resumed !== 200) await new Promise((res) => setTimeout(res, 100));
    }
    expect(resumed).toBe(200);
    expect((await post("a.full.test", 1)).statusCode).toBe(200);
    expect([await count("a.full.test"), await count("b.full.test")]).toEqual([3, 3]);
  });

  it("reopens with exactly what was acknowledged", async () => {
    await server.close();
    server = await open();
    expect([await count("a.full.test"), await count("b.full.test")]).toEqual([3, 3]);
  });
});

/**
 * Back-pressure over the real store: flushes that cannot complete (the file writes fail) leave
 * memtables waiting; past `maxPendingFlushes` the store refuses and the route answers 503 with
 * Retry-After instead of growing memory; once flushes succeed again, ingest resumes.
 */
describe("ingest over @dnsrep/store: flushes behind", () => {
  const dir = mkdtempSync(join(tmpdir(), "ingest-busy-"));
  let failFlush = false;
  let server: DnstableServer;
  beforeAll(async () => {
    server = await createServer({
      data: [],
      auth: { noAuth: true },
      pollMs: 0,
      store: {
        dir: join(dir, "store"),
        retryAfterSeconds: 3,
        storeOptions: {
          memtableBytes: 1024,
          maxPendingFlushes: 1,
          io: {
            beforeFileWrite: () => {
              if (failFlush) throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const post = (i: number) =>
    server.app.inject({
      method: "POST",
      url: "/api/v1/ingest",
      headers: { "content-type": "application/x-ndjson" },
      payload: Array.from({ length: 10 }, (_, j) =>
        JSON.stringify({
          rrname: `h${i}-${j}.busy.test`,
          rrtype: "A",
          rdata: "192.0.2.3",
          time_first: 1,
          time_last: 2,
          bailiwick: "busy.test",
        }),
      ).join("\n"),
    });

  it("answers 503 + Retry-After while flushes are behind, then takes batches again", async () => {
    failFlush = true;
    let r = await post(0);
    for (let i = 1; i < 50 && r.statusCode === 200; i++) r = await post(i);
    expect(r.statusCode).toBe(503);
    expect(r.headers["retry-after"]).toBe("3");
    expect(r.json().error).toMatch(/busy/);
    const metrics = (await server.app.inject({ url: "/metrics" })).body;
    expect(metrics).toMatch(/dnstable_server_store_failures_total\{store="sensor",op="flush"\} [1-9]/);
    expect(metrics).toMatch(/dnstable_server_store_pending_flushes\{store="sensor"\} [1-9]/);
    failFlush = false;
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await post(1000 + i)).statusCode;
      if (status !== 200) await new Promise((res) => setTimeout(res, 100));
    }
    expect(status).toBe(200);
  });
});
