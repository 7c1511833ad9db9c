import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readVector } from "../../../test/vectors.js";
import { createNmsgFileWriter, readNmsgFile, writeNmsgFile } from "./file.js";
import type { NmsgPayload } from "./payload.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(g: AsyncIterable<NmsgPayload>): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  for await (const p of g) out.push(p);
  return out;
}

describe("NMSG file helpers", () => {
  it("readNmsgFile + writeNmsgFile reproduce dnsqr.nmsg byte for byte", async () => {
    const ps = await collect(readNmsgFile(join(import.meta.dirname, "../../../test/vectors/nmsg/dnsqr.nmsg")));
    expect(ps.length).toBeGreaterThan(0);
    const out = join(dir, "copy.nmsg");
    expect(await writeNmsgFile(out, ps)).toBe(ps.length);
    expect(Buffer.compare(readFileSync(out), Buffer.from(readVector("nmsg/dnsqr.nmsg")))).toBe(0);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("nothing appears at the path until close; abort leaves no file", async () => {
    const ps = await collect(readNmsgFile(join(import.meta.dirname, "../../../test/vectors/dedupe/dedupe.nmsg")));
    const out = join(dir, "late.nmsg");
    const w = await createNmsgFileWriter(out, { zlib: true });
    for (const p of ps) await w.write(p);
    expect(readdirSync(dir)).not.toContain("late.nmsg");
    await w.close();
    expect(await collect(readNmsgFile(out))).toEqual(ps);
    const gone = join(dir, "gone.nmsg");
    const a = await createNmsgFileWriter(gone);
    await a.write(ps[0] as NmsgPayload);
    await a.abort();
    expect(readdirSync(dir).filter((f) => f.startsWith("gone"))).toEqual([]);
  });
});
