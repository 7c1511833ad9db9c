import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nameFromString } from "@dnsrep/wdns";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Enricher, fsStampLogIo, isEnrichError, LOG_NAME, readStampLog, type StampLogIo, StampStore } from "../src/index.js";

/**
 * The stamp log after a crash or damage: a torn tail (the last block cut anywhere, or zeros where a
 * block was to go) is dropped, with every whole block before it kept; a block failing its checksum
 * with more after it is a CORRUPTION error; no damage ever gives a pair a stamp it did not have.
 */
const fx = (n: string): string => join(import.meta.dirname, "fixtures", n);
const tmp = mkdtempSync(join(tmpdir(), "dnsrep-stamplog-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const a4 = (s: string): Uint8Array => Uint8Array.from(s.split(".").map(Number));
const IPS = ["192.0.2.200", "203.0.113.9", "198.51.100.7", "192.0.2.7"];
/** a found pair as text, its stamp's members in a fixed order */
const canon = (p: { rrname: Uint8Array; address: Uint8Array; stamped: number; stamp: object } | null): string =>
  p === null
    ? "null"
    : JSON.stringify([[...p.rrname], [...p.address], p.stamped, Object.entries(p.stamp).sort(([a], [b]) => (a < b ? -1 : 1))]);
const pairOf = (b: number, i: number) => ({ name: `n${i}.b${b}.example.`, ip: IPS[(b + i) % IPS.length] as string });
const BATCHES = 6;
const PER = 5;

let clean: Buffer;
/** the log's length after each batch (the block ends) */
const ends: number[] = [];
/** the stamps as written: "name ip" → JSON of the stamp and its time */
const truth = new Map<string, string>();

beforeAll(async () => {
  const dir = join(tmp, "clean");
  const e = new Enricher({ geoipDb: fx("country-v1.mmdb"), asnDb: fx("asn-v1.mmdb"), pollMs: 0 });
  let now = 1_800_000_000;
  const st = await StampStore.open(dir, { now: () => now++ });
  ends.push(st.logBytes);
  for (let b = 0; b < BATCHES; b++) {
    const batch = Array.from({ length: PER }, (_, i) => ({
      rrname: nameFromString(pairOf(b, i).name),
      rrtype: 1,
      rdata: [a4(pairOf(b, i).ip)],
    }));
    expect(await st.stamp(batch, e)).toBe(PER);
    ends.push(st.logBytes);
  }
  const v = st.view();
  for (let b = 0; b < BATCHES; b++)
    for (let i = 0; i < PER; i++) {
      const p = pairOf(b, i);
      truth.set(`${p.name} ${p.ip}`, canon(v.lookup(nameFromString(p.name), a4(p.ip))));
    }
  await st.close();
  e.close();
  clean = readFileSync(join(dir, LOG_NAME));
  expect(clean.length).toBe(ends.at(-1));
});

let n = 0;
/** Open a copy of the log with `bytes` as its content; the stamps it holds, or the error. */
async function openWith(bytes: Uint8Array): Promise<{ got: Map<string, string>; torn: number } | { error: unknown }> {
  const dir = join(tmp, `case-${n++}`);
  const st0 = await StampStore.open(dir);
  await st0.close();
  writeFileSync(join(dir, LOG_NAME), bytes);
  let torn = 0;
  let st: StampStore;
  try {
    st = await StampStore.open(dir, {
      onEvent: (e) => {
        if (e.type === "torn") torn = e.bytes;
      },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { error };
  }
  const v = st.view();
  const got = new Map<string, string>();
  for (const k of truth.keys()) {
    const [name, ip] = k.split(" ") as [string, string];
    const s = v.lookup(nameFromString(name), a4(ip));
    if (s !== null) got.set(k, canon(s));
  }
  expect(st.size).toBe(got.size);
  await st.close();
  rmSync(dir, { recursive: true, force: true });
  return { got, torn };
}

/** the pairs of the first `blocks` batches */
const firstBlocks = (blocks: number): Map<string, string> => {
  const m = new Map<string, string>();
  for (let b = 0; b < blocks; b++)
    for (let i = 0; i < PER; i++) {
      const p = pairOf(b, i);
      const k = `${p.name} ${p.ip}`;
      m.set(k, truth.get(k) as string);
    }
  return m;
};

describe("stamp log recovery", () => {
  it("the clean log reads back whole", async () => {
    const r = await openWith(clean);
    expect(r).toMatchObject({ torn: 0 });
    expect("got" in r && r.got).toEqual(truth);
    let blocks = 0;
    const r2 = readStampLog(join(tmp, "clean", LOG_NAME), {
      stamp() {},
      pair() {
        blocks++;
      },
    });
    expect(blocks).toBe(BATCHES * PER);
    expect(r2).toEqual({ length: clean.length, blocks: BATCHES, torn: 0 });
  });

  it("cut anywhere in the last block: that block is dropped (a torn tail), every earlier one kept; the log takes new blocks after", async () => {
    const last = ends.at(-2) as number;
    for (let cut = last + 1; cut < clean.length; cut += 3) {
      const r = await openWith(clean.subarray(0, cut));
      expect("got" in r, `cut at ${cut}`).toBe(true);
      if (!("got" in r)) continue;
      expect(r.got).toEqual(firstBlocks(BATCHES - 1));
      expect(r.torn).toBe(cut - last);
    }
    // cut at a block boundary: nothing torn
    for (let b = 0; b <= BATCHES; b++) expect(await openWith(clean.subarray(0, ends[b]))).toMatchObject({ got: firstBlocks(b), torn: 0 });
    // zeros where the next block was to go (a crash after the file grew)
    const zeros = Buffer.concat([clean, Buffer.alloc(100)]);
    expect(await openWith(zeros)).toMatchObject({ got: truth, torn: 100 });
    // after a torn tail is cut off, a new block is appended where it began, and read back
    const dir = join(tmp, "append-after-torn");
    await (await StampStore.open(dir)).close();
    writeFileSync(join(dir, LOG_NAME), clean.subarray(0, clean.length - 4));
    const e = new Enricher({ geoipDb: fx("country-v1.mmdb"), asnDb: fx("asn-v1.mmdb"), pollMs: 0 });
    let st = await StampStore.open(dir);
    expect(statSync(join(dir, LOG_NAME)).size).toBe(last);
    expect(await st.stamp([{ rrname: nameFromString("late.example."), rrtype: 1, rdata: [a4("192.0.2.9")] }], e)).toBe(1);
    await st.close();
    st = await StampStore.open(dir);
    expect(st.size).toBe((BATCHES - 1) * PER + 1);
    expect(st.view().lookup(nameFromString("late.example."), a4("192.0.2.9"))).not.toBeNull();
    await st.close();
    e.close();
  });

  it("a damaged block with more after it is a CORRUPTION error naming its offset; a bad magic too", async () => {
    const flip = (at: number): Buffer => {
      const b = Buffer.from(clean);
      b[at] = (b[at] as number) ^ 0x10;
      return b;
    };
    for (const at of [(ends[1] as number) + 2, (ends[1] as number) + 13, (ends[2] as number) - 1, 3]) {
      const r = await openWith(flip(at));
      expect("error" in r, `flip at ${at}`).toBe(true);
      const err = (r as { error: unknown }).error;
      expect(isEnrichError(err) && err.code === "CORRUPTION", String(err)).toBe(true);
      expect((err as Error).message).toMatch(/STAMPS\.log: block at offset \d+: .*(checksum|magic)/);
    }
  });

  it("property: any bit flipped, any cut, any bytes appended: a CORRUPTION error, or whole blocks kept and only the tail dropped — never a wrong stamp", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: clean.length - 1 }),
        fc.integer({ min: 0, max: 7 }),
        fc.nat({ max: clean.length }),
        fc.uint8Array({ maxLength: 40 }),
        async (at, bit, cut, tail) => {
          const b = Buffer.concat([clean, tail]);
          b[at] = (b[at] as number) ^ (1 << bit);
          const r = await openWith(b.subarray(0, Math.max(cut, at + 1)));
          if ("error" in r) {
            expect(isEnrichError(r.error) && r.error.code === "CORRUPTION", String(r.error)).toBe(true);
            return;
          }
          // every pair found has exactly its stamp, and the pairs are those of the first k blocks
          for (const [k, s] of r.got) expect(s, k).toBe(truth.get(k));
          const k = ends.findIndex((_, i) => firstBlocks(i).size === r.got.size);
          expect(k).toBeGreaterThanOrEqual(0);
          expect(r.got).toEqual(firstBlocks(k));
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe("stamp log write failures", () => {
  it("a failed write (half written, then ENOSPC) or sync is taken back: its batch and those queued behind it are refused, their pairs unstamped at once and stamped again later, the log reads back exact", async () => {
    const e = new Enricher({ geoipDb: fx("country-v1.mmdb"), asnDb: fx("asn-v1.mmdb"), pollMs: 0 });
    const dir = join(tmp, "fail");
    let failWrite = false;
    let failSync = false;
    const io: StampLogIo = {
      write(fd, buf, off, len, pos) {
        if (!failWrite) return fsStampLogIo.write(fd, buf, off, len, pos);
        failWrite = false;
        fsStampLogIo.write(fd, buf, off, Math.max(1, len >> 1), pos); // half of it reaches the file
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      },
      async fdatasync(fd) {
        if (failSync) {
          failSync = false;
          throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
        }
        return fsStampLogIo.fdatasync(fd);
      },
      ftruncate: fsStampLogIo.ftruncate,
    };
    const one = (n: string, ip: string) => [{ rrname: nameFromString(n), rrtype: 1, rdata: [a4(ip)] }];
    const st = await StampStore.open(dir, { io, now: () => 1_800_000_000 });
    expect(await st.stamp(one("a.example.", "192.0.2.200"), e)).toBe(1);
    const good = st.logBytes;
    failWrite = true;
    await expect(st.stamp(one("b.example.", "192.0.2.201"), e)).rejects.toMatchObject({ code: "NOSPACE" });
    expect(st.logBytes).toBe(good);
    expect(statSync(join(dir, LOG_NAME)).size).toBe(good);
    expect(st.view().lookup(nameFromString("b.example."), a4("192.0.2.201"))).toBeNull();
    expect(st.size).toBe(1);
    // a sync that fails: d's group; c's batch, built while d's sync ran (it found d's pair being
    // written, so it leans on it) and queued behind it, is refused with it
    failSync = true;
    const d = st.stamp(one("d.example.", "192.0.2.202"), e);
    const c = st.stamp([...one("c.example.", "203.0.113.9"), ...one("d.example.", "192.0.2.202")], e);
    await expect(d).rejects.toMatchObject({ code: "IO" });
    await expect(c).rejects.toMatchObject({ code: "IO" });
    expect(statSync(join(dir, LOG_NAME)).size).toBe(good);
    expect(st.size).toBe(1);
    // retried: stamped now (the stamp's definition written again with them)
    expect(
      await st.stamp([...one("b.example.", "192.0.2.201"), ...one("c.example.", "203.0.113.9"), ...one("d.example.", "192.0.2.202")], e),
    ).toBe(3);
    await st.close();
    const again = await StampStore.open(dir);
    expect(again.size).toBe(4);
    const v = again.view();
    for (const [n, ip] of [
      ["a.example.", "192.0.2.200"],
      ["b.example.", "192.0.2.201"],
      ["c.example.", "203.0.113.9"],
      ["d.example.", "192.0.2.202"],
    ] as const)
      expect(v.lookup(nameFromString(n), a4(ip))?.stamp.asn, n).toBeGreaterThan(0);
    await again.close();
    e.close();
  });
});
