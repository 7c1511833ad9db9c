import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysCutInHalf, valuesCutToOneByte, writeDamaged } from "../../dnstable/test/corrupt.js";
import { writeBigFile } from "./big-file.js";
import { ndjson, testServer } from "./helpers.js";

/** Damaged data: a 200 whose body says so in its terminator, or entries skipped — never a 500 or a crash. */
describe("damaged data files", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "server-damaged-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a block that fails its checksum mid-stream ends the body with a failed terminator", async () => {
    const file = join(dir, "flipped.mtbl");
    writeBigFile(file, 30_000);
    // flip one byte in the middle of the data blocks
    const at = Math.floor(statSync(file).size / 2);
    const fd = openSync(file, "r+");
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] = (b[0] as number) ^ 0x40;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
    const s = await testServer({ data: [file], maxLimit: 1_000_000 });
    try {
      const r = await s.app.inject({ url: "/dnsdb/v2/lookup/rrset/name/*.big.test?limit=0" });
      expect(r.statusCode).toBe(200);
      const lines = ndjson(r.body) as Record<string, unknown>[];
      expect(lines[0]).toEqual({ cond: "begin" });
      const end = lines[lines.length - 1] as { cond: string; msg: string };
      expect(end.cond).toBe("failed");
      expect(end.msg).toMatch(/^data error: /);
      expect(lines.length - 2).toBeGreaterThan(0);
      expect(lines.length - 2).toBeLessThan(30_000);
      // the server still answers
      expect((await s.app.inject({ url: "/dnsdb/v2/ping" })).statusCode).toBe(200);
    } finally {
      await s.close();
    }
  });

  it("entries that do not decode are skipped, the rest answered", async () => {
    for (const [name, damage] of [
      ["values", valuesCutToOneByte],
      ["keys", keysCutInHalf],
    ] as const) {
      const file = join(dir, `${name}.mtbl`);
      writeDamaged(file, damage);
      const s = await testServer({ data: [file] });
      try {
        for (const url of [
          "/dnsdb/v2/lookup/rrset/name/*.example.test",
          "/dnsdb/v2/lookup/rdata/ip/10.0.0.0,8",
          "/dnsdb/v2/summarize/rrset/name/*.test",
          "/pdns/query/www.example.test",
        ]) {
          const r = await s.app.inject({ url });
          expect(r.statusCode, `${name} ${url}`).toBe(200);
          const lines = ndjson(r.body) as Record<string, unknown>[];
          if (!url.startsWith("/pdns")) expect(lines[lines.length - 1]?.cond, url).toMatch(/^(succeeded|failed)$/);
        }
      } finally {
        await s.close();
      }
    }
  });
});
