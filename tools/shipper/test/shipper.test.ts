import { appendFileSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Shipper } from "../src/shipper.js";
import { httpOutput, httpShipper, tempDir, until } from "./helpers.js";
import { lineParser, singlePass } from "./line-parser.js";
import { MockIngest } from "./mock-ingest.js";

let dir: string;
let server: MockIngest;
beforeEach(async () => {
  dir = tempDir();
  server = await new MockIngest({ statePath: join(dir, "server-state.json") }).start();
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function lines(n: number, from = 0, names = 7): string {
  let s = "";
  for (let i = from; i < from + n; i++) s += `${1700000000 + i} host${i % names}.example.com A 192.0.2.${i % 250}\n`;
  return s;
}

describe("Shipper (http, mock ingest)", () => {
  it("ships aggregated observations once, commits the registry, empties the spool", async () => {
    const log = join(dir, "a.log");
    const text = `${lines(500)}garbage line\n`;
    writeFileSync(log, text);
    const s = httpShipper(dir, server, [log], { once: true });
    await s.run();
    expect(server.totals).toEqual(singlePass(text));
    expect(s.stats.lines).toBe(501);
    expect(s.stats.rejected).toEqual({ unmatched: 1 });
    expect(s.stats.spoolBatches).toBe(0);
    expect(readdirSync(join(dir, "spool", "pending"))).toEqual([]);
    const reg = JSON.parse(readFileSync(join(dir, "spool", "registry.json"), "utf8"));
    expect(reg.files[0].offset).toBe(Buffer.byteLength(text));
    // a second run reads nothing again
    const again = httpShipper(dir, server, [log], { once: true });
    await again.run();
    expect(again.stats.lines).toBe(0);
    expect(server.totals).toEqual(singlePass(text));
  });

  it("splits a window into batches of batch size, each with its own key", async () => {
    const log = join(dir, "a.log");
    const text = lines(300, 0, 300);
    writeFileSync(log, text);
    const s = httpShipper(dir, server, [log], { once: true, batch: { maxLines: 40 }, windowMs: 60_000 });
    await s.run();
    expect(server.batches).toBe(8);
    expect(new Set(server.order).size).toBe(8);
    expect(server.totals).toEqual(singlePass(text));
  });

  it("retries 503 with Retry-After and 429, then delivers", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(50));
    server.script.push({ status: 503, retryAfter: "1" }, { status: 429 }, { status: 500 });
    const s = httpShipper(dir, server, [log], { once: true });
    const t0 = Date.now();
    await s.run();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // Retry-After: 1 honoured
    expect(s.stats.retries).toBe(3);
    expect(server.totals).toEqual(singlePass(lines(50)));
  });

  it("sets a permanently refused batch aside in rejected/ and goes on", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(20));
    server.script.push({ status: 400, body: '{"error":"line 3: rdata: bad"}' });
    const s = httpShipper(dir, server, [log], { once: true });
    await s.run();
    expect(s.stats.batchesRejected).toBe(1);
    const rej = readdirSync(join(dir, "spool", "rejected")).sort();
    expect(rej).toEqual(["0000000000000001.batch", "0000000000000001.reason"]);
    expect(readFileSync(join(dir, "spool", "rejected", rej[1] as string), "utf8")).toBe("HTTP 400: line 3: rdata: bad\n");
    appendFileSync(log, lines(5, 100));
    await httpShipper(dir, server, [log], { once: true }).run();
    expect(server.totals).toEqual(singlePass(lines(5, 100)));
  });

  it("507 is retried; 401 and 413 are permanent", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(5));
    server.script.push({ status: 507 }, { status: 401 });
    const s = httpShipper(dir, server, [log], { once: true });
    await s.run();
    expect(s.stats.retries).toBe(1);
    expect(s.stats.batchesRejected).toBe(1);
    appendFileSync(log, lines(5, 5));
    server.script.push({ status: 413 });
    const t = httpShipper(dir, server, [log], { once: true });
    await t.run();
    expect(t.stats.batchesRejected).toBe(1);
    expect(readdirSync(join(dir, "spool", "rejected")).filter((n) => n.endsWith(".reason")).length).toBe(2);
    expect(server.totals).toEqual({});
    expect(s.stats.bytes).toBe(Buffer.byteLength(lines(5)));
  });

  it("a request in flight when the run ends keeps its answer (drain waits for it, no second send)", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(5));
    // the 507 makes the sender "failing", so the run ends while the slow 401 is in flight
    server.script.push({ status: 507 }, { status: 401, delayMs: 400 });
    const s = httpShipper(dir, server, [log], { once: true, output: { ...httpOutput(dir, server), backoff: { baseMs: 1, maxMs: 2 } } });
    await s.run();
    expect(s.stats.batchesRejected).toBe(1);
    expect(server.requests).toBe(2);
    expect(server.totals).toEqual({});
  });

  it("wrong key: 403 is permanent", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(5));
    const s = new Shipper({
      inputs: [{ paths: [log], format: "test", options: {} }],
      createParser: () => lineParser(),
      output: { kind: "http", server: server.url, key: "nope", spoolDir: join(dir, "spool"), spoolSync: false },
      registryPath: join(dir, "reg.json"),
      once: true,
      windowMs: 10,
      pollMs: 10,
    });
    await s.run();
    expect(s.stats.batchesRejected).toBe(1);
    expect(server.totals).toEqual({});
  });

  it("spools while the server is away and replays in order when it returns", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(10));
    await server.close();
    const ac = new AbortController();
    const s = httpShipper(dir, server, [log], { signal: ac.signal });
    const done = s.run();
    await until(() => s.stats.spoolBatches >= 1 && s.stats.serverFailing, 10_000, "first batch spooled");
    appendFileSync(log, lines(10, 10));
    await until(() => s.stats.spoolBatches >= 2, 10_000, "second batch spooled");
    const pending = join(dir, "spool", "pending");
    const spooledKeys = readdirSync(pending)
      .filter((n) => n.endsWith(".batch"))
      .sort()
      .map((n) => JSON.parse(readFileSync(join(pending, n), "utf8").split("\n")[0] as string).key as string);
    server = await new MockIngest({ statePath: join(dir, "server-state.json"), port: server.port }).start();
    await until(() => s.stats.spoolBatches === 0, 20_000, "spool replayed");
    ac.abort();
    await done;
    expect(server.totals).toEqual(singlePass(lines(20)));
    // replayed in the order they were spooled
    expect(server.order.slice(0, spooledKeys.length)).toEqual(spooledKeys);
    expect(s.stats.serverFailing).toBe(false);
  });

  it("keeps the spool under its bound by dropping the oldest batches, and counts them", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, "");
    await server.close();
    const ac = new AbortController();
    const bounded = httpShipper(dir, server, [log], {
      signal: ac.signal,
      output: { kind: "http", server: server.url, key: server.key, spoolDir: join(dir, "spool"), spoolSync: false, spoolMaxBytes: 2048 },
    });
    const done = bounded.run();
    for (let i = 0; i < 6; i++) {
      appendFileSync(log, lines(10, i * 10, 10));
      const want = i + 1;
      await until(() => bounded.stats.batchesSpooled >= want, 10_000, `batch ${want}`);
    }
    ac.abort();
    await done;
    expect(bounded.stats.droppedBatches).toBeGreaterThan(0);
    expect(bounded.stats.spoolBytes).toBeLessThanOrEqual(2048);
    expect(bounded.stats.droppedBatches + bounded.stats.spoolBatches).toBe(6);
  });

  it("a batch re-sent after a crash (spooled, sent, not yet removed) counts once", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(30));
    await server.close();
    const first = httpShipper(dir, server, [log], { once: true, drainMs: 0 });
    await first.run();
    expect(first.stats.spoolBatches).toBeGreaterThan(0);
    // the copy plays the crash: the batch is acknowledged, then the shipper dies before removing it
    cpSync(join(dir, "spool"), join(dir, "spool-copy"), { recursive: true });
    server = await new MockIngest({ statePath: join(dir, "server-state.json"), port: server.port }).start();
    await httpShipper(dir, server, [log], { once: true }).run();
    rmSync(join(dir, "spool"), { recursive: true });
    cpSync(join(dir, "spool-copy"), join(dir, "spool"), { recursive: true });
    const again = httpShipper(dir, server, [log], { once: true });
    await again.run();
    expect(again.stats.duplicates).toBeGreaterThan(0);
    expect(again.stats.lines).toBe(0);
    expect(server.totals).toEqual(singlePass(lines(30)));
  });

  it("a crash between spooling a window and committing the registry: the spool's positions win", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(30));
    await server.close();
    const first = httpShipper(dir, server, [log], { once: true, drainMs: 0 });
    await first.run();
    // the registry as it was before the window: nothing committed
    writeFileSync(join(dir, "spool", "registry.json"), `${JSON.stringify({ version: 1, seq: 0, files: [] })}\n`);
    server = await new MockIngest({ statePath: join(dir, "server-state.json"), port: server.port }).start();
    const again = httpShipper(dir, server, [log], { once: true });
    await again.run();
    expect(again.stats.lines).toBe(0);
    expect(server.totals).toEqual(singlePass(lines(30)));
  });

  it("a signal flushes what it holds into the spool when the server is down, and stops", async () => {
    const log = join(dir, "a.log");
    writeFileSync(log, lines(40));
    await server.close();
    const ac = new AbortController();
    const s = httpShipper(dir, server, [log], { signal: ac.signal, windowMs: 60_000, drainMs: 300 });
    const done = s.run();
    await until(() => s.stats.lines === 40, 10_000, "lines read");
    expect(s.stats.spoolBatches).toBe(0); // still in the window
    ac.abort();
    await done;
    expect(s.stats.spoolBatches).toBe(1);
    server = await new MockIngest({ statePath: join(dir, "server-state.json"), port: server.port }).start();
    await httpShipper(dir, server, [log], { once: true }).run();
    expect(server.totals).toEqual(singlePass(lines(40)));
  });
});

