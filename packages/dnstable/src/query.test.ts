import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMtblError } from "@dnsrep/mtbl";
import { nameToString } from "@dnsrep/wdns";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { keysCutInHalf, valuesCutToOneByte, writeDamaged } from "../test/corrupt.js";
import { decodeRRsetKey } from "./entry.js";
import { type DnstableError, isDnstableError } from "./errors.js";
import { parseIpQuery } from "./ip-range.js";
import type { CorruptEntry, DnstableQuery } from "./query.js";
import { DnstableReader } from "./reader.js";

const dir = mkdtempSync(join(tmpdir(), "dnstable-query-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("DnstableReader", () => {
  it("answers rrset queries with decoded results, in a for-await loop too", async () => {
    const r = DnstableReader.open(vectorPath("dnstable/dns.mtbl"));
    try {
      const got = [];
      for await (const x of r.query({ type: "rrset", name: "www.example.test", rrtype: "A" })) got.push(x);
      expect(got).toHaveLength(1);
      const k = decodeRRsetKey(got[0]!.key);
      expect(nameToString(k.rrname)).toBe("www.example.test.");
      expect(got[0]!.count).toBeGreaterThan(0);
      const wild = [...r.query({ type: "rrset", name: "*.example.test", rrtype: "NS" })].map((x) =>
        nameToString(decodeRRsetKey(x.key).rrname),
      );
      expect(wild.length).toBeGreaterThan(1);
      expect(wild.every((n) => n.endsWith("example.test."))).toBe(true);
    } finally {
      r.close();
    }
  });

  it("fences by time, loosely or strictly", () => {
    const r = DnstableReader.open(vectorPath("dnstable/dns.mtbl"));
    try {
      const all = [...r.query({ type: "rrset", name: "*.example.test" })];
      const t = all[Math.floor(all.length / 2)]!.timeFirst;
      const loose = [...r.query({ type: "rrset", name: "*.example.test" }, { fence: { lastAfter: t } })];
      const strict = [...r.query({ type: "rrset", name: "*.example.test" }, { fence: { lastAfter: t }, strict: true })];
      expect(loose.every((x) => x.timeLast >= t)).toBe(true);
      expect(strict.every((x) => x.timeFirst >= t)).toBe(true);
      expect(strict.length).toBeLessThan(loose.length);
    } finally {
      r.close();
    }
  });

  it("rejects malformed queries with ERR_INVALID", () => {
    const r = DnstableReader.open(vectorPath("dnstable/dns.mtbl"));
    try {
      for (const q of [
        { type: "rrset", name: "a..b" },
        { type: "rrset", name: "a.test", rrtype: "NOPE" },
        { type: "rdata_ip", ip: "10.0.0.0/40" },
        { type: "rdata_raw", hex: "abc" },
      ] as const) {
        let err: unknown;
        try {
          [...r.query(q)];
        } catch (e) {
          err = e;
        }
        expect(isDnstableError(err) && err.code === "ERR_INVALID", JSON.stringify(q)).toBe(true);
      }
    } finally {
      r.close();
    }
  });

  it("names the files it reads; a set member that cannot be opened throws, or goes to onError and is left out", () => {
    const one = DnstableReader.open(vectorPath("dnstable/dns.mtbl"));
    expect(one.files).toEqual([vectorPath("dnstable/dns.mtbl")]);
    one.close();
    const set = join(dir, "holey.set");
    writeFileSync(set, `${vectorPath("dnstable/dns.part1.none.mtbl")}\n${join(dir, "gone.mtbl")}\n`);
    let err: unknown;
    try {
      DnstableReader.openSetFile(set);
    } catch (e) {
      err = e;
    }
    expect(isMtblError(err) && err.code === "ERR_IO" && err.message).toBe(
      `cannot open set member ${join(dir, "gone.mtbl")}: no such file or directory`,
    );
    for (const aggregated of [true, false]) {
      const seen: string[] = [];
      const r = DnstableReader.openSetFile(set, { aggregated, onError: (_e, path) => seen.push(path) });
      try {
        expect(seen).toEqual([join(dir, "gone.mtbl")]);
        expect(r.files).toEqual([vectorPath("dnstable/dns.part1.none.mtbl")]);
        expect([...r.query({ type: "rrset", name: "*.test" })].length).toBeGreaterThan(0);
      } finally {
        r.close();
      }
    }
  });

  it("re-reads a set file when it changes", () => {
    const set = join(dir, "live.set");
    writeFileSync(set, `${vectorPath("dnstable/dns.part1.none.mtbl")}\n`);
    const r = DnstableReader.openSetFile(set, { reload: true, reloadIntervalMs: 0 });
    try {
      const before = [...r.query({ type: "rrset", name: "*.test" })].length;
      writeFileSync(set, `${vectorPath("dnstable/dns.part1.none.mtbl")}\n${vectorPath("dnstable/dns.part2.none.mtbl")}\n`);
      utimesSync(set, new Date(), new Date(Date.now() + 10_000));
      const after = [...r.query({ type: "rrset", name: "*.test" })].length;
      expect(after).toBeGreaterThan(before);
    } finally {
      r.close();
    }
  });

  it("throws for a malformed query when it is made, before reading anything", () => {
    const r = DnstableReader.open(vectorPath("dnstable/dns.mtbl"));
    try {
      expect(() => r.query({ type: "rrset", name: "a..b" })).toThrow(/bad name/);
      expect(() => r.query({ type: "rdata_name", name: "*.test", rrtype: "NOPE" })).toThrow(/unknown rrtype/);
    } finally {
      r.close();
    }
  });

  it("shows the address query as typed in its errors", () => {
    const msg = (q: string): string => {
      try {
        parseIpQuery(q);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(msg("1.2.3.4/-1")).toBe("bad prefix length: 1.2.3.4/-1");
    expect(msg("1.2.3.4-1.2.3.999")).toBe("bad address: 1.2.3.999 (in 1.2.3.4-1.2.3.999)");
    expect(msg("1.2.3")).toBe("bad address: 1.2.3");
  });

  it("reads addresses as inet_pton does (wdns's parsers): :: stands for at least one group", () => {
    for (const bad of ["1:2:3:4:5:6:7::8", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7", "1.2.3.4.5", "::1.2.3"]) {
      expect(() => parseIpQuery(bad)).toThrow(/^bad address/);
    }
    const [lo] = parseIpQuery("::ffff:1.2.3.4");
    expect([...lo]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIpQuery("1::2:3:4:5:6:7")[0][15]).toBe(7);
  });
});

describe("DnstableReader on entries that do not decode", () => {
  const ok = vectorPath("dnstable/dns.none.mtbl");
  const val1 = join(dir, "val1.mtbl");
  const keyhalf = join(dir, "keyhalf.mtbl");
  writeDamaged(val1, valuesCutToOneByte);
  writeDamaged(keyhalf, keysCutInHalf);
  const all: DnstableQuery = { type: "rrset", name: "*.test" };
  const run = (r: DnstableReader, q: DnstableQuery): { n: number; corrupt: CorruptEntry[] } => {
    const corrupt: CorruptEntry[] = [];
    const n = [...r.query(q, { onCorrupt: (c) => corrupt.push(c) })].length;
    return { n, corrupt };
  };
  const firstError = (r: DnstableReader, q: DnstableQuery): DnstableError | undefined => {
    try {
      for (const _ of r.query(q)) {
        // draining
      }
    } catch (e) {
      if (isDnstableError(e)) return e;
      throw e;
    }
    return undefined;
  };
  const good = DnstableReader.open(ok);
  const expected = [...good.query(all)].length;
  good.close();

  it("skips them as libdnstable does, but tells onCorrupt of each; without it the query throws ERR_CORRUPTION", () => {
    const r = DnstableReader.open(val1);
    try {
      const got = run(r, all);
      expect(got.n).toBe(0);
      expect(got.corrupt).toHaveLength(expected);
      expect(got.corrupt[0]?.reason).toBe("RRSET value (1 byte) is not a time_first, time_last, count triplet");
      expect(r.locate(got.corrupt[0]!.key)).toEqual([val1]);
      const err = firstError(r, all);
      expect(err?.code).toBe("ERR_CORRUPTION");
      expect(err?.key).toEqual(got.corrupt[0]?.key);
      expect(run(r, { type: "rdata_ip", ip: "0.0.0.0/0" }).corrupt.length).toBeGreaterThan(0);
    } finally {
      r.close();
    }
  });

  it("a set with a damaged member answers from the good one and reports the damage, merged or not", () => {
    const set = join(dir, "half-bad.set");
    writeFileSync(set, `${ok}\n${val1}\n`);
    for (const aggregated of [true, false]) {
      const r = DnstableReader.openSetFile(set, { aggregated });
      try {
        const got = run(r, all);
        expect(got.n, `aggregated ${aggregated}`).toBe(expected);
        expect(got.corrupt).toHaveLength(expected);
        expect(r.locate(got.corrupt[0]!.key)).toEqual([val1]);
        expect(firstError(r, all)?.code).toBe("ERR_CORRUPTION");
      } finally {
        r.close();
      }
    }
  });

  it("a damaged name in an index is corrupt data (ERR_CORRUPTION), not a bad query (ERR_INVALID)", () => {
    const r = DnstableReader.open(keyhalf);
    try {
      for (const q of [
        { type: "rdata_name", name: "*.test" },
        { type: "rrset", name: "*.test" },
      ] as const) {
        expect(firstError(r, q)?.code, q.name).toBe("ERR_CORRUPTION");
        expect(run(r, q).corrupt.length, q.name).toBeGreaterThan(0);
      }
    } finally {
      r.close();
    }
  });
});
