import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES as FX, fixtureStamp, haveMmdblookup } from "../../../packages/enrich/test/mmdblookup.js";
import { lookup, post } from "./ingest-helpers.js";
import { BIN, type Running, startServer } from "./spawn-server.js";

/**
 * dnstable-server --geoip-db/--asn-db as a child process: bad databases at start (one line, exit
 * 1), flag misuse (exit 2), and a crash test — SIGKILLed at random moments while ingesting, the
 * test databases switched between rounds: every observation present afterwards (acknowledged or
 * applied before the kill) has its stamp, the one its round's databases give (mmdblookup), and
 * the lookups by ASN return exactly those pairs.
 */

const dir = mkdtempSync(join(tmpdir(), "enrich-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) =>
  spawnSync(process.execPath, [BIN, "--listen", "127.0.0.1:0", "--no-auth", ...args], { encoding: "utf8", timeout: 30_000 });

describe("dnstable-server enrichment flags", () => {
  it("a missing, corrupt or truncated database: one line on stderr, exit 1", () => {
    const bad = join(dir, "bad.mmdb");
    writeFileSync(bad, "not a database");
    const half = join(dir, "half.mmdb");
    const good = readFileSync(join(FX, "asn-v1.mmdb"));
    writeFileSync(half, good.subarray(0, good.length >> 1));
    for (const [flag, f] of [
      ["--geoip-db", join(dir, "missing.mmdb")],
      ["--asn-db", bad],
      ["--asn-db", half],
    ] as const) {
      const r = cli(["--store", join(dir, "s-bad"), flag, f]);
      expect(r.status, r.stderr).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(f);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("--geoip-db without --store is a usage error (exit 2)", () => {
    const r = cli(["--geoip-db", join(FX, "country-v1.mmdb"), join(dir, "none.mtbl")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("need --store");
  });
});

const ADDRS: [string, string][] = [
  ["A", "192.0.2.10"],
  ["A", "192.0.2.140"],
  ["A", "203.0.113.20"],
  ["A", "198.51.100.30"],
  ["AAAA", "2001:db8:8000::5"],
  ["AAAA", "2001:db8::7"],
];
const PER_BATCH = 40;
const ROUNDS = 8;

describe.skipIf(!haveMmdblookup)("crash test with enrichment", () => {
  const store = join(dir, "store");
  const country = join(dir, "country.mmdb");
  const asn = join(dir, "asn.mmdb");
  const start = (): Promise<Running> =>
    startServer(["--no-auth", "-q", "--store", store, "--memtable-mb", "1", "--geoip-db", country, "--asn-db", asn], 60_000);
  const memo = new Map<string, Record<string, unknown>>();
  const expected = (v: number, ip: string): Record<string, unknown> => {
    const k = `${v}|${ip}`;
    let o = memo.get(k);
    if (o === undefined) {
      o = fixtureStamp(v, ip);
      memo.set(k, o);
    }
    return o;
  };

  it(`stamps stay consistent with the data over ${ROUNDS} kills and database swaps`, async () => {
    const batches: { id: number; version: number; acked: boolean }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const version = round < ROUNDS / 2 ? 1 : 2;
      copyFileSync(join(FX, `country-v${version}.mmdb`), country);
      copyFileSync(join(FX, `asn-v${version}.mmdb`), asn);
      const srv = await start();
      const killAt = Date.now() + 150 + Math.floor(Math.random() * 1000);
      let stop = false;
      const writer = async (): Promise<void> => {
        while (!stop && Date.now() < killAt) {
          const b = { id: batches.length, version, acked: false };
          batches.push(b);
          let body = "";
          for (let i = 0; i < PER_BATCH; i++) {
            const [rrtype, rdata] = ADDRS[i % ADDRS.length] as [string, string];
            body += `${JSON.stringify({ rrname: `n${i}.b${b.id}.ecrash.test`, rrtype, rdata, time_first: 1_700_000_000, time_last: 1_700_000_010, bailiwick: "ecrash.test" })}\n`;
          }
          try {
            const r = await post(srv.url, "-", body);
            if (r.status === 200) b.acked = true;
          } catch {
            // cut off by the kill
          }
        }
      };
      const writers = [writer(), writer(), writer()];
      await new Promise((r) => setTimeout(r, Math.max(0, killAt - Date.now())));
      srv.proc.kill("SIGKILL");
      stop = true;
      expect(await srv.stop()).toBeNull();
      await Promise.all(writers);
    }
    expect(batches.filter((b) => b.acked).length).toBeGreaterThan(ROUNDS);

    const srv = await start();
    try {
      const byAsn = new Map<number, number>();
      for (const b of batches) {
        const objs = await lookup(srv.url, "-", `rrset/name/*.b${b.id}.ecrash.test?enrich=1&limit=0`);
        if (b.acked) expect(objs.length, `acknowledged batch ${b.id}`).toBe(PER_BATCH);
        else expect([0, PER_BATCH], `unacknowledged batch ${b.id}`).toContain(objs.length);
        for (const o of objs) {
          const ip = (o.rdata as string[])[0] as string;
          const want = expected(b.version, ip);
          expect({ asn: o.asn ?? null, as_org: o.as_org ?? null, country: o.country ?? null }, `${o.rrname} ${ip}`).toEqual(want);
          if (typeof want.asn === "number") byAsn.set(want.asn, (byAsn.get(want.asn) ?? 0) + 1);
        }
      }
      for (const a of [64496, 64497, 64498, 64499, 64500, 64501, 64511]) {
        const objs = await lookup(srv.url, "-", `rdata/asn/AS${a}?limit=0`);
        expect(objs.length, `AS${a}`).toBe(byAsn.get(a) ?? 0);
      }
    } finally {
      expect(await srv.stop()).toBe(0);
    }
    // the stamps are one log, read back whole (a torn tail of a kill is cut off at the open after it)
    expect(readdirSync(join(store, "enrich"))).toEqual(["STAMPS.log"]);
  }, 300_000);
});