describe("Shipper stopping while the server hangs", () => {
  it("a signal abandons a request the server never answers; the batch stays spooled and counts once later", async () => {
    const { createServer } = await import("node:http");
    const dir2 = tempDir();
    const hung = createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", () => r()));
    const port = (hung.address() as { port: number }).port;
    const log = join(dir2, "a.log");
    writeFileSync(log, lines(10));
    const ac = new AbortController();
    const fake = { url: `http://127.0.0.1:${port}`, key: "ingest-key-1" } as MockIngest;
    // a request timeout far beyond the bound below: only abandoning the request ends the run in time
    const s = httpShipper(dir2, fake, [log], {
      signal: ac.signal,
      drainMs: 500,
      output: { kind: "http", server: fake.url, key: fake.key, spoolDir: join(dir2, "spool"), spoolSync: false, timeoutMs: 120_000 },
    });
    const done = s.run();
    await until(() => s.stats.batchesSpooled === 1, 10_000, "batch spooled");
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    ac.abort();
    await done;
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(s.stats.spoolBatches).toBe(1);
    hung.closeAllConnections();
    await new Promise<void>((r) => hung.close(() => r()));
    const back = await new MockIngest({ port }).start();
    try {
      await httpShipper(dir2, back, [log], { once: true }).run();
      expect(back.totals).toEqual(singlePass(lines(10)));
    } finally {
      await back.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});
