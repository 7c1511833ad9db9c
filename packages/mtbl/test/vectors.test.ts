/** Library-level checks against the libmtbl vectors: the writer reproduces libmtbl's bytes. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readVectorText, vectorPath } from "../../../test/vectors.js";
import { Reader, Sorter, Writer } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "mtbl-vec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Re-write every entry of an uncompressed vector file with the same block size / restart interval. */
function rewrite(name: string, blockSize: number, restartInterval: number): void {
  const r = Reader.open(vectorPath(name));
  const out = join(dir, name.replace(/\//g, "_"));
  const w = Writer.create(out, { compression: "none", blockSize, restartInterval });
  const it = r.iter();
  while (it.next()) w.add(it.key, it.value);
  w.close();
  r.close();
  expect(Buffer.compare(readFileSync(out), readFileSync(vectorPath(name)))).toBe(0);
}

describe("writer byte-exactness", () => {
  it.each([
    ["mtbl/plain.none.b8192.r16.mtbl", 8192, 16],
    ["mtbl/plain.none.b1024.r16.mtbl", 1024, 16],
    ["mtbl/plain.none.b65536.r1.mtbl", 65536, 1],
    ["dnstable/dns.none.mtbl", 8192, 16],
    ["dnstable/dns.dnssec.none.mtbl", 65536, 16],
    ["dnstable/dns.none.b1024.mtbl", 1024, 16],
    ["mtbl/mergebig.out.mtbl", 2048, 16],
  ])("%s (block %i, restart %i)", (name, b, r) => rewrite(name, b, r));

  it("sorter + concat merge reproduces mtbl/sorter.mtbl (insertion-order folding)", () => {
    const s = new Sorter({ merge: (_k, a, b) => enc.encode(`${dec.decode(a)}|${dec.decode(b)}`) });
    for (const line of readVectorText("mtbl/sorter.input.tsv").split("\n")) {
      if (!line) continue;
      const [k, v] = line.split("\t") as [string, string];
      s.add(enc.encode(k), enc.encode(v));
    }
    const out = join(dir, "sorter.mtbl");
    const w = Writer.create(out, { compression: "none" });
    s.writeTo(w);
    w.close();
    expect(Buffer.compare(readFileSync(out), readFileSync(vectorPath("mtbl/sorter.mtbl")))).toBe(0);
  });
});
