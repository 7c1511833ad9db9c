import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backoffDelay } from "../src/backoff.js";
import { makeBatches } from "../src/batch.js";
import { buildConfig } from "../src/config.js";
import { readRegistry, writeRegistry } from "../src/registry.js";
import { ingestUrl } from "../src/sender.js";
import { Spool } from "../src/spool.js";
import { type LineSink, TailFile } from "../src/tail-file.js";
import { tempDir } from "./helpers.js";
import { lineParser } from "./line-parser.js";

let dir: string;
beforeEach(() => {
  dir = tempDir("shipper-unit-");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("backoff", () => {
  it("grows exponentially within [ceiling/2, ceiling], capped, and never under Retry-After", () => {
    expect(backoffDelay(0, null, { random: () => 0 })).toBe(125);
    expect(backoffDelay(0, null, { random: () => 0.999999 })).toBe(250);
    expect(backoffDelay(3, null, { random: () => 0 })).toBe(1000);
    expect(backoffDelay(40, null, { random: () => 1 })).toBe(30_000);
    expect(backoffDelay(0, 5000, { random: () => 0 })).toBe(5000);
    expect(backoffDelay(10, 1000, { random: () => 0, maxMs: 2000 })).toBe(1000);
  });
  it("ingest URL from a base URL", () => {
    expect(ingestUrl("http://h:8080")).toBe("http://h:8080/api/v1/ingest");
    expect(ingestUrl("http://h:8080/base/")).toBe("http://h:8080/base/api/v1/ingest");
    expect(ingestUrl("https://h/api/v1/ingest")).toBe("https://h/api/v1/ingest");
  });
});

describe("batches", () => {
  const ranges = [{ key: "1:2", head: "ab", start: 0, end: 100 }];
  it("split by lines and bytes; keys are deterministic and differ per part, range, content and name", () => {
    const lines = Array.from({ length: 10 }, (_, i) => `{"i":${i}}`);
    const a = makeBatches(lines, ranges, "h", { maxLines: 4, maxBytes: 1 << 20 });
    expect(a.map((b) => b.lines)).toEqual([4, 4, 2]);
    expect(a.map((b) => b.body.toString())).toEqual([lines.slice(0, 4), lines.slice(4, 8), lines.slice(8)].map((l) => `${l.join("\n")}\n`));
    expect(makeBatches(lines, ranges, "h", { maxLines: 4, maxBytes: 1 << 20 }).map((b) => b.key)).toEqual(a.map((b) => b.key));
    expect(new Set(a.map((b) => b.key)).size).toBe(3);
    const other = [
      makeBatches(lines, [{ ...ranges[0], end: 101 } as (typeof ranges)[0]], "h", { maxLines: 4, maxBytes: 1 << 20 }),
      makeBatches(lines, ranges, "h2", { maxLines: 4, maxBytes: 1 << 20 }),
      makeBatches(
        lines.map((l) => `${l} `),
        ranges,
        "h",
        { maxLines: 4, maxBytes: 1 << 20 },
      ),
    ];
    for (const o of other) expect(o[0]?.key).not.toBe(a[0]?.key);
    expect(a[0]?.key.length).toBeLessThanOrEqual(200);
    expect(makeBatches(lines, ranges, "h", { maxLines: 100, maxBytes: 30 }).map((b) => b.lines)).toEqual([3, 3, 3, 1]);
  });
});

describe("spool", () => {
  it("keeps order across reopen, removes temp leftovers, sets rejected aside, finds the latest checkpoint", () => {
    const s = new Spool(dir, { sync: false });
    const cp = { seq: 2, files: [] };
    expect(s.add({ key: "k1", lines: 1, checkpoint: null }, Buffer.from("a\n"))).toBe(1);
    expect(s.add({ key: "k2", lines: 1, checkpoint: cp }, Buffer.from("b\n"))).toBe(2);
    expect(s.add({ key: "k3", lines: 1, checkpoint: null }, Buffer.from("c\n"))).toBe(3);
    // torn temporary files a crash left: this version's (tempPathFor's) and an older one's
    writeFileSync(join(dir, "pending", ".0000000000000004.batch.123.1.abcdef.tmp"), "torn");
    writeFileSync(join(dir, "pending", "0000000000000009.batch.tmp-123"), "torn");
    const r = new Spool(dir, { sync: false });
    expect(r.seqs()).toEqual([1, 2, 3]);
    expect(readdirSync(join(dir, "pending")).some((n) => n.includes("tmp"))).toBe(false);
    expect(r.oldest()?.body.toString()).toBe("a\n");
    expect(r.latestCheckpoint()).toEqual({ seq: 2, checkpoint: cp });
    r.reject(1, "HTTP 400: bad");
    r.done(2);
    expect(r.seqs()).toEqual([3]);
    expect(new Spool(dir, { sync: false }).nextSeq).toBe(4);
    expect(readdirSync(join(dir, "rejected")).sort()).toEqual(["0000000000000001.batch", "0000000000000001.reason"]);
  });
  it("drops the oldest batches only past the bound, never the one being sent, and counts them", () => {
    const s = new Spool(dir, { sync: false, maxBytes: 400 });
    const body = Buffer.from(`${"x".repeat(60)}\n`);
    for (let i = 0; i < 3; i++) s.add({ key: `k${i}`, lines: 2, checkpoint: null }, body);
    expect(s.dropped.batches).toBe(0);
    s.inFlight = 1;
    s.add({ key: "k3", lines: 2, checkpoint: null }, body);
    expect(s.seqs()).toEqual([1, 3, 4]);
    expect(s.dropped).toEqual({ batches: 1, lines: 2 });
    expect(s.bytes).toBeLessThanOrEqual(400);
  });
  it("an unreadable batch file is set aside, not retried forever", () => {
    const s = new Spool(dir, { sync: false });
    s.add({ key: "k1", lines: 1, checkpoint: null }, Buffer.from("a\n"));
    writeFileSync(join(dir, "pending", "0000000000000001.batch"), "no header newline");
    expect(s.oldest()).toBeNull();
    expect(s.rejected).toBe(1);
  });
});

describe("registry", () => {
  it("round-trips; a missing file is empty; garbage is a one-line error", () => {
    const p = join(dir, "reg.json");
    expect(readRegistry(p)).toEqual({ seq: 0, files: [] });
    const st = { seq: 5, files: [{ path: "/x", dev: 1, ino: 2, offset: 3, head: "aa", head_len: 4 }] };
    writeRegistry(p, st);
    expect(readRegistry(p)).toEqual(st);
    writeFileSync(p, "{not json");
    expect(() => readRegistry(p)).toThrow(/reg\.json: /);
  });
});

describe("config", () => {
  it("flags override the file; defaults; the registry defaults into the spool", () => {
    writeFileSync(join(dir, "k"), "secret\n");
    const c = buildConfig(
      {
        server: "http://a:1",
        key_file: join(dir, "k"),
        spool: "/s",
        window_seconds: 9,
        input: [{ paths: ["/l"], format: "dnsmasq", year: 2024 }],
      },
      { server: "http://b:2", window_seconds: undefined },
      null,
    );
    expect(c.server).toBe("http://b:2");
    expect(c.key).toBe("secret");
    expect(c.windowSeconds).toBe(9);
    expect(c.batchSize).toBe(5000);
    expect(c.registry).toBe("/s/registry.json");
    expect(c.inputs).toEqual([{ paths: ["/l"], format: "dnsmasq", options: { year: 2024 } }]);
  });
});

describe("TailFile (property)", () => {
  it("however the bytes arrive, the lines out are the complete lines of the whole, minus those over the limit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "\r", "\u00e9\u4e2d", "x".repeat(70))), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 40 }),
        (parts, cuts, scratchLen) => {
          const text = Buffer.from(parts.map((p) => `${p.replace(/\n/g, "")}\n`).join(""));
          const p = join(dir, "f.log");
          writeFileSync(p, "");
          const wfd = openSync(p, "a");
          const fd = openSync(p, "r");
          const got: string[] = [];
          const sink: LineSink = { line: (_f, t) => got.push(t), bad: (_f, r) => got.push(`<${r}>`) };
          const f = new TailFile({ path: p, fd, dev: 0, ino: 0, offset: 0, parser: lineParser(), input: 0, maxLineBytes: 64 });
          const scratch = Buffer.alloc(scratchLen);
          let at = 0;
          let ci = 0;
          while (at < text.length) {
            const n = Math.min(cuts[ci++ % cuts.length] as number, text.length - at);
            writeSync(wfd, text, at, n);
            at += n;
            while (f.read(scratch, sink) > 0);
          }
          closeSync(wfd);
          f.close();
          const want = parts.map((x) => {
            let l = x.replace(/\n/g, "");
            if (l.endsWith("\r")) l = l.slice(0, -1);
            return Buffer.byteLength(x.replace(/\n/g, "")) > 64 ? "<line too long>" : l;
          });
          expect(got).toEqual(want);
          expect(f.offset).toBe(text.length);
        },
      ),
      { numRuns: 150 },
    );
    mkdirSync(join(dir, "x"), { recursive: true });
  });
});
