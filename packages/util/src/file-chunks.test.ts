import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readFileChunks } from "./file-chunks.js";

const dir = mkdtempSync(join(tmpdir(), "file-chunks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readFileChunks", () => {
  it("gives the file's bytes in order, each chunk a view of one reused buffer", async () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) & 255));
    const f = join(dir, "a.bin");
    writeFileSync(f, bytes);
    for (const size of [1, 999, 4096, 10_000, 65536]) {
      const parts: Buffer[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const c of readFileChunks(f, size)) {
        expect(c.length).toBeLessThanOrEqual(size);
        buffers.add(c.buffer);
        parts.push(Buffer.from(c)); // a copy: the view changes on the next step
      }
      expect(Buffer.concat(parts).equals(bytes)).toBe(true);
      expect(buffers.size).toBe(1);
    }
  });
  it("an empty file gives nothing; a missing one rejects with ENOENT", async () => {
    const e = join(dir, "empty");
    writeFileSync(e, "");
    for await (const _ of readFileChunks(e)) expect.unreachable();
    await expect(readFileChunks(join(dir, "missing")).next()).rejects.toMatchObject({ code: "ENOENT" });
  });
});
