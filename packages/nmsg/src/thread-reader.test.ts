import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { isNmsgError, NmsgErrorCode } from "./errors.js";
import type { NmsgPayload } from "./payload.js";
import { newStats, readPayloadBatches } from "./reader.js";
import { readNmsgFileBatches } from "./thread-reader.js";

const vectors = join(import.meta.dirname, "../../../test/vectors");
const dir = mkdtempSync(join(tmpdir(), "nmsg-thread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function batches(g: AsyncIterable<NmsgPayload[]>): Promise<NmsgPayload[][]> {
  const out: NmsgPayload[][] = [];
  for await (const b of g) out.push(b);
  return out;
}
const plain = (bs: NmsgPayload[][]) => bs.map((b) => b.map((p) => ({ ...p, payload: Buffer.from(p.payload).toString("hex") })));

const files = [
  ...readdirSync(join(vectors, "nmsg"))
    .filter((f) => f.endsWith(".nmsg"))
    .map((f) => join(vectors, "nmsg", f)),
  join(vectors, "dedupe/dedupe.nmsg"),
];

describe("readNmsgFileBatches (a worker thread reads the file)", () => {
  it.each(files)("gives the same batches and stats as readPayloadBatches: %s", async (f) => {
    const s1 = newStats();
    const s2 = newStats();
    const want = await batches(readPayloadBatches(Readable.from([readFileSync(f)]), { stats: s1 }));
    const got = await batches(readNmsgFileBatches(f, { stats: s2, ahead: 2 }));
    expect(plain(got)).toEqual(plain(want));
    expect(s2).toEqual(s1);
    expect(s2.payloads).toBeGreaterThan(0);
  });

  it("reports a truncated file as readPayloadBatches does, with the offset", async () => {
    const b = readFileSync(join(vectors, "nmsg/dnsqr.bufsz4096.nmsg")); // many containers: the first ones still arrive
    const f = join(dir, "cut.nmsg");
    writeFileSync(f, b.subarray(0, b.length - 100));
    const seen: NmsgPayload[] = [];
    const err = await (async () => {
      for await (const batch of readNmsgFileBatches(f)) seen.push(...batch);
    })().catch((e: unknown) => e);
    expect(isNmsgError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(NmsgErrorCode.TRUNCATED);
    expect((err as Error).message).toMatch(/^truncated container \(\d+ bytes left over\) at offset \d+$/);
    expect(seen.length).toBeGreaterThan(0);
  });

  it("reports bad magic, and a missing file as a system error with its code", async () => {
    const f = join(dir, "passwd.nmsg");
    writeFileSync(f, "root:x:0:0:root:/root:/bin/bash\n");
    const e1 = await batches(readNmsgFileBatches(f)).catch((e: unknown) => e);
    expect((e1 as { code: string }).code).toBe(NmsgErrorCode.MAGIC);
    expect((e1 as Error).message).toBe("bad magic (not an nmsg stream) at offset 0");
    const e2 = await batches(readNmsgFileBatches(join(dir, "absent.nmsg"))).catch((e: unknown) => e);
    expect((e2 as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect((e2 as NodeJS.ErrnoException).syscall).toBe("open");
  });

  it("drops and reports payloads whose CRC32C does not match", async () => {
    const b = Buffer.from(readFileSync(join(vectors, "nmsg/dnsqr.nmsg")));
    b[200] = (b[200] as number) ^ 0xff; // inside the first container's first payloads
    const f = join(dir, "crc.nmsg");
    writeFileSync(f, b);
    const r1: [number, number | undefined][] = [];
    const r2: [number, number | undefined][] = [];
    const s1 = newStats();
    const s2 = newStats();
    const want = await batches(readPayloadBatches(Readable.from([b]), { stats: s1, onCrcError: (n, at) => r1.push([n, at]) }));
    const got = await batches(readNmsgFileBatches(f, { stats: s2, onCrcError: (n, at) => r2.push([n, at]) }));
    expect(r1.length).toBeGreaterThan(0);
    expect(r2).toEqual(r1);
    expect(s2.crcErrors).toBe(s1.crcErrors);
    expect(plain(got)).toEqual(plain(want));
  });

  it("stops its worker when the consumer breaks out early", async () => {
    let n = 0;
    for await (const b of readNmsgFileBatches(join(vectors, "nmsg/dnsqr.bufsz512.nmsg"), { ahead: 1 })) {
      n += b.length;
      break;
    }
    expect(n).toBeGreaterThan(0);
  });
});
