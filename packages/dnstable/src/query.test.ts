import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMtblError } from "@dnsrep/mtbl";
import { nameToString } from "@dnsrep/wdns";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { decodeRRsetKey } from "./entry.js";
import { isDnstableError } from "./errors.js";
import { DnstableReader } from "./query.js";

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
});
